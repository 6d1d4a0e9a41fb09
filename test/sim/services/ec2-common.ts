import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Tags } from '../state.ts';
import { paginate } from './paging.ts';
import { ParamReader } from './params.ts';

/** Reads EC2 params, failing the way EC2 does (MissingParameter, InvalidParameterValue). */
export function ec2Params(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`),
    invalid: (name, value) => invalidValue(name, value),
  });
}

export function invalidValue(name: string, value: unknown, reason = ''): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    `Value (${String(value)}) for parameter ${name} is invalid.${reason}`,
  );
}

/** EC2's `<tagSet><item><key/><value/></item>` shape. */
export function tagSet(tags: Tags): { key: string; value: string }[] {
  return [...tags].map(([key, value]) => ({ key, value }));
}

/** Tags requested for a new resource through `TagSpecification.N` of the given type. */
export function tagsFromSpecifications(p: ParamReader, resourceType: string): Tags {
  const tags: Tags = new Map();
  for (const spec of p.list('TagSpecification')) {
    if (spec.optStr('ResourceType') !== resourceType) continue;
    for (const tag of spec.list('Tag')) tags.set(tag.str('Key'), tag.optStr('Value') ?? '');
  }
  return tags;
}

/**
 * EC2 answers FilterLimitExceeded when one call carries more filter values than this, all
 * `Filter.N.Value.M` counted together ("The maximum number of filter values specified on a
 * single call is 200").
 */
export const MAX_FILTER_VALUES = 200;

/** Filter name -> the values an item has for it (an item matches if any value matches). */
export type FilterFields<T> = Readonly<
  Record<string, (item: T) => string | undefined | readonly (string | undefined)[]>
>;

interface Describable {
  readonly id: string;
  readonly seq: number;
}

export interface DescribeSpec<T extends Describable> {
  /** The wire name of the id list, e.g. `VpcEndpointId`. */
  readonly idParam: string;
  readonly notFound: (missingIds: readonly string[]) => AwsError;
  readonly filters: FilterFields<T>;
  readonly tags: (item: T) => Tags;
  /**
   * MaxResults bounds from the API reference. Below `min` the call fails; above `max` it
   * fails too, unless `capAtMax` (some calls document "we return only `max` items").
   */
  readonly maxResults: { readonly min: number; readonly max: number; readonly capAtMax?: boolean };
  /** Some calls refuse MaxResults together with explicit ids. */
  readonly pagingWithIds: boolean;
}

/**
 * The common shape of EC2 Describe calls: explicit ids (any unknown one fails the whole
 * call), then `Filter.N` (which never fails on unknown values), then MaxResults/NextToken.
 */
export function describe<T extends Describable>(
  p: ParamReader,
  all: readonly T[],
  spec: DescribeSpec<T>,
): { items: readonly T[]; nextToken: string | undefined } {
  const ids = p.strList(spec.idParam);
  const maxResults = p.optInt('MaxResults');
  if (ids.length > 0 && maxResults !== undefined && !spec.pagingWithIds) {
    throw new AwsError(
      'InvalidParameterCombination',
      `The parameter ${spec.idParam}s cannot be used with the parameter maxResults`,
    );
  }
  const { min, max, capAtMax } = spec.maxResults;
  if (maxResults !== undefined && (maxResults < min || (maxResults > max && !capAtMax))) {
    throw invalidValue('maxResults', ` ${maxResults} `, ` Parameter must be between ${min} and ${max}.`);
  }
  const known = ids.length > 0 ? new Set(all.map((item) => item.id)) : new Set<string>();
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw spec.notFound(missing);
  const wanted = new Set(ids);
  const selected = ids.length > 0 ? all.filter((item) => wanted.has(item.id)) : all;
  const matching = applyFilters(p, selected, spec);
  return paginate(
    matching,
    p.optStr('NextToken'),
    maxResults === undefined ? Number.POSITIVE_INFINITY : Math.min(maxResults, max),
    () => {
      return new AwsError('InvalidPaginationToken', 'The pagination token is not valid or is expired.');
    },
  );
}

function applyFilters<T extends Describable>(
  p: ParamReader,
  items: readonly T[],
  spec: DescribeSpec<T>,
): T[] {
  const given = p
    .list('Filter')
    .map((filter) => ({ name: filter.str('Name'), values: filter.strList('Value') }));
  const valueCount = given.reduce((sum, filter) => sum + filter.values.length, 0);
  if (valueCount > MAX_FILTER_VALUES) {
    throw new AwsError(
      'FilterLimitExceeded',
      `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
    );
  }
  const filters = given.map(({ name, values }) => ({
    values: valuesFor(name, spec),
    matches: matcher(values),
  }));
  return items.filter((item) =>
    filters.every(({ values, matches }) =>
      [values(item)].flat().some((value) => value !== undefined && matches(value)),
    ),
  );
}

// Plain values are looked up in a set (a filter of 200 ids over 30,000 items is common); only
// values with wildcards become regular expressions.
function matcher(values: readonly string[]): (value: string) => boolean {
  const exact = new Set(values.filter((v) => !/[*?]/.test(v)));
  const patterns = values.filter((v) => /[*?]/.test(v)).map(globToRegExp);
  return (value) => exact.has(value) || patterns.some((re) => re.test(value));
}

function valuesFor<T extends Describable>(name: string, spec: DescribeSpec<T>): FilterFields<T>[string] {
  if (name.startsWith('tag:')) return (item) => spec.tags(item).get(name.slice(4));
  if (name === 'tag-key') return (item) => [...spec.tags(item).keys()];
  const field = spec.filters[name];
  if (!field) throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
  return field;
}

// EC2 filter values accept `*` and `?` wildcards.
function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`);
}

import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Elbv2State, TagHistory } from '../state.ts';
import { LOAD_BALANCER_TYPE, TARGET_GROUP_TYPE } from './elbv2-common.ts';
import { paginate } from './paging.ts';
import { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** GetResources limits, from the Resource Groups Tagging API reference. */
const MAX_RESOURCES_PER_PAGE = 100;
const MAX_TAG_FILTERS = 50;
const MAX_FILTER_VALUES = 20;
const MAX_RESOURCE_ARNS = 100;
const TAGS_PER_PAGE = { min: 100, max: 500 };

interface TaggedResource {
  readonly seq: number;
  readonly arn: string;
  /** `service:resourceType`, as ResourceTypeFilters name it. */
  readonly type: string;
  readonly tags: ReadonlyMap<string, string>;
  /** Had a tag at some point (up to the index's view): "previously tagged" resources are listed. */
  readonly everTagged: boolean;
}

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

function taggingParams(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) => invalidParameter(`${name} is required`),
    invalid: (name, value) => invalidParameter(`${String(value)} is not a valid value for ${name}`),
  });
}

/**
 * The taggable resources the simulator knows (ELBv2 target groups and load balancers) as the
 * tagging index sees them. With no lag that is the resources themselves. With a lag of L ms it
 * is each resource's recorded tag history as of L ms ago: a tag just added is missing, one just
 * removed is still there, a group just created is absent and one just deleted is still listed
 * with its old tags. Resources arranged directly in state have no history and are seen as they are.
 */
function resourcesOf(ctx: ServiceContext): TaggedResource[] {
  const { elbv2 } = ctx.state;
  const live = [
    ...[...elbv2.targetGroups.values()].map(({ arn, seq, tags }) => ({
      arn,
      seq,
      tags,
      type: TARGET_GROUP_TYPE,
    })),
    ...[...elbv2.loadBalancers.values()].map(({ arn, seq, tags }) => ({
      arn,
      seq,
      tags,
      type: LOAD_BALANCER_TYPE,
    })),
  ];
  const lag = ctx.timing.taggingLagMs;
  const now = ctx.clock.now();
  const resources: TaggedResource[] =
    lag > 0
      ? [
          ...[...elbv2.tagHistory.values()].flatMap((history) => asOf(history, now - lag)),
          ...live.filter((r) => !elbv2.tagHistory.has(r.arn)).map((r) => current(r, elbv2)),
        ]
      : live.map((r) => current(r, elbv2));
  return resources.sort((a, b) => a.seq - b.seq);
}

function current(
  resource: {
    readonly arn: string;
    readonly seq: number;
    readonly type: string;
    readonly tags: ReadonlyMap<string, string>;
  },
  elbv2: Elbv2State,
): TaggedResource {
  const history = elbv2.tagHistory.get(resource.arn);
  const everTagged =
    resource.tags.size > 0 || (history?.changes.some((change) => (change.tags?.size ?? 0) > 0) ?? false);
  return { seq: resource.seq, arn: resource.arn, type: resource.type, tags: resource.tags, everTagged };
}

/** The resource as its history stood at `instant`; none if it did not exist then (or was deleted). */
function asOf(history: TagHistory, instant: number): TaggedResource[] {
  const known = history.changes.filter((change) => change.at <= instant);
  const tags = known.at(-1)?.tags;
  if (!tags) return [];
  const everTagged = known.some((change) => (change.tags?.size ?? 0) > 0);
  return [{ seq: history.seq, arn: history.arn, type: history.type, tags, everTagged }];
}

function getResources(params: Params, ctx: ServiceContext): object {
  const p = taggingParams(params);
  const filters = p
    .list('TagFilters')
    .map((filter) => ({ key: filter.str('Key'), values: filter.strList('Values') }));
  if (filters.length > MAX_TAG_FILTERS)
    throw invalidParameter(`At most ${MAX_TAG_FILTERS} TagFilters are allowed`);
  if (filters.some((filter) => filter.values.length > MAX_FILTER_VALUES)) {
    throw invalidParameter(`A TagFilter can have at most ${MAX_FILTER_VALUES} values`);
  }
  const types = p.strList('ResourceTypeFilters');
  const arns = p.strList('ResourceARNList');
  if (arns.length > MAX_RESOURCE_ARNS)
    throw invalidParameter(`ResourceARNList can have at most ${MAX_RESOURCE_ARNS} ARNs`);
  if (arns.length > 0 && filters.length > 0)
    throw invalidParameter('ResourceARNList cannot be combined with TagFilters');
  if (arns.length > 0 && types.length > 0)
    throw invalidParameter('ResourceARNList cannot be combined with ResourceTypeFilters');
  if (arns.length > 0 && ['ResourcesPerPage', 'TagsPerPage', 'PaginationToken'].some((name) => p.has(name)))
    throw invalidParameter('ResourceARNList cannot be combined with pagination parameters');
  const perPage = p.optInt('ResourcesPerPage');
  if (perPage !== undefined && (perPage < 1 || perPage > MAX_RESOURCES_PER_PAGE)) {
    throw invalidParameter(`ResourcesPerPage must be between 1 and ${MAX_RESOURCES_PER_PAGE}`);
  }
  const tagsPerPage = p.optInt('TagsPerPage');
  if (tagsPerPage !== undefined && (tagsPerPage < TAGS_PER_PAGE.min || tagsPerPage > TAGS_PER_PAGE.max)) {
    throw invalidParameter(`TagsPerPage must be between ${TAGS_PER_PAGE.min} and ${TAGS_PER_PAGE.max}`);
  }
  if (perPage !== undefined && tagsPerPage !== undefined)
    throw invalidParameter('ResourcesPerPage and TagsPerPage cannot be combined');

  // Never-tagged resources are not listed; previously tagged ones are, with an empty tag set
  // (and so only when no TagFilter asks for a key).
  const matching = resourcesOf(ctx).filter(
    (resource) =>
      resource.everTagged &&
      (types.length === 0 ||
        types.some((type) => type === resource.type || type === resource.type.split(':')[0])) &&
      (arns.length === 0 || arns.includes(resource.arn)) &&
      filters.every(({ key, values }) => {
        const value = resource.tags.get(key);
        return value !== undefined && (values.length === 0 || values.includes(value));
      }),
  );
  const page = paginate(matching, p.optStr('PaginationToken'), perPage ?? MAX_RESOURCES_PER_PAGE, () =>
    invalidParameter('The PaginationToken is not valid'),
  );
  return {
    ResourceTagMappingList: page.items.map((resource) => ({
      ResourceARN: resource.arn,
      Tags: [...resource.tags].map(([Key, Value]) => ({ Key, Value })),
    })),
    // AWS ends the listing with an empty token rather than leaving it out.
    PaginationToken: page.nextToken ?? '',
  };
}

/** Every Resource Groups Tagging API operation the simulator answers. */
export const taggingOperations: Operations = {
  GetResources: getResources,
};

import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Tags } from '../state.ts';
import { paginate } from './paging.ts';
import { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** GetResources limits, from the Resource Groups Tagging API reference. */
const MAX_RESOURCES_PER_PAGE = 100;
const MAX_TAG_FILTERS = 50;
const MAX_FILTER_VALUES = 20;

interface TaggedResource {
  readonly seq: number;
  readonly arn: string;
  /** `service:resourceType`, as ResourceTypeFilters name it. */
  readonly type: string;
  readonly tags: Tags;
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

/** The taggable resources the simulator knows: ELBv2 target groups and load balancers. */
function resourcesOf(ctx: ServiceContext): TaggedResource[] {
  const { elbv2 } = ctx.state;
  return [
    ...[...elbv2.targetGroups.values()].map((g) => ({
      seq: g.seq,
      arn: g.arn,
      type: 'elasticloadbalancing:targetgroup',
      tags: g.tags,
    })),
    ...[...elbv2.loadBalancers.values()].map((b) => ({
      seq: b.seq,
      arn: b.arn,
      type: 'elasticloadbalancing:loadbalancer',
      tags: b.tags,
    })),
  ].sort((a, b) => a.seq - b.seq);
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
  if (arns.length > 0 && filters.length > 0)
    throw invalidParameter('ResourceARNList cannot be combined with TagFilters');
  const perPage = p.optInt('ResourcesPerPage');
  if (perPage !== undefined && (perPage < 1 || perPage > MAX_RESOURCES_PER_PAGE)) {
    throw invalidParameter(`ResourcesPerPage must be between 1 and ${MAX_RESOURCES_PER_PAGE}`);
  }
  if (perPage !== undefined && p.has('TagsPerPage'))
    throw invalidParameter('ResourcesPerPage and TagsPerPage cannot be combined');

  // Like AWS, only resources that carry tags are listed.
  const matching = resourcesOf(ctx).filter(
    (resource) =>
      resource.tags.size > 0 &&
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

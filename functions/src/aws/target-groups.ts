import {
  DeregisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  chunk,
  ENDPOINT_ID_TAG,
  type RegisteredTarget,
  type Target,
  type TargetGroupFacts,
} from '@vpce-target-sync/shared';

/** DescribeTargetGroups returns at most 400 per page. */
export const TARGET_GROUPS_PAGE_SIZE = 400;
/**
 * ARNs or names per DescribeTargetGroups call when looking groups up by id. AWS documents no cap;
 * 20 matches DescribeTags and DescribeLoadBalancers, so a request never grows unbounded.
 */
export const DESCRIBE_TARGET_GROUPS_MAX_IDS = 20;
/** DescribeTags takes at most 20 resource ARNs per call. */
export const DESCRIBE_TAGS_MAX_ARNS = 20;
/** Targets per RegisterTargets/DeregisterTargets call; the AWS Load Balancer Controller uses 200. */
export const TARGETS_PER_CALL = 200;
/** GetResources returns at most 100 resources per page. */
export const TAGGING_PAGE_SIZE = 100;
/** GetResources takes at most 20 values per tag filter. */
export const TAG_FILTER_MAX_VALUES = 20;

/**
 * Whether describing `wanted` target groups by ARN takes no more DescribeTargetGroups calls than
 * listing every one (`listed` of them at least) would: the caller picks `find` or `listAll` by it.
 */
export const findTakesFewerCalls = (wanted: number, listed: number): boolean =>
  Math.ceil(wanted / DESCRIBE_TARGET_GROUPS_MAX_IDS) <= Math.ceil(listed / TARGET_GROUPS_PAGE_SIZE);

export type Tags = Readonly<Record<string, string>>;

/** The ELBv2 side of a site: target groups, their tags and their targets. */
export interface TargetGroups {
  /** Every target group in the account and region, paged. */
  listAll(): Promise<TargetGroupFacts[]>;
  /** The named target groups (ARNs or names); unknown ones are absent from the result. */
  find(arnsOrNames: readonly string[]): Promise<TargetGroupFacts[]>;
  /** ARNs and tags of the target groups that carry the opt-in tag (naming one of `endpointIds`, if given). */
  listOptedIn(endpointIds?: readonly string[]): Promise<Map<string, Tags>>;
  /** Each target group's own tags (DescribeTags reads the resource, not the tagging index); gone ones are absent. */
  tags(arns: readonly string[]): Promise<Map<string, Tags>>;
  /** The region this adapter's calls go to. */
  region(): Promise<string>;
  health(arn: string): Promise<RegisteredTarget[]>;
  register(arn: string, targets: readonly Target[]): Promise<void>;
  deregister(arn: string, targets: readonly Target[]): Promise<void>;
}

const ARN_PREFIX = 'arn:';
/** The Resource Groups Tagging API's name for ELBv2 target groups. */
const TARGET_GROUP_RESOURCE_TYPE = 'elasticloadbalancing:targetgroup';

const toTags = (
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Tags => Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));

function toInfo(tg: TargetGroup): TargetGroupFacts {
  return {
    arn: tg.TargetGroupArn ?? '',
    name: tg.TargetGroupName ?? '',
    vpcId: tg.VpcId ?? '',
    targetType: tg.TargetType ?? '',
    ipAddressType: tg.IpAddressType === 'ipv6' ? 'ipv6' : 'ipv4',
    port: tg.Port ?? 0,
  };
}

const isNotFound = (error: unknown): boolean =>
  (error as { name?: string }).name === 'TargetGroupNotFoundException';
/**
 * ELBv2 answers ValidationError, for the whole call, when one ARN is of another region or account
 * (or malformed): https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
 */
const isValidationError = (error: unknown): boolean =>
  (error as { name?: string }).name === 'ValidationError';

/**
 * One bad id fails a whole call (TargetGroupNotFound, or ValidationError for an ARN of another
 * region or account); `call` is then retried on halves until the good ids are answered and each
 * bad id stands alone, where it is dropped. Other errors propagate.
 */
async function tolerant<T>(
  ids: readonly string[],
  call: (ids: readonly string[]) => Promise<T[]>,
  tolerate: (error: unknown) => boolean,
): Promise<T[]> {
  try {
    return await call(ids);
  } catch (error) {
    if (!tolerate(error)) throw error;
    if (ids.length <= 1) return [];
    const half = Math.ceil(ids.length / 2);
    const parts = await Promise.all(
      [ids.slice(0, half), ids.slice(half)].map((p) => tolerant(p, call, tolerate)),
    );
    return parts.flat();
  }
}

/**
 * Longer than 50 lines on purpose: one closure over the ELBv2 and tagging clients, each method one
 * AWS operation (paged or batched), so a reader finds every call the adapter makes in one place.
 */
export function elbv2TargetGroups(
  elbv2: ElasticLoadBalancingV2Client,
  tagging: ResourceGroupsTaggingAPIClient,
): TargetGroups {
  async function describe(input: {
    TargetGroupArns?: string[];
    Names?: string[];
  }): Promise<TargetGroupFacts[]> {
    const found: TargetGroupFacts[] = [];
    let marker: string | undefined;
    do {
      const page = await elbv2.send(
        new DescribeTargetGroupsCommand({ ...input, PageSize: TARGET_GROUPS_PAGE_SIZE, Marker: marker }),
      );
      found.push(...(page.TargetGroups ?? []).map(toInfo));
      marker = page.NextMarker;
    } while (marker);
    return found;
  }

  return {
    listAll: () => describe({}),

    async find(arnsOrNames) {
      const arns = arnsOrNames.filter((x) => x.startsWith(ARN_PREFIX));
      const names = arnsOrNames.filter((x) => !x.startsWith(ARN_PREFIX));
      const found: TargetGroupFacts[] = [];
      const unknown = (e: unknown) => isNotFound(e) || isValidationError(e);
      for (const batch of chunk(arns, DESCRIBE_TARGET_GROUPS_MAX_IDS))
        found.push(...(await tolerant(batch, (ids) => describe({ TargetGroupArns: [...ids] }), unknown)));
      for (const batch of chunk(names, DESCRIBE_TARGET_GROUPS_MAX_IDS))
        found.push(...(await tolerant(batch, (ids) => describe({ Names: [...ids] }), isNotFound)));
      return [...new Map(found.map((tg) => [tg.arn, tg])).values()];
    },

    async listOptedIn(endpointIds) {
      const found = new Map<string, Tags>();
      const filters = endpointIds
        ? chunk(endpointIds, TAG_FILTER_MAX_VALUES).map((Values) => ({ Key: ENDPOINT_ID_TAG, Values }))
        : [{ Key: ENDPOINT_ID_TAG }];
      for (const filter of filters) {
        let token: string | undefined;
        do {
          const page = await tagging.send(
            new GetResourcesCommand({
              TagFilters: [filter],
              ResourceTypeFilters: [TARGET_GROUP_RESOURCE_TYPE],
              ResourcesPerPage: TAGGING_PAGE_SIZE,
              PaginationToken: token,
            }),
          );
          for (const mapping of page.ResourceTagMappingList ?? []) {
            if (mapping.ResourceARN) found.set(mapping.ResourceARN, toTags(mapping.Tags));
          }
          token = page.PaginationToken || undefined;
        } while (token);
      }
      return found;
    },

    async tags(arns) {
      const describeTags = async (ids: readonly string[]): Promise<[string, Tags][]> => {
        const response = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [...ids] }));
        return (response.TagDescriptions ?? []).flatMap((d): [string, Tags][] =>
          d.ResourceArn ? [[d.ResourceArn, toTags(d.Tags)]] : [],
        );
      };
      const found = new Map<string, Tags>();
      for (const batch of chunk(arns, DESCRIBE_TAGS_MAX_ARNS)) {
        for (const [arn, tags] of await tolerant(batch, describeTags, isNotFound)) found.set(arn, tags);
      }
      return found;
    },

    region: () => elbv2.config.region(),

    async health(arn) {
      const response = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      return (response.TargetHealthDescriptions ?? []).flatMap((d) =>
        d.Target?.Id
          ? [{ id: d.Target.Id, port: d.Target.Port ?? 0, state: d.TargetHealth?.State ?? 'unknown' }]
          : [],
      );
    },

    async register(arn, targets) {
      for (const batch of chunk(targets, TARGETS_PER_CALL)) {
        await elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: arn,
            Targets: batch.map((t) => ({ Id: t.id, Port: t.port })),
          }),
        );
      }
    },

    async deregister(arn, targets) {
      for (const batch of chunk(targets, TARGETS_PER_CALL)) {
        await elbv2.send(
          new DeregisterTargetsCommand({
            TargetGroupArn: arn,
            Targets: batch.map((t) => ({ Id: t.id, Port: t.port })),
          }),
        );
      }
    },
  };
}

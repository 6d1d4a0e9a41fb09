import {
  ENDPOINT_ID_TAG,
  inShard,
  isOptedIn,
  type Shard,
  type TargetGroupFacts,
} from '@vpce-target-sync/shared';
import {
  DESCRIBE_TARGET_GROUPS_MAX_IDS,
  TARGET_GROUPS_PAGE_SIZE,
  type Tags,
  type TargetGroups,
} from '../aws/target-groups.ts';

/** Which sites a run looks at. Within a list any entry matches; both lists given, a site must match both. */
export interface Scope {
  /** Target group ARNs or names. */
  readonly targetGroups?: readonly string[];
  /** Endpoint ids: the sites whose endpoint tag names one of them. */
  readonly endpointIds?: readonly string[];
}

/** A target group the run looks at: opted in (tags known), or named by the user and found wanting. */
export type Candidate =
  | { readonly kind: 'site'; readonly targetGroup: TargetGroupFacts; readonly tags: Tags }
  | { readonly kind: 'rejected'; readonly arn: string; readonly name: string; readonly message: string };

/**
 * Finds the sites in scope with as few calls as the APIs allow: the tagging API lists opted-in
 * target groups (optionally by endpoint) in pages of 100; target groups named by the user are
 * described directly. Untagged target groups are never read for targets.
 */
export async function discover(targetGroups: TargetGroups, scope: Scope = {}): Promise<Candidate[]> {
  if (scope.targetGroups?.length) return discoverNamed(targetGroups, scope.targetGroups, scope.endpointIds);

  const endpointIds = scope.endpointIds?.length ? scope.endpointIds : undefined;
  const optedIn = await targetGroups.listOptedIn(endpointIds);
  if (optedIn.size === 0) return [];
  const facts = endpointIds ? await targetGroups.find([...optedIn.keys()]) : await targetGroups.listAll();
  return facts.flatMap((tg): Candidate[] => {
    const tags = optedIn.get(tg.arn);
    return tags ? [{ kind: 'site', targetGroup: tg, tags }] : [];
  });
}

/**
 * Discovery for a run that takes one share of the fleet (the scheduled pass over a large fleet):
 * lists the opted-in ARNs and tags (one tagging page per 100 sites), lets `pick` choose the share
 * from the fleet's size, and describes only that share's target groups, by ARN in calls of 20,
 * whenever that takes no more calls than listing every target group in the account could (at least
 * one page per 400). At 10,000 sites among 40,000 target groups a share of 370 costs 19 calls
 * instead of 100.
 */
export async function discoverShare(
  targetGroups: TargetGroups,
  pick: (sites: number) => Shard,
): Promise<{ candidates: Candidate[]; shard: Shard; sites: number }> {
  const optedIn = await targetGroups.listOptedIn();
  const shard = pick(optedIn.size);
  const share = [...optedIn.keys()].filter((arn) => inShard(arn, shard));
  if (share.length === 0) return { candidates: [], shard, sites: optedIn.size };
  const byArn =
    Math.ceil(share.length / DESCRIBE_TARGET_GROUPS_MAX_IDS) <=
    Math.ceil(optedIn.size / TARGET_GROUPS_PAGE_SIZE);
  const facts = byArn ? await targetGroups.find(share) : await targetGroups.listAll();
  const candidates = facts.flatMap((tg): Candidate[] => {
    const tags = optedIn.get(tg.arn);
    return tags && inShard(tg.arn, shard) ? [{ kind: 'site', targetGroup: tg, tags }] : [];
  });
  return { candidates, shard, sites: optedIn.size };
}

async function discoverNamed(
  targetGroups: TargetGroups,
  wanted: readonly string[],
  endpointIds: readonly string[] | undefined,
): Promise<Candidate[]> {
  const found = await targetGroups.find(wanted);
  const tags = await targetGroups.tags(found.map((tg) => tg.arn));
  const missing = wanted.filter((w) => !found.some((tg) => tg.arn === w || tg.name === w));
  const candidates: Candidate[] = missing.map((w) => ({
    kind: 'rejected',
    arn: w.startsWith('arn:') ? w : '',
    name: w.startsWith('arn:') ? '' : w,
    message: `target group ${w} was not found in this account and region`,
  }));
  for (const tg of found) {
    const tgTags = tags.get(tg.arn) ?? {};
    if (!isOptedIn(tgTags)) {
      candidates.push({
        kind: 'rejected',
        arn: tg.arn,
        name: tg.name,
        message: `target group ${tg.name} did not opt in: it has no ${ENDPOINT_ID_TAG} tag, so it is left alone`,
      });
    } else if (!endpointIds?.length || endpointIds.includes(tgTags[ENDPOINT_ID_TAG] ?? '')) {
      candidates.push({ kind: 'site', targetGroup: tg, tags: tgTags });
    }
  }
  return candidates;
}

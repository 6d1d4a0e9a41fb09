import { ENDPOINT_ID_TAG, isOptedIn, type TargetGroupFacts } from '@vpce-target-sync/shared';
import { findTakesFewerCalls, type Tags, type TargetGroups } from '../aws/target-groups.ts';

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
  | {
      readonly kind: 'rejected';
      readonly arn: string;
      readonly name: string;
      readonly message: string;
      /** Set when what was not found is a site for this endpoint (`--endpoint` naming no opted-in group). */
      readonly endpointId?: string;
    };

/**
 * Finds the sites in scope with as few calls as the APIs allow: the tagging API lists opted-in
 * target groups (optionally by endpoint) in pages of 100; target groups named by the user are
 * described directly. Untagged target groups are never read for targets.
 */
export async function discover(targetGroups: TargetGroups, scope: Scope = {}): Promise<Candidate[]> {
  const candidates = scope.targetGroups?.length
    ? await discoverUserNamed(targetGroups, scope.targetGroups, scope.endpointIds)
    : await discoverIndexed(targetGroups, scope.endpointIds?.length ? scope.endpointIds : undefined);
  return [...candidates, ...unnamedEndpoints(scope, candidates)];
}

async function discoverIndexed(
  targetGroups: TargetGroups,
  endpointIds: readonly string[] | undefined,
): Promise<Candidate[]> {
  const indexed = await targetGroups.listOptedIn(endpointIds);
  if (indexed.size === 0) return [];
  const facts = endpointIds ? await targetGroups.find([...indexed.keys()]) : await targetGroups.listAll();
  return withFreshTags(
    targetGroups,
    facts.filter((tg) => indexed.has(tg.arn)),
    endpointIds,
  );
}

/**
 * An endpoint the scope names that no site in it names is an error row, as a `--target-group` that
 * does not exist is: a mistyped id must not look like a fleet with nothing to do.
 */
function unnamedEndpoints(scope: Scope, candidates: readonly Candidate[]): Candidate[] {
  const named = new Set(candidates.flatMap((c) => (c.kind === 'site' ? [c.tags[ENDPOINT_ID_TAG]] : [])));
  const among = scope.targetGroups?.length ? ' among the target groups selected' : '';
  return (scope.endpointIds ?? [])
    .filter((id) => !named.has(id))
    .map((id) => ({
      kind: 'rejected',
      arn: '',
      name: '',
      endpointId: id,
      message: `no opted-in target group${among} names endpoint ${id} (no ${ENDPOINT_ID_TAG}=${id} tag${among ? ' on them' : ''}); check the endpoint id, or tag the site's target group with it`,
    }));
}

/**
 * The tagging index (`tag:GetResources`) is eventually consistent: it can still list a tag that
 * was removed or changed a moment ago. It only finds candidates; each candidate's own tags are read
 * again (DescribeTags, 20 a call) and decide: a group that no longer opts in (or, with an endpoint
 * scope, no longer names one of `endpointIds`) is left alone.
 * https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html
 */
export async function withFreshTags(
  targetGroups: TargetGroups,
  facts: readonly TargetGroupFacts[],
  endpointIds?: readonly string[],
): Promise<Candidate[]> {
  if (facts.length === 0) return [];
  const fresh = await targetGroups.tags(facts.map((tg) => tg.arn));
  return facts.flatMap((tg): Candidate[] => {
    const tags = fresh.get(tg.arn);
    if (!tags || !isOptedIn(tags)) return [];
    if (endpointIds && !endpointIds.includes(tags[ENDPOINT_ID_TAG] ?? '')) return [];
    return [{ kind: 'site', targetGroup: tg, tags }];
  });
}

/**
 * The opted-in ARNs of the whole fleet, as the tagging index lists them (one page per 100 sites).
 * A scheduled tick lists them at the start of each pass and carries the list to the pass's
 * later ticks (docs/DESIGN.md, "A full pass over a large fleet").
 */
export async function listFleet(targetGroups: TargetGroups): Promise<string[]> {
  return [...(await targetGroups.listOptedIn()).keys()];
}

/**
 * Discovery for a tick that takes the whole fleet from its listing: describes the listed target
 * groups by ARN when that takes no more calls than listing every target group in the account could
 * (the adapter knows its batch and page sizes; the account holds at least the fleet), else lists
 * them all, then reads their tags fresh. A share of a spread-out pass is looked up chunk by chunk
 * instead (reconcile.ts, discoverInChunks).
 */
export async function discoverFleet(
  targetGroups: TargetGroups,
  fleet: readonly string[],
): Promise<Candidate[]> {
  if (fleet.length === 0) return [];
  const listed = new Set(fleet);
  const facts = findTakesFewerCalls(fleet.length, fleet.length)
    ? await targetGroups.find(fleet)
    : await targetGroups.listAll();
  return withFreshTags(
    targetGroups,
    facts.filter((tg) => listed.has(tg.arn)),
  );
}

/**
 * The target groups a user names (ARNs or names): unlike the sites events name, each that is
 * missing or not opted in is an error row, so a typo never looks like a site with nothing to do.
 */
async function discoverUserNamed(
  targetGroups: TargetGroups,
  wanted: readonly string[],
  endpointIds: readonly string[] | undefined,
): Promise<Candidate[]> {
  const found = await targetGroups.find(wanted);
  const tags = await targetGroups.tags(found.map((tg) => tg.arn));
  const missing = wanted.filter((w) => !found.some((tg) => tg.arn === w || tg.name === w));
  const here = { region: await targetGroups.region(), account: found[0] && arnParts(found[0].arn)?.account };
  const candidates: Candidate[] = missing.map((w) => ({
    kind: 'rejected',
    arn: w.startsWith('arn:') ? w : '',
    name: w.startsWith('arn:') ? '' : w,
    message: notFoundMessage(w, here),
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

/** `arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID` -> region and account. */
function arnParts(arn: string): { region: string; account: string } | undefined {
  const [prefix, , , region, account] = arn.split(':');
  return prefix === 'arn' && region && account ? { region, account } : undefined;
}

/**
 * ELBv2 answers ValidationError for an ARN of another region or account, and TargetGroupNotFound for
 * one of this region and account that does not exist: the message says which, and what to do.
 */
function notFoundMessage(wanted: string, here: { region: string; account: string | undefined }): string {
  const parts = arnParts(wanted);
  if (parts && parts.region !== here.region) {
    return `target group ${wanted} is in region ${parts.region}, but this run is in region ${here.region}; ELBv2 only answers for the run's own region and account (run with AWS_REGION=${parts.region} to reconcile it)`;
  }
  if (parts && here.account && parts.account !== here.account) {
    return `target group ${wanted} belongs to account ${parts.account}, but this run is in account ${here.account} (region ${here.region}); run with credentials for account ${parts.account} to reconcile it`;
  }
  const account = here.account ? `account ${here.account}` : 'this account';
  return `target group ${wanted} was not found in ${account} and region ${here.region}`;
}

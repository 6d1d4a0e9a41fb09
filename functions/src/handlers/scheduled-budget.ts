import {
  DESCRIBE_TAGS_MAX_ARNS,
  DESCRIBE_TARGET_GROUPS_MAX_IDS,
  TAGGING_PAGE_SIZE,
} from '../aws/target-groups.ts';

/**
 * Share of a run's time budget spent on discovery and DescribeTargetHealth, the one call per site
 * that cannot be batched; the rest covers endpoint reads, writes and metrics.
 */
export const HEALTH_BUDGET_SHARE = 0.8;

/** What discovery costs a sharded run before the first DescribeTargetHealth. */
export interface DiscoveryCost {
  /** Opted-in sites: discovery reads one tagging page per 100 of them, one after another. */
  readonly sites: number;
  /** The client-side limit of the tagging API (GetResources). */
  readonly tagging: { readonly ratePerSecond: number; readonly burst: number };
}

/**
 * How many sites one run can check: the ELBv2 Describe rate times the time the run has (the
 * schedule interval, or what is left of the Lambda timeout if that is shorter).
 *
 * Given the fleet's size, the budget first pays for listing the fleet through the tagging API
 * (its pages beyond the burst, at the tagging rate) and each site then costs 1 + 1/20 + 1/20 ELBv2
 * Describe calls: its DescribeTargetHealth and its shares of the DescribeTargetGroups calls that look
 * the run's sites up by ARN and of the DescribeTags calls that read their tags fresh. At the defaults
 * (4/s ELBv2 Describe, 2/s tagging, a 5-minute schedule, a 2-minute timeout) that is 349 sites per
 * run at 100 sites, 338 at 1,000 and 174 at 10,000; from about 19,500 sites listing alone outlasts the budget (raise the tagging rate or the
 * timeout).
 */
export function sitesPerRun(
  describeRatePerSecond: number,
  scheduleMinutes: number,
  remainingMs: number,
  discovery?: DiscoveryCost,
): number {
  let seconds = Math.min(scheduleMinutes * 60, remainingMs / 1000) * HEALTH_BUDGET_SHARE;
  let callsPerSite = 1;
  if (discovery) {
    const pages = Math.ceil(discovery.sites / TAGGING_PAGE_SIZE);
    seconds -= Math.max(0, pages - discovery.tagging.burst) / discovery.tagging.ratePerSecond;
    // Per site, its shares of DescribeTargetGroups by ARN and of DescribeTags (fresh tags).
    callsPerSite += 1 / DESCRIBE_TARGET_GROUPS_MAX_IDS + 1 / DESCRIBE_TAGS_MAX_ARNS;
  }
  return Math.max(1, Math.floor((describeRatePerSecond * seconds) / callsPerSite));
}

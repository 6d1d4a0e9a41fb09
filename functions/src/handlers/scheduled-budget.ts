import { DESCRIBE_TAGS_MAX_ARNS } from '../aws/target-groups.ts';

/**
 * Share of the ELBv2 Describe rate a full pass spread over ticks plans to use. The rest is headroom
 * for the event path, the watched sites (left in drift or in error), and the first pass of a warm
 * function, which also describes each target group (docs/DESIGN.md, "A full pass over a large fleet").
 */
export const PASS_RATE_SHARE = 0.9;

/**
 * ELBv2 Describe calls a site costs in a pass: its DescribeTargetHealth, and its share of the
 * DescribeTags calls that read its tags fresh. Its DescribeTargetGroups share (another 1/20) is paid
 * once per warm function: a target group's facts do not change (reconcile.ts, WarmState.facts).
 */
export const DESCRIBE_CALLS_PER_SITE = 1 + 1 / DESCRIBE_TAGS_MAX_ARNS;

/**
 * How many sites one tick's share holds: what the ELBv2 Describe rate allows in one schedule
 * interval. The share is not bounded by the Lambda timeout: what the tick cannot finish before its
 * deadline margin goes to the events queue, which the event path works through before the next
 * tick. At the defaults (4/s, a 5-minute schedule) that is 1,028 sites, so 10,000 sites take 9.7
 * ticks (48.6 minutes) against the 41.7 minutes their DescribeTargetHealth calls alone need.
 */
export function sitesPerRun(describeRatePerSecond: number, scheduleMinutes: number): number {
  const seconds = scheduleMinutes * 60 * PASS_RATE_SHARE;
  return Math.max(1, Math.floor((describeRatePerSecond * seconds) / DESCRIBE_CALLS_PER_SITE));
}

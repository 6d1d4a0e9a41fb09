/**
 * Share of a run's time budget spent on DescribeTargetHealth, the one call per site that cannot be
 * batched; the rest covers discovery, endpoint reads, writes and metrics.
 */
export const HEALTH_BUDGET_SHARE = 0.8;

/**
 * How many sites one run can check: the ELBv2 Describe rate times the time the run has (the
 * schedule interval, or what is left of the Lambda timeout if that is shorter).
 */
export function sitesPerRun(
  describeRatePerSecond: number,
  scheduleMinutes: number,
  remainingMs: number,
): number {
  const seconds = Math.min(scheduleMinutes * 60, remainingMs / 1000) * HEALTH_BUDGET_SHARE;
  return Math.max(1, Math.floor(describeRatePerSecond * seconds));
}

/**
 * Environment variables the functions read. The infra package sets them from here, so the names
 * are written once.
 */
export const ENV = {
  /** `true` plans and reports without writing. */
  dryRun: 'VPCE_TARGET_SYNC_DRY_RUN',
  /** `false` turns off the per-site (TargetGroup dimension) metrics. */
  perSiteMetrics: 'VPCE_TARGET_SYNC_PER_SITE_METRICS',
  /** The reconciler's own IAM role ARN: events caused by its own writes are ignored. */
  roleArn: 'VPCE_TARGET_SYNC_ROLE_ARN',
  /** The SQS queue that the events function reads; sites that must wait are re-queued to it. */
  queueUrl: 'VPCE_TARGET_SYNC_QUEUE_URL',
  /** Client-side rate limits per API family, `family=rate[/burst],…` over the defaults. */
  rateLimits: 'VPCE_TARGET_SYNC_RATE_LIMITS',
  /** The schedule's interval in minutes: a full pass larger than one run spreads over consecutive ticks. */
  scheduleMinutes: 'VPCE_TARGET_SYNC_SCHEDULE_MINUTES',
  /** pino log level: trace, debug, info, warn, error, fatal. */
  logLevel: 'LOG_LEVEL',
  /** CLI only: seconds between progress lines when stderr is not a terminal (default 10). */
  progressSeconds: 'VPCE_TARGET_SYNC_PROGRESS_SECONDS',
} as const;

/**
 * The schedule's interval in whole minutes: the construct's `schedule` (and the app's
 * `scheduleMinutes` context) and `VPCE_TARGET_SYNC_SCHEDULE_MINUTES` take this one range.
 */
export const SCHEDULE_MINUTES = { min: 1, max: 60 } as const;

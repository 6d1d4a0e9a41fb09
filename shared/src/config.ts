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

/** Whole minutes within SCHEDULE_MINUTES: the one check of the schedule's interval. */
export const isScheduleMinutes = (minutes: number): boolean =>
  Number.isInteger(minutes) && minutes >= SCHEDULE_MINUTES.min && minutes <= SCHEDULE_MINUTES.max;

/** pino's levels a deployment sets (`LOG_LEVEL`, the construct's `logLevel`). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/**
 * pino's level that logs nothing. The functions take it (tests and local runs quiet the log); the
 * construct does not, so a deployment always logs its errors.
 */
export const SILENT_LOG_LEVEL = 'silent';

/** Whether `level` is one of LOG_LEVELS (or, when `silent` is allowed, SILENT_LOG_LEVEL). */
export const isLogLevel = (level: string, { silent = false }: { silent?: boolean } = {}): boolean =>
  (LOG_LEVELS as readonly string[]).includes(level) || (silent && level === SILENT_LOG_LEVEL);

import {
  ENV,
  fail,
  isLogLevel,
  isScheduleMinutes,
  LOG_LEVELS,
  ok,
  type Result,
  SCHEDULE_MINUTES,
  SILENT_LOG_LEVEL,
} from '@vpce-target-sync/shared';
import { type ApiFamily, parseRateLimits, type RateLimit } from './aws/rate-limits.ts';

/** How the functions run, read once from the environment at cold start. */
export interface Config {
  readonly dryRun: boolean;
  readonly perSiteMetrics: boolean;
  readonly roleArn: string | undefined;
  readonly queueUrl: string | undefined;
  readonly logLevel: string;
  readonly rateLimits: Readonly<Record<ApiFamily, RateLimit>>;
  readonly scheduleMinutes: number;
}

/** The infra's default schedule: every 5 minutes. */
export const DEFAULT_SCHEDULE_MINUTES = 5;

/** An SQS queue name: 1-80 letters, digits, hyphens and underscores, `.fifo` for a FIFO queue. */
const QUEUE_PATH = String.raw`/\d{12}/[A-Za-z0-9_-]{1,80}(?:\.fifo)?`;
/**
 * A queue URL as SQS gives it: `https://sqs.<region>.<domain>/<account>/<name>`, the FIPS
 * (`sqs-fips.`) and dual-stack (`.api.aws`) endpoints, China's `amazonaws.com.cn`, and the legacy
 * `[<region>.]queue.amazonaws.com`
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html,
 * https://docs.aws.amazon.com/general/latest/gr/sqs-service.html). Any partition's domain is taken.
 */
const AWS_QUEUE_URL = new RegExp(
  String.raw`^https://(?:sqs(?:-fips)?\.[a-z]{2}(?:-[a-z]+)+-\d+(?:\.[a-z0-9-]+)+|(?:[a-z]{2}(?:-[a-z]+)+-\d+\.)?queue\.amazonaws\.com)${QUEUE_PATH}$`,
);
/** An emulator's or test's queue on this machine: `http://127.0.0.1:PORT/<account>/<name>`, `localhost`. */
const LOOPBACK_QUEUE_URL = new RegExp(
  String.raw`^https?://(?:127(?:\.\d{1,3}){3}|localhost|[a-z0-9.-]+\.localhost|\[::1\])(?::\d{1,5})?${QUEUE_PATH}$`,
);

/** Whether a value is a queue URL of SQS, of a loopback emulator, or of the endpoint the SDK is pointed at. */
function isQueueUrl(value: string, env: NodeJS.ProcessEnv): boolean {
  if (AWS_QUEUE_URL.test(value) || LOOPBACK_QUEUE_URL.test(value)) return true;
  // With AWS_ENDPOINT_URL(_SQS) set, SQS answers with queue URLs on that host (or a subdomain of it).
  const endpoint = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL;
  if (!endpoint) return false;
  try {
    const base = new URL(endpoint);
    const url = new URL(value);
    const host = url.hostname === base.hostname || url.hostname.endsWith(`.${base.hostname}`);
    return (
      host &&
      url.protocol === base.protocol &&
      url.port === base.port &&
      new RegExp(`^${QUEUE_PATH}$`).test(url.pathname) &&
      !url.search &&
      !url.hash
    );
  } catch {
    return false;
  }
}

function queueUrlError(value: string): string {
  const hint = value.startsWith('arn:') ? ' (that is a queue ARN; give its URL)' : '';
  return `environment variable ${ENV.queueUrl} is ${JSON.stringify(value)}${hint}; expected an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/vpce-target-sync-events (or http://127.0.0.1:PORT/123456789012/NAME on a local emulator)`;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): Result<boolean> {
  const value = env[name];
  if (value === undefined || value === '') return ok(fallback);
  if (value === 'true') return ok(true);
  if (value === 'false') return ok(false);
  return fail(`environment variable ${name} is ${JSON.stringify(value)}; expected true or false`);
}

/** Reads the configuration; every problem is named in one message. */
export function readConfig(
  env: NodeJS.ProcessEnv,
  defaults: { logLevel: string } = { logLevel: 'info' },
): Result<Config> {
  const dryRun = flag(env, ENV.dryRun, false);
  const perSiteMetrics = flag(env, ENV.perSiteMetrics, true);
  const logLevelText = env[ENV.logLevel] || defaults.logLevel;
  // pino's levels are lower case; LOG_LEVEL=INFO means info.
  const logLevel = logLevelText.toLowerCase();
  const queueUrl = env[ENV.queueUrl] || undefined;
  const roleArn = env[ENV.roleArn] || undefined;
  const rateLimits = parseRateLimits(env[ENV.rateLimits], `environment variable ${ENV.rateLimits}`);
  const scheduleText = env[ENV.scheduleMinutes] || String(DEFAULT_SCHEDULE_MINUTES);
  const scheduleMinutes = Number(scheduleText);
  const errors = [dryRun, perSiteMetrics, rateLimits].flatMap((r) => (r.ok ? [] : [r.error]));
  if (!/^\d+$/.test(scheduleText) || !isScheduleMinutes(scheduleMinutes)) {
    errors.push(
      `environment variable ${ENV.scheduleMinutes} is ${JSON.stringify(scheduleText)}; expected whole minutes from ${SCHEDULE_MINUTES.min} to ${SCHEDULE_MINUTES.max}, as the construct's schedule`,
    );
  }
  if (!isLogLevel(logLevel, { silent: true })) {
    errors.push(
      `environment variable ${ENV.logLevel} is ${JSON.stringify(logLevelText)}; expected one of ${[...LOG_LEVELS, SILENT_LOG_LEVEL].join(', ')} (any case)`,
    );
  }
  if (queueUrl !== undefined && !isQueueUrl(queueUrl, env)) errors.push(queueUrlError(queueUrl));
  if (roleArn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(roleArn)) {
    errors.push(
      `environment variable ${ENV.roleArn} is ${JSON.stringify(roleArn)}; expected an IAM role ARN like arn:aws:iam::123456789012:role/name`,
    );
  }
  if (errors.length || !dryRun.ok || !perSiteMetrics.ok || !rateLimits.ok) return fail(errors.join('; '));
  return ok({
    dryRun: dryRun.value,
    perSiteMetrics: perSiteMetrics.value,
    roleArn,
    queueUrl,
    logLevel,
    rateLimits: rateLimits.value,
    scheduleMinutes,
  });
}

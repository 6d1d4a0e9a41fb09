import { ENV, fail, ok, type Result } from '@vpce-target-sync/shared';
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

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

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
  const logLevel = env[ENV.logLevel] || defaults.logLevel;
  const roleArn = env[ENV.roleArn] || undefined;
  const rateLimits = parseRateLimits(env[ENV.rateLimits], `environment variable ${ENV.rateLimits}`);
  const scheduleText = env[ENV.scheduleMinutes] || String(DEFAULT_SCHEDULE_MINUTES);
  const scheduleMinutes = Number(scheduleText);
  const errors = [dryRun, perSiteMetrics, rateLimits].flatMap((r) => (r.ok ? [] : [r.error]));
  if (!/^\d+$/.test(scheduleText) || scheduleMinutes < 1 || scheduleMinutes > 1440) {
    errors.push(
      `environment variable ${ENV.scheduleMinutes} is ${JSON.stringify(scheduleText)}; expected whole minutes from 1 to 1440`,
    );
  }
  if (!LOG_LEVELS.includes(logLevel)) {
    errors.push(
      `environment variable ${ENV.logLevel} is ${JSON.stringify(logLevel)}; expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
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
    queueUrl: env[ENV.queueUrl] || undefined,
    logLevel,
    rateLimits: rateLimits.value,
    scheduleMinutes,
  });
}

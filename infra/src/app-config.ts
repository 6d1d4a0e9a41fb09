import { isScheduleMinutes, SCHEDULE_MINUTES } from '@vpce-target-sync/shared';
import { Duration } from 'aws-cdk-lib';
import type { ReconcilerProps } from './reconciler.ts';

/** The `cdk -c key=value` context the app reads; `cdk.json` may hold the same keys. */
export const CONTEXT = {
  /** Name of the reconciler stack. */
  stackName: 'stackName',
  /** E-mail address subscribed to the alarm topic. */
  alarmEmail: 'alarmEmail',
  /** `true`: plan and report only. */
  dryRun: 'dryRun',
  /** `false`: no per-site (TargetGroup dimension) metrics. */
  perSiteMetrics: 'perSiteMetrics',
  /** Minutes between full passes. */
  scheduleMinutes: 'scheduleMinutes',
  /** The functions' log level. */
  logLevel: 'logLevel',
  /** `true`: also synthesise the example site stack. */
  example: 'example',
  /** The example site's host name (and bucket name). */
  exampleHostName: 'exampleHostName',
  /** The ACM certificate ARN of the example site's HTTPS listener. */
  certificateArn: 'certificateArn',
} as const;

export const DEFAULT_STACK_NAME = 'VpceTargetSync';
export const EXAMPLE_STACK_NAME = 'VpceTargetSyncExampleSite';
export const DEFAULT_EXAMPLE_HOST_NAME = 'site.vpce-target-sync.example';

export interface AppConfig {
  readonly stackName: string;
  readonly reconciler: ReconcilerProps;
  readonly example?: { readonly hostName: string; readonly certificateArn?: string };
}

type Lookup = (key: string) => unknown;

/** Reads the app's context; every malformed value is named in one error. */
export function readAppConfig(context: Lookup): AppConfig {
  const errors: string[] = [];
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') return value;
    errors.push(`context ${key} is ${JSON.stringify(value)}; expected a string`);
    return undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    errors.push(`context ${key} is ${JSON.stringify(value)}; expected true or false`);
    return undefined;
  };
  const minutes = (key: string): number | undefined => {
    const value = context(key);
    if (value === undefined || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    if (isScheduleMinutes(n)) return n;
    errors.push(
      `context ${key} is ${JSON.stringify(value)}; expected whole minutes from ${SCHEDULE_MINUTES.min} to ${SCHEDULE_MINUTES.max}`,
    );
    return undefined;
  };

  const alarmEmail = text(CONTEXT.alarmEmail);
  const dryRun = flag(CONTEXT.dryRun);
  const perSiteMetrics = flag(CONTEXT.perSiteMetrics);
  const scheduleMinutes = minutes(CONTEXT.scheduleMinutes);
  const logLevel = text(CONTEXT.logLevel);
  const stackName = text(CONTEXT.stackName) ?? DEFAULT_STACK_NAME;
  const example = flag(CONTEXT.example);
  const hostName = text(CONTEXT.exampleHostName) ?? DEFAULT_EXAMPLE_HOST_NAME;
  const certificateArn = text(CONTEXT.certificateArn);
  if (errors.length) throw new Error(`vpce-target-sync app: ${errors.join('; ')}`);

  const reconciler: ReconcilerProps = {
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    ...(dryRun !== undefined ? { dryRun } : {}),
    ...(perSiteMetrics !== undefined ? { perSiteMetrics } : {}),
    ...(scheduleMinutes !== undefined ? { schedule: Duration.minutes(scheduleMinutes) } : {}),
    ...(logLevel !== undefined ? { logLevel } : {}),
  };
  return {
    stackName,
    reconciler,
    ...(example ? { example: { hostName, ...(certificateArn ? { certificateArn } : {}) } } : {}),
  };
}

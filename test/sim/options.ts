import type { RateLimit } from './throttle.ts';

/** The single simulated account. */
export const ACCOUNT_ID = '123456789012';

/** SigV4 signing names, which is how requests are routed to a service. */
export type ServiceName = 'ec2' | 'elasticloadbalancing' | 'monitoring' | 'tagging' | 'sqs' | 's3';

export interface SimulatorOptions {
  /** Region for `env`, `clientConfig()` and unsigned requests. @default 'us-east-1' */
  readonly region?: string;
  /** TCP port on 127.0.0.1. @default 0 (a random free port) */
  readonly port?: number;
  /** Access key id -> IAM principal ARN recorded for calls signed with that key. @default {} */
  readonly principals?: Readonly<Record<string, string>>;
  /** Principal for access keys not in `principals`. @default 'arn:aws:iam::123456789012:role/default' */
  readonly defaultPrincipal?: string;
  /**
   * Added to every response, in real milliseconds: one number for all services, or per SigV4
   * service name with `default` for the rest. @default 0
   */
  readonly latencyMs?: number | Readonly<Partial<Record<ServiceName | 'default', number>>>;
  /**
   * Token buckets by operation (`DescribeTargetHealth`), family (`Describe*`), optionally
   * service-qualified (`elasticloadbalancing:Describe*`). @default {} (unlimited)
   */
  readonly rateLimits?: Readonly<Record<string, RateLimit>>;
  /**
   * Simulated ms an Interface endpoint stays `pending` after create, modify or acceptance, and
   * `deleting` after DeleteVpcEndpoints. @default 0
   */
  readonly endpointPendingMs?: number;
  /**
   * Simulated ms a deleted endpoint stays listed as `deleted` before DescribeVpcEndpoints forgets
   * it. AWS documents no figure, only that deleted endpoints stay visible for a while. @default 600000
   */
  readonly deletedEndpointVisibleMs?: number;
  /** Simulated ms a target in a used target group stays `initial` before `healthy`. @default 0 */
  readonly healthyAfterMs?: number;
  /** Simulated ms a deregistered target stays `draining` (AWS's default delay is 300 s). @default 300000 */
  readonly deregistrationDelayMs?: number;
  /**
   * The "Targets per Target Group per Region" quota (AWS's default is 1000): RegisterTargets
   * beyond it fails with `TooManyTargets`. Draining targets do not count. @default 1000
   */
  readonly targetsPerTargetGroup?: number;
  /**
   * Simulated ms the Resource Groups Tagging index lags behind the resources: `tag:GetResources`
   * answers from the tags as they were this long ago (ELBv2 DescribeTags is always current).
   * Can be changed at runtime with `sim.setTaggingLag`. @default 0
   */
  readonly taggingLagMs?: number;
  /** Seed for resource ids, so two simulators can issue different ids. @default 1 */
  readonly idSeed?: number;
}

/** The time-dependent behaviour (and the quotas) services need, resolved from the options. */
export interface Timing {
  readonly endpointPendingMs: number;
  readonly deletedEndpointVisibleMs: number;
  readonly healthyAfterMs: number;
  readonly deregistrationDelayMs: number;
  readonly targetsPerTargetGroup: number;
  /** Changed at runtime by `Simulator.setTaggingLag` (hence not readonly); read on every call. */
  taggingLagMs: number;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_PRINCIPAL = `arn:aws:iam::${ACCOUNT_ID}:role/default`;
const DEFAULT_DEREGISTRATION_DELAY_MS = 300_000;
/** Undocumented by AWS; ten minutes is a guess at "a while" (test/sim/README.md, "Options (all optional)"). */
const DEFAULT_DELETED_ENDPOINT_VISIBLE_MS = 600_000;
/** AWS's default "Targets per Target Group per Region" quota for instances and IP addresses. */
export const DEFAULT_TARGETS_PER_TARGET_GROUP = 1000;

export function timingOf(options: SimulatorOptions): Timing {
  return {
    endpointPendingMs: options.endpointPendingMs ?? 0,
    deletedEndpointVisibleMs: options.deletedEndpointVisibleMs ?? DEFAULT_DELETED_ENDPOINT_VISIBLE_MS,
    healthyAfterMs: options.healthyAfterMs ?? 0,
    deregistrationDelayMs: options.deregistrationDelayMs ?? DEFAULT_DEREGISTRATION_DELAY_MS,
    targetsPerTargetGroup: positiveInt(
      'targetsPerTargetGroup',
      options.targetsPerTargetGroup ?? DEFAULT_TARGETS_PER_TARGET_GROUP,
    ),
    taggingLagMs: nonNegativeMs('taggingLagMs', options.taggingLagMs ?? 0),
  };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

export function nonNegativeMs(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a non-negative number of ms, got ${value}`);
  }
  return value;
}

export function latencyFor(options: SimulatorOptions, service: ServiceName): number {
  const latency = options.latencyMs;
  if (typeof latency === 'number') return latency;
  return latency?.[service] ?? latency?.default ?? 0;
}

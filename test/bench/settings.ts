/**
 * What the benchmark runs against: AWS's documented throttling figures as simulator token buckets,
 * the client-side rates the functions ship with, and the per-call latency.
 */
import { type ApiFamily, DEFAULT_RATE_LIMITS, type RateLimit } from '@vpce-target-sync/functions';
import { DEFAULT_SCHEDULE, DEFAULT_TIMEOUT } from '@vpce-target-sync/infra';
import type { RateLimit as SimBucket } from '../sim/index.ts';

/** Default per-call latency added by the simulator, in ms. */
export const DEFAULT_LATENCY_MS = 20;

/** Opted-in sites per run in the documented full run; `--sizes` chooses others. */
export const FULL_SIZES = [10, 100, 1000, 5000, 10000] as const;
/** The quick default: a few minutes on a 2-core machine. */
export const QUICK_SIZES = [10, 100, 1000] as const;
/** From this size up the run goes through the scheduled handler, sharded over ticks, as deployed. */
export const SHARDED_FROM = 10000;
/** Target groups that did not opt in, per opted-in site. */
export const NON_OPTED_PER_SITE = 3;
/** Share of sites put out of sync for the drifted run. */
export const DRIFTED_FRACTION = 0.1;

/** The deployed function's schedule and timeout: the construct's defaults. */
export const SCHEDULE_MINUTES = DEFAULT_SCHEDULE.toMinutes();
export const LAMBDA_TIMEOUT_MS = DEFAULT_TIMEOUT.toMilliseconds();

/**
 * The simulator's buckets: AWS's figures per account and Region.
 * - ELBv2 Describe*: bucket 40, refill 10/s (ELB user guide, "Request throttling for the Elastic
 *   Load Balancing API").
 * - ELBv2 RegisterTargets and DeregisterTargets: bucket 20, refill 4/s each, the per-action figures
 *   of that page as the AWS Load Balancer Controller encodes them (`RegisterTargets|DeregisterTargets=4:20`,
 *   its default client throttle, kubernetes-sigs/aws-load-balancer-controller#2809 and #4641).
 * - EC2 non-mutating actions (Describe*): bucket 100, refill 20/s (EC2 API reference, "Request
 *   throttling").
 * - Resource Groups Tagging GetResources: AWS publishes no bucket; 10, refill 5/s is assumed.
 * - CloudWatch PutMetricData: 150 transactions per second (CloudWatch service quotas; higher in
 *   some Regions), modelled as a bucket of 150 refilled at 150/s.
 */
export const SIM_BUCKETS: Readonly<Record<string, SimBucket>> = {
  'elasticloadbalancing:Describe*': { capacity: 40, refillPerSecond: 10 },
  'elasticloadbalancing:RegisterTargets': { capacity: 20, refillPerSecond: 4 },
  'elasticloadbalancing:DeregisterTargets': { capacity: 20, refillPerSecond: 4 },
  'ec2:Describe*': { capacity: 100, refillPerSecond: 20 },
  'tagging:GetResources': { capacity: 10, refillPerSecond: 5 },
  'monitoring:PutMetricData': { capacity: 150, refillPerSecond: 150 },
};

/** Which simulator bucket each client-side family draws from (the tightest one where several apply). */
export const FAMILY_BUCKETS: Readonly<Partial<Record<ApiFamily, readonly string[]>>> = {
  'elbv2-describe': ['elasticloadbalancing:Describe*'],
  'elbv2-write': ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
  'ec2-describe': ['ec2:Describe*'],
  tagging: ['tagging:GetResources'],
  cloudwatch: ['monitoring:PutMetricData'],
};

/** The client-side family of each operation the reconciler calls. */
export const OPERATION_FAMILY: Readonly<Record<string, ApiFamily>> = {
  GetResources: 'tagging',
  DescribeTargetGroups: 'elbv2-describe',
  DescribeTags: 'elbv2-describe',
  DescribeTargetHealth: 'elbv2-describe',
  RegisterTargets: 'elbv2-write',
  DeregisterTargets: 'elbv2-write',
  DescribeVpcEndpoints: 'ec2-describe',
  DescribeNetworkInterfaces: 'ec2-describe',
  PutMetricData: 'cloudwatch',
  SendMessage: 'sqs',
};

export const CLIENT_RATES: Readonly<Record<ApiFamily, RateLimit>> = DEFAULT_RATE_LIMITS;

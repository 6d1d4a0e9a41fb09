import { fail, ok, type Result } from './result.ts';

/**
 * API families that AWS throttles with separate token buckets (per account and Region, shared with
 * every other tool in the account). The reconciler keeps well inside them on its own side.
 */
export const API_FAMILIES = [
  'elbv2-describe',
  'elbv2-write',
  'ec2-describe',
  'tagging',
  'cloudwatch',
  'sqs',
] as const;
export type ApiFamily = (typeof API_FAMILIES)[number];

export interface RateLimit {
  /** Sustained requests per second. */
  readonly ratePerSecond: number;
  /** Requests allowed at once after a quiet period. */
  readonly burst: number;
}

/**
 * Defaults: a fraction of AWS's documented buckets, so most of the account's budget stays with
 * Terraform, CloudFormation, consoles and controllers.
 * - ELBv2 Describe*: AWS's documented example bucket holds 40 tokens and refills 10/s; we take 4/s (40 %).
 * - ELBv2 Register/DeregisterTargets: mutating actions have smaller buckets; 2/s, and a site needs at most two.
 * - EC2 Describe*: non-mutating actions refill 20/s (bucket 100); we take 5/s (25 %).
 * - Resource Groups Tagging GetResources: a low-rate API; 2/s.
 * - CloudWatch PutMetricData and SQS SendMessage: hundreds per second are allowed; 10/s keeps bursts polite.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<ApiFamily, RateLimit>> = {
  'elbv2-describe': { ratePerSecond: 4, burst: 8 },
  'elbv2-write': { ratePerSecond: 2, burst: 4 },
  'ec2-describe': { ratePerSecond: 5, burst: 10 },
  tagging: { ratePerSecond: 2, burst: 4 },
  cloudwatch: { ratePerSecond: 10, burst: 20 },
  sqs: { ratePerSecond: 10, burst: 20 },
};

/**
 * Parses `family=rate[/burst],…` (e.g. `elbv2-describe=8,ec2-describe=10/20`) over the defaults;
 * a missing burst is twice the rate.
 */
export function parseRateLimits(
  value: string | undefined,
  source: string,
): Result<Record<ApiFamily, RateLimit>> {
  const limits: Record<ApiFamily, RateLimit> = { ...DEFAULT_RATE_LIMITS };
  if (value === undefined || value.trim() === '') return ok(limits);
  const expected = `comma-separated family=rate[/burst] entries with family one of ${API_FAMILIES.join(', ')} and positive numbers, e.g. elbv2-describe=8,ec2-describe=10/20`;
  for (const entry of value.split(',')) {
    const match = /^\s*([a-z0-9-]+)\s*=\s*(\d+(?:\.\d+)?)(?:\s*\/\s*(\d+))?\s*$/.exec(entry);
    const family = match?.[1] as ApiFamily | undefined;
    if (!match || !family || !(API_FAMILIES as readonly string[]).includes(family)) {
      return fail(`${source} has ${JSON.stringify(entry.trim())}; expected ${expected}`);
    }
    const ratePerSecond = Number(match[2]);
    const burst = match[3] === undefined ? Math.max(1, Math.ceil(ratePerSecond * 2)) : Number(match[3]);
    if (!(ratePerSecond > 0) || !(burst >= 1))
      return fail(`${source} has ${JSON.stringify(entry.trim())}; expected ${expected}`);
    limits[family] = { ratePerSecond, burst };
  }
  return ok(limits);
}

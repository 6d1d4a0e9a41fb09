/**
 * The rate-limit bound: the least wall time that the client-side rates, the simulator's buckets and
 * the per-call latency allow for a given set of calls.
 *
 * For each API family f with n_f calls, the effective rate r_f is the lower of the client-side rate
 * and the simulator's refill (summed over the buckets the family draws from), and the effective
 * burst b_f the lower of the client-side burst and the bucket capacity. Calls beyond the burst
 * cannot go faster than r_f, so the family needs at least max(0, n_f - b_f) / r_f seconds. Families
 * have separate buckets and could run side by side, so the bound takes the slowest family, plus the
 * latency of the calls that must follow one another whatever the rates: the pages of GetResources
 * (each needs the previous page's token), then one DescribeTargetHealth, one DescribeVpcEndpoints,
 * one DescribeNetworkInterfaces (targets before ENIs), one RegisterTargets before one
 * DeregisterTargets (make before break), and PutMetricData at the end, each where the run made it.
 *
 *   bound = max_f (max(0, n_f - b_f) / r_f) + latency x (serial calls)
 *
 * A sharded run (the scheduled pass over a large fleet) cannot overlap the listing with the rest:
 * its share depends on the fleet's size, known only once every GetResources page is in, so there
 * the tagging family's time is added to the slowest of the others instead of competing with them.
 */
import type { ApiFamily, RateLimit } from '../../functions/src/aws/rate-limits.ts';
import type { RateLimit as SimBucket } from '../sim/index.ts';
import { FAMILY_BUCKETS, OPERATION_FAMILY } from './settings.ts';

export interface FamilyBound {
  readonly calls: number;
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly ms: number;
}

export interface Bound {
  readonly ms: number;
  readonly families: Partial<Record<ApiFamily, FamilyBound>>;
  readonly serialCalls: number;
  readonly serialMs: number;
}

/** Calls that must follow one another, whatever the rates (see the module comment). */
export function serialCalls(calls: Readonly<Record<string, number>>): number {
  const once = (operation: string): number => ((calls[operation] ?? 0) > 0 ? 1 : 0);
  return (
    (calls.GetResources ?? 0) +
    once('DescribeTargetHealth') +
    once('DescribeVpcEndpoints') +
    once('DescribeNetworkInterfaces') +
    once('RegisterTargets') +
    once('DeregisterTargets') +
    once('PutMetricData')
  );
}

export function rateBound(
  calls: Readonly<Record<string, number>>,
  clientRates: Readonly<Record<ApiFamily, RateLimit>>,
  simBuckets: Readonly<Record<string, SimBucket>>,
  latencyMs: number,
  sharded = false,
): Bound {
  const families: Partial<Record<ApiFamily, FamilyBound>> = {};
  for (const [operation, n] of Object.entries(calls)) {
    const family = OPERATION_FAMILY[operation];
    if (!family || n === 0) continue;
    const buckets = (FAMILY_BUCKETS[family] ?? []).flatMap((key) => {
      const bucket = simBuckets[key];
      return bucket ? [bucket] : [];
    });
    const client = clientRates[family];
    const simRate = buckets.length ? buckets.reduce((s, b) => s + b.refillPerSecond, 0) : Infinity;
    const simBurst = buckets.length ? buckets.reduce((s, b) => s + b.capacity, 0) : Infinity;
    const ratePerSecond = Math.min(client.ratePerSecond, simRate);
    const burst = Math.min(client.burst, simBurst);
    const total = (families[family]?.calls ?? 0) + n;
    families[family] = {
      calls: total,
      ratePerSecond,
      burst,
      ms: (Math.max(0, total - burst) / ratePerSecond) * 1000,
    };
  }
  const listing = sharded ? (families.tagging?.ms ?? 0) : 0;
  const others = Object.entries(families).filter(([f]) => !sharded || f !== 'tagging');
  const slowest = Math.max(0, ...others.map(([, f]) => f.ms));
  const serial = serialCalls(calls);
  return {
    ms: listing + slowest + serial * latencyMs,
    families,
    serialCalls: serial,
    serialMs: serial * latencyMs,
  };
}

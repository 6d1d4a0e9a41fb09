/**
 * The benchmark's call-count ratios at 1,000 sites (the performance targets: at most 1.10 calls a site
 * in a steady pass and 1.30 with 10 % drifted, fresh tags included), asserted from the simulator's call
 * log. Call counts do not depend on rates or latency, so this runs without either; wall time is
 * the benchmark's business (test/bench, docs/performance.md) and is never asserted here.
 */
import {
  API_FAMILIES,
  type ApiFamily,
  awsDeps,
  createClients,
  createLogger,
  type RateLimit,
  reconcile,
} from '@vpce-target-sync/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureEventPath } from '../bench/event-path.ts';
import { type Fleet, Seeder } from '../bench/fleet.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';

const SITES = 1_000;
const NON_OPTED = 3_000;

/** Rates no run here comes near: the counts are the same at any rate. */
const UNLIMITED = Object.fromEntries(
  API_FAMILIES.map((f) => [f, { ratePerSecond: 10_000, burst: 10_000 }]),
) as Record<ApiFamily, RateLimit>;

const total = (sim: Simulator): number => sim.calls.length;

async function fullPass(sim: Simulator) {
  sim.resetCalls();
  const deps = awsDeps(createLogger('silent'), createClients(sim.clientConfig(), UNLIMITED));
  const report = await reconcile(deps, { dryRun: false, publishMetrics: true, perSiteMetrics: true });
  return { report, calls: total(sim), throttled: sim.calls.filter((c) => c.throttled).length };
}

describe(`scale: ${SITES} opted-in sites among ${SITES + NON_OPTED} target groups [simulator]`, () => {
  let sim: Simulator;
  let seeder: Seeder;
  let fleet: Fleet;

  beforeAll(async () => {
    sim = await startSimulator();
    seeder = new Seeder(sim);
    fleet = await seeder.build(SITES, NON_OPTED);
  });
  afterAll(() => sim.stop());

  it('converges 10 % drifted sites with at most 1.30 calls per site (1.10 + 2 x 0.10)', async () => {
    const drifted = fleet.sites.filter((_, i) => i % 10 === 0);
    await seeder.drift(drifted);
    const { report, calls, throttled } = await fullPass(sim);
    expect(report.summary.statuses.converged).toBe(drifted.length);
    expect(report.summary.statuses['in-sync']).toBe(SITES - drifted.length);
    expect(report.summary.siteErrors).toBe(0);
    expect(throttled).toBe(0);
    expect(calls / SITES).toBeLessThanOrEqual(1.3);
  });

  it('checks an in-sync fleet with at most 1.10 calls per site (one DescribeTargetHealth each is the floor)', async () => {
    const { report, calls } = await fullPass(sim);
    expect(report.summary.statuses['in-sync']).toBe(SITES);
    expect(sim.callCount('DescribeTargetHealth')).toBe(SITES);
    expect(calls / SITES).toBeLessThanOrEqual(1.1);
  });

  it('handles one endpoint event in at most 8 calls, the same as in a fleet of 10', async () => {
    const large = await measureEventPath(sim, seeder, fleet.sites[SITES - 1] as Fleet['sites'][number]);
    const small = await startSimulator();
    try {
      const smallSeeder = new Seeder(small);
      const smallFleet = await smallSeeder.build(10, 30);
      const tiny = await measureEventPath(small, smallSeeder, smallFleet.sites[9] as Fleet['sites'][number]);
      expect(large.status).toBe('converged');
      expect(tiny.status).toBe('converged');
      expect(large.total).toBeLessThanOrEqual(8);
      expect(large.calls).toEqual(tiny.calls);
    } finally {
      await small.stop();
    }
  });
});

import type { ReconcileDeps } from '@vpce-target-sync/functions';
import { startSimulator } from '../../sim/index.ts';
import { RECONCILER_KEY, RECONCILER_ROLE, reconcilerDeps } from './clients.ts';
import { install, noTampering, planFaults, REQUEST_TIMEOUT_MS } from './fault-plan.ts';
import { buildFleet, PENDING_MS, SETTLE_MS } from './fleet.ts';
import { LogCapture } from './logs.ts';
import { snapshot } from './observe.ts';
import {
  type Context,
  checkConverged,
  checkRun,
  count,
  describeRun,
  type RunOutcome,
  runOnce,
  stats,
} from './scenario.ts';
import { Rng } from './seed.ts';

/** VTS_DEBUG=1 prints every run: its faults, the calls the simulator answered, and each site's outcome. */
const DEBUG = Boolean(process.env.VTS_DEBUG);

/**
 * One scenario: a fresh simulator and fleet, 1-2 runs under 1-3 random faults each (on the
 * scheduled path or the event path), then the faults stop, pending endpoints settle, and two clean
 * runs must bring every site where its policy says. Every run is checked against the invariants.
 */
export async function faultScenario(
  seed: number,
  options: {
    /** Swaps the product's adapters for broken ones, to prove the checks catch what they claim to. */
    readonly mutate?: (deps: ReconcileDeps) => ReconcileDeps;
  } = {},
): Promise<void> {
  const mutate = options.mutate ?? ((deps: ReconcileDeps) => deps);
  const rng = new Rng(seed);
  const sim = await startSimulator({
    endpointPendingMs: PENDING_MS,
    principals: { [RECONCILER_KEY]: RECONCILER_ROLE },
    idSeed: seed,
  });
  try {
    const fleet = await buildFleet(sim, rng);
    const logs = new LogCapture();
    const allowSlow = rng.chance(0.2);
    const faulted = mutate(
      reconcilerDeps(sim, logs.logger(), allowSlow ? { requestTimeoutMs: REQUEST_TIMEOUT_MS } : {}),
    );
    const clean = mutate(reconcilerDeps(sim, logs.logger()));
    const ctx: Context = { fleet, tampering: noTampering(), initial: snapshot(sim) };
    for (let n = 1, runs = rng.int(1, 2); n <= runs; n++) {
      const faults = planFaults(fleet, rng, ctx.tampering, allowSlow);
      install(sim, faults);
      const run = await runOnce(
        fleet,
        faulted,
        logs,
        rng.chance(0.3) ? 'events' : 'schedule',
        `faulted run ${n}`,
      );
      sim.faults.clear();
      if (DEBUG) console.log(describeRun(run, faults));
      count(run, faults);
      checkRun(ctx, run, faults);
    }
    sim.clock.advance(SETTLE_MS);
    let last: RunOutcome | undefined;
    for (let n = 1; n <= 2; n++) {
      last = await runOnce(fleet, clean, logs, 'schedule', `clean run ${n}`);
      if (DEBUG) console.log(describeRun(last, []));
      count(last, []);
      checkRun(ctx, last, []);
    }
    checkConverged(ctx, last as RunOutcome);
  } finally {
    await sim.stop();
  }
}

/** The suite's tally, for the end of a test file. */
export function summary(seedCount: number): string {
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `randomized faults: ${seedCount} seeds, ${stats.runs} runs (${stats.faultedRuns} faulted, ${stats.eventPathRuns} on the event path), ${stats.writes} target writes`,
    `  faults: ${list(stats.faultsByKind)}`,
    `  site errors by code: ${list(stats.siteErrorsByCode)}`,
    `  runs stopped in discovery: ${stats.runsFailedInDiscovery}`,
  ].join('\n');
}

/**
 * `node --import tsx test/bench/seed.ts [SITES]`: seeds SITES sites (default 10,000) and three
 * times as many other target groups into a simulator set up like the benchmark's (its buckets and
 * latency), prints the seconds it took, and stops. Nothing is measured against AWS's rates here:
 * it is the seeding step of `pnpm bench --full` on its own, for timing the simulator.
 */
import { startSimulator } from '../sim/index.ts';
import { Seeder } from './fleet.ts';
import { DEFAULT_LATENCY_MS, NON_OPTED_PER_SITE, SIM_BUCKETS } from './settings.ts';

const sites = Number(process.argv[2] ?? 10_000);
const sim = await startSimulator({ latencyMs: DEFAULT_LATENCY_MS, rateLimits: SIM_BUCKETS });
try {
  const fleet = await new Seeder(sim, (line) => console.log(line)).build(sites, sites * NON_OPTED_PER_SITE);
  console.log(
    `seeded ${fleet.sites.length} sites + ${fleet.nonOpted} other target groups in ${(fleet.seedMs / 1000).toFixed(1)} s`,
  );
} finally {
  await sim.stop();
}

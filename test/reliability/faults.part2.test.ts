import { afterAll, describe, it } from 'vitest';
import { faultScenario, summary } from './support/fault-scenario.ts';
import { seeds, withSeed } from './support/seed.ts';

/**
 * The randomized fault suite, part 2 of 2 (seeds 101-200; the parts run in parallel). Each
 * seed is a fresh simulator and fleet, 1-2 runs under 1-3 random faults, then 2 clean runs; see
 * support/fault-scenario.ts and README.md.
 */
const SEEDS = seeds(100, 101);

afterAll(() => console.log(summary(SEEDS.length)));

describe(`randomized faults, part 2 (${SEEDS.length} seeds; rerun one with VTS_SEED=<seed>)`, () => {
  it.each(SEEDS)('seed %i keeps every invariant and converges within 2 clean runs', (seed) =>
    withSeed('faults', seed, () => faultScenario(seed)),
  );
});

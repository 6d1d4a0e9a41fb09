/**
 * Seeded randomness for the reliability suites: every random choice comes from one seed, printed
 * when a run fails, and `VTS_SEED=<seed>` reruns exactly that seed.
 */

/** The seeds a suite runs: `count` seeds from `base`, or only VTS_SEED when it is set. */
export function seeds(count: number, base: number): number[] {
  const only = process.env.VTS_SEED;
  if (only !== undefined && only !== '') {
    const seed = Number(only);
    if (!Number.isSafeInteger(seed))
      throw new Error(`VTS_SEED is ${JSON.stringify(only)}; expected an integer`);
    return [seed];
  }
  return Array.from({ length: count }, (_, i) => base + i);
}

/** mulberry32: small, fast and good enough to pick faults and fleets. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

/** Runs one seed; a failure names the seed and how to rerun it, whatever threw. */
export async function withSeed<T>(suite: string, seed: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    e.message = `${suite}: seed ${seed} failed (rerun with VTS_SEED=${seed}): ${e.message}`;
    throw e;
  }
}

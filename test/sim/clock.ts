/**
 * The simulator's sense of time: real time plus an offset that tests can push forward.
 * Everything that changes with time (endpoint states, target draining, message delays,
 * token buckets) reads this clock, so a test can skip five minutes without waiting them.
 */
export class SimClock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, simulated. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves simulated time forward; it never goes back, as AWS's doesn't. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`clock.advance needs a non-negative number of ms, got ${ms}`);
    this.offsetMs += ms;
  }
}

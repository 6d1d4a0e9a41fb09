import type { SimClock } from './clock.ts';

/** One token bucket: `capacity` requests in a burst, refilled at `refillPerSecond`. */
export interface RateLimit {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.capacity;
    this.updatedAt = now;
  }

  available(now: number): boolean {
    this.refill(now);
    return this.tokens >= 1;
  }

  take(): void {
    this.tokens -= 1;
  }

  private refill(now: number): void {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.capacity, this.tokens + elapsedSeconds * this.limit.refillPerSecond);
    this.updatedAt = now;
  }
}

/**
 * Per-API throttling the way AWS does it: named token buckets, each shared by every operation
 * its key matches. A key is an operation (`DescribeTargetHealth`), a family with a trailing
 * wildcard (`Describe*`), either optionally qualified by the SigV4 service name
 * (`elasticloadbalancing:Describe*`, `ec2:*`). A call needs a token from every bucket that
 * matches it, so a family limit and a tighter per-operation limit can coexist.
 */
export class RateLimiter {
  private readonly buckets: {
    readonly matches: (service: string, operation: string) => boolean;
    readonly bucket: TokenBucket;
  }[];

  constructor(
    limits: Readonly<Record<string, RateLimit>>,
    private readonly clock: SimClock,
  ) {
    this.buckets = Object.entries(limits).map(([key, limit]) => ({
      matches: keyMatcher(key),
      bucket: new TokenBucket(limit, clock.now()),
    }));
  }

  /** Takes a token from each matching bucket, or none at all if any of them is empty. */
  allow(service: string, operation: string): boolean {
    const now = this.clock.now();
    const matching = this.buckets.filter((b) => b.matches(service, operation)).map((b) => b.bucket);
    if (!matching.every((bucket) => bucket.available(now))) return false;
    for (const bucket of matching) bucket.take();
    return true;
  }
}

function keyMatcher(key: string): (service: string, operation: string) => boolean {
  const separator = key.indexOf(':');
  const scope = separator >= 0 ? key.slice(0, separator) : undefined;
  const pattern = separator >= 0 ? key.slice(separator + 1) : key;
  const matchesOperation = pattern.endsWith('*')
    ? (operation: string) => operation.startsWith(pattern.slice(0, -1))
    : (operation: string) => operation === pattern;
  return (service, operation) => (scope === undefined || scope === service) && matchesOperation(operation);
}

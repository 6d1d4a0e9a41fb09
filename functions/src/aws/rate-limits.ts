import { type ApiFamily, DEFAULT_RATE_LIMITS, type RateLimit } from '@vpce-target-sync/shared';

// The rules of the rate limits live in shared/, where the construct's prop check uses them too.
export {
  API_FAMILIES,
  type ApiFamily,
  DEFAULT_RATE_LIMITS,
  parseRateLimits,
  type RateLimit,
} from '@vpce-target-sync/shared';

/** Which bucket an SDK command draws from. */
export function familyOf(
  service: 'ec2' | 'elbv2' | 'tagging' | 'cloudwatch' | 'sqs',
  commandName: string,
): ApiFamily {
  if (service === 'elbv2') return commandName.startsWith('Describe') ? 'elbv2-describe' : 'elbv2-write';
  if (service === 'ec2') return 'ec2-describe';
  return service;
}

/** A client-side token bucket: `take()` resolves when a request may go. Requests go in arrival order. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.tokens = limit.burst;
    this.last = now();
  }

  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      this.tokens = Math.min(
        this.limit.burst,
        this.tokens + ((now - this.last) / 1000) * this.limit.ratePerSecond,
      );
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.limit.ratePerSecond) * 1000));
    }
  }
}

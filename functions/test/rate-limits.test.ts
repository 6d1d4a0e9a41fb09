import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, familyOf, parseRateLimits, TokenBucket } from '../src/aws/rate-limits.ts';
import { sitesPerRun } from '../src/handlers/scheduled-budget.ts';

describe('client-side rate limits', () => {
  it('lets a burst through, then spaces requests at the rate (simulated clock)', async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket(
      { ratePerSecond: 4, burst: 2 },
      () => now,
      async (ms) => {
        waits.push(ms);
        now += ms;
      },
    );
    const times: number[] = [];
    for (let i = 0; i < 6; i++) {
      await bucket.take();
      times.push(now);
    }
    expect(times).toEqual([0, 0, 250, 500, 750, 1000]);
  });

  it('serves concurrent callers in arrival order without overdrawing', async () => {
    let now = 0;
    const bucket = new TokenBucket(
      { ratePerSecond: 10, burst: 1 },
      () => now,
      async (ms) => {
        now += ms;
      },
    );
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(now).toBe(300);
  });

  it('maps commands to the families AWS throttles separately', () => {
    expect(familyOf('elbv2', 'DescribeTargetHealthCommand')).toBe('elbv2-describe');
    expect(familyOf('elbv2', 'RegisterTargetsCommand')).toBe('elbv2-write');
    expect(familyOf('ec2', 'DescribeVpcEndpointsCommand')).toBe('ec2-describe');
    expect(familyOf('tagging', 'GetResourcesCommand')).toBe('tagging');
  });

  it('parses overrides over the defaults, burst defaulting to twice the rate', () => {
    const parsed = parseRateLimits('elbv2-describe=8, ec2-describe=10/30', 'X');
    expect(parsed.ok && parsed.value['elbv2-describe']).toEqual({ ratePerSecond: 8, burst: 16 });
    expect(parsed.ok && parsed.value['ec2-describe']).toEqual({ ratePerSecond: 10, burst: 30 });
    expect(parsed.ok && parsed.value.tagging).toEqual(DEFAULT_RATE_LIMITS.tagging);
  });

  it.each(['elb=5', 'elbv2-describe=0', 'elbv2-describe=fast', 'elbv2-describe'])(
    'rejects %j naming the entry and the form',
    (v) => {
      const parsed = parseRateLimits(v, 'environment variable VPCE_TARGET_SYNC_RATE_LIMITS');
      expect(!parsed.ok && parsed.error).toMatch(
        /^environment variable VPCE_TARGET_SYNC_RATE_LIMITS has ".*"; expected comma-separated family=rate/,
      );
    },
  );
});

describe('full-pass budget', () => {
  it('fits rate x min(interval, remaining time) x 80 % of sites into one run', () => {
    expect(sitesPerRun(4, 5, 900_000)).toBe(960);
    expect(sitesPerRun(4, 5, 60_000)).toBe(192);
    expect(sitesPerRun(4, 5, 0)).toBe(1);
  });
});

describe('full-pass budget with discovery', () => {
  const tagging = { ratePerSecond: 2, burst: 4 };
  it('pays for listing the fleet first, then 1 + 1/20 + 1/20 Describe calls per site (target groups by ARN, fresh tags)', () => {
    // 96 s: 1 tagging page (within the burst), 4/s / 1.10 per site.
    expect(sitesPerRun(4, 5, 120_000, { sites: 100, tagging })).toBe(349);
    // 10 pages, 6 past the burst at 2/s: 3 s less.
    expect(sitesPerRun(4, 5, 120_000, { sites: 1000, tagging })).toBe(338);
    // 100 pages: 48 s of listing leave 48 s.
    expect(sitesPerRun(4, 5, 120_000, { sites: 10_000, tagging })).toBe(174);
    expect(sitesPerRun(4, 5, 120_000, { sites: 20_000, tagging })).toBe(1);
  });
});

import { DEFAULT_RATE_LIMITS, familyOf, parseRateLimits, TokenBucket } from '@vpce-target-sync/functions';
import { describe, expect, it } from 'vitest';
// The scheduled handler's budget is internal to the handlers (./handlers exports only the handler).
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
  it('fits 90 % of the ELBv2 Describe rate over one schedule interval, at 1 + 1/20 calls a site', () => {
    // 4/s x 300 s x 0.9 = 1,080 calls; 1.05 calls a site (health, fresh-tags share; a warm function
    // describes each target group once).
    expect(sitesPerRun(4, 5)).toBe(1028);
    expect(sitesPerRun(4, 1)).toBe(205);
    expect(sitesPerRun(8, 5)).toBe(2057);
    expect(sitesPerRun(0.001, 1)).toBe(1);
  });
});

import { fnv1a, isWholeFleet, shardFor, shareOf, ticksPerPass } from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

const arns = Array.from(
  { length: 5000 },
  (_, i) =>
    `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site-${i}/${i.toString(16).padStart(16, '0')}`,
);

describe('spreading a full pass over ticks', () => {
  it('takes the whole fleet in one tick when it fits', () => {
    expect(shardFor(900, 1000, 12345)).toEqual({ start: 0, size: 900, sites: 900 });
    expect(shardFor(0, 1000, 7)).toEqual({ start: 0, size: 0, sites: 0 });
    expect(isWholeFleet(shardFor(900, 1000, 3))).toBe(true);
    expect(ticksPerPass(shardFor(900, 1000, 3))).toBe(1);
  });

  it('walks consecutive windows tick by tick, wrapping round the fleet', () => {
    expect(shardFor(10_000, 981, 0)).toEqual({ start: 0, size: 981, sites: 10_000 });
    expect(shardFor(10_000, 981, 1)).toEqual({ start: 981, size: 981, sites: 10_000 });
    expect(shardFor(10_000, 981, 11)).toEqual({ start: 791, size: 981, sites: 10_000 });
  });

  it('takes a fraction of a tick for the last part of a pass, not a whole one', () => {
    expect(ticksPerPass(shardFor(10_000, 981, 0))).toBeCloseTo(10.194, 3);
  });

  it('reaches every site once in ceil(sites / size) ticks, in windows of exactly size sites', () => {
    const size = 1000;
    const seen = new Map<string, number>();
    for (let tick = 0; tick < arns.length / size; tick++) {
      const share = shareOf(arns, shardFor(arns.length, size, tick));
      expect(share.size).toBe(size);
      for (const a of share) seen.set(a, (seen.get(a) ?? 0) + 1);
    }
    expect(seen.size).toBe(arns.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('wraps a window past the end of the fleet round to its start', () => {
    const shard = shardFor(arns.length, 1200, 4); // start 4800: 200 at the end, 1000 from the start
    expect(shard.start).toBe(4800);
    const share = shareOf(arns, shard);
    expect(share.size).toBe(1200);
    const first = shareOf(arns, shardFor(arns.length, 1200, 0));
    expect([...share].filter((a) => first.has(a))).toHaveLength(1000);
  });

  it('gives the same share whatever order the fleet is listed in', () => {
    const shard = shardFor(arns.length, 700, 3);
    expect([...shareOf([...arns].reverse(), shard)].sort()).toEqual([...shareOf(arns, shard)].sort());
  });

  it('hashes deterministically', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});

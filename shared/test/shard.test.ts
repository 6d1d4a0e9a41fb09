import { describe, expect, it } from 'vitest';
import { fnv1a, inShard, shardFor } from '../src/shard.ts';

const arns = Array.from(
  { length: 5000 },
  (_, i) =>
    `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site-${i}/${i.toString(16).padStart(16, '0')}`,
);

describe('sharding a full pass', () => {
  it('takes the whole fleet in one run when it fits', () => {
    expect(shardFor(900, 1000, 12345)).toEqual({ index: 0, count: 1 });
    expect(shardFor(0, 1000, 7)).toEqual({ index: 0, count: 1 });
  });

  it('splits into ceil(sites / sitesPerRun) shares and walks them tick by tick', () => {
    expect(shardFor(10_000, 960, 0)).toEqual({ index: 0, count: 11 });
    expect(shardFor(10_000, 960, 12)).toEqual({ index: 1, count: 11 });
  });

  it('checks every site exactly once per cycle of ticks, in shares of even size', () => {
    const count = shardFor(arns.length, 1000, 0).count;
    const seen = new Map<string, number>();
    const sizes: number[] = [];
    for (let tick = 0; tick < count; tick++) {
      const shard = shardFor(arns.length, 1000, tick);
      const share = arns.filter((a) => inShard(a, shard));
      sizes.push(share.length);
      for (const a of share) seen.set(a, (seen.get(a) ?? 0) + 1);
    }
    expect(seen.size).toBe(arns.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThan(1000 * 1.1);
  });

  it('hashes deterministically', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
  });
});

/**
 * Spreading a full pass over consecutive schedule ticks when it is too large for one run:
 * stateless, so any run can compute its share from the fleet size and the tick number alone.
 */
export interface Shard {
  /** Which share this run takes, from 0. */
  readonly index: number;
  /** Into how many shares the fleet is split; every site is checked once per `count` ticks. */
  readonly count: number;
}

/** FNV-1a, 32 bits: a stable, well-spread hash of a target group ARN. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard a run at `tick` takes when at most `sitesPerRun` sites fit into one run. */
export function shardFor(sites: number, sitesPerRun: number, tick: number): Shard {
  const count = Math.max(1, Math.ceil(sites / Math.max(1, Math.floor(sitesPerRun))));
  return { index: ((tick % count) + count) % count, count };
}

export const inShard = (arn: string, shard: Shard): boolean => fnv1a(arn) % shard.count === shard.index;

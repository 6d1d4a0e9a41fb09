/**
 * Spreading a full pass over consecutive schedule ticks when it is too large for one tick:
 * stateless, so any tick can compute its share from the fleet and the tick number alone.
 *
 * The fleet is put in a stable order (by a hash of each ARN) and tick `t` takes the window of
 * `size` sites that starts at `t * size`, wrapping round. Consecutive ticks take consecutive
 * windows, so every site is reached once every `sites / size` ticks, a fraction: a pass is not
 * rounded up to a whole number of ticks (10,000 sites at 1,028 a tick take 9.7 ticks, not 10).
 */
export interface Shard {
  /** Position of the share's first site in the fleet's hash order. */
  readonly start: number;
  /** Sites in the share: the whole fleet when it fits in one tick. */
  readonly size: number;
  /** Opted-in sites in the fleet. */
  readonly sites: number;
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

/** The share the tick numbered `tick` takes when at most `sitesPerRun` sites fit into one tick. */
export function shardFor(sites: number, sitesPerRun: number, tick: number): Shard {
  const size = Math.max(1, Math.floor(sitesPerRun));
  if (sites <= size) return { start: 0, size: sites, sites };
  const start = (((tick * size) % sites) + sites) % sites;
  return { start, size, sites };
}

/** Ticks a full pass takes: every site is reconciled once in this many ticks. */
export const ticksPerPass = (shard: Shard): number =>
  shard.size >= shard.sites ? 1 : shard.sites / shard.size;

/** True when the share is the whole fleet. */
export const isWholeFleet = (shard: Shard): boolean => shard.size >= shard.sites;

/** The fleet's ARNs in hash order (ties, which are rare, by the ARN itself). */
const byHash = (arns: Iterable<string>): string[] =>
  [...arns]
    .map((arn) => [fnv1a(arn), arn] as const)
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([, arn]) => arn);

/** The ARNs of `fleet` (every opted-in ARN) that fall in `shard`. */
export function shareOf(fleet: Iterable<string>, shard: Shard): Set<string> {
  const ordered = byHash(fleet);
  if (shard.size >= ordered.length) return new Set(ordered);
  const end = shard.start + shard.size;
  const window = ordered.slice(shard.start, end);
  if (end > ordered.length) window.push(...ordered.slice(0, end - ordered.length));
  return new Set(window);
}

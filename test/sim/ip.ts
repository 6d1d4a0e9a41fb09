/**
 * CIDR arithmetic for IPv4 and IPv6. Addresses are bigints so that containment, overlap and
 * allocation are the same few lines for both families.
 */
export type IpVersion = 4 | 6;

export interface IpAddress {
  readonly version: IpVersion;
  readonly value: bigint;
}

export interface Cidr {
  readonly version: IpVersion;
  readonly base: bigint;
  readonly prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

// AWS reserves the first four addresses of every subnet (network, router, DNS, future use)
// and the last one, in IPv4 and IPv6 subnets alike.
const RESERVED_AT_START = 4n;
const RESERVED_AT_END = 1n;

export function parseIp(text: string): IpAddress | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return { version: 4, value };
}

function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const zeros = 8 - head.length - tail.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? zeros : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return { version: 6, value };
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`). */
export function formatIp({ version, value }: IpAddress): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let runStart = -1;
  let runLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength) [runStart, runLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (runLength < 2) return hex.join(':');
  return `${hex.slice(0, runStart).join(':')}::${hex.slice(runStart + runLength).join(':')}`;
}

/** Parses `a.b.c.d/n` or `x::/n`; host bits must be zero, as AWS requires of CIDR blocks. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (address === undefined || prefixText === undefined || extra !== undefined) return undefined;
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const ip = parseIp(address);
  const prefix = Number(prefixText);
  if (!ip || prefix > BITS[ip.version]) return undefined;
  if (ip.value & (size({ ...ip, base: 0n, prefix }) - 1n)) return undefined;
  return { version: ip.version, base: ip.value, prefix };
}

/** Parses a CIDR the code itself spells out; a typo there is a bug, so it throws. */
export function cidrOf(text: string): Cidr {
  const cidr = parseCidr(text);
  if (!cidr) throw new Error(`not a CIDR block: ${text}`);
  return cidr;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ version: cidr.version, value: cidr.base })}/${cidr.prefix}`;
}

/** The number of addresses in the block. */
export function size(cidr: Cidr): bigint {
  return 1n << BigInt(BITS[cidr.version] - cidr.prefix);
}

export function contains(cidr: Cidr, ip: IpAddress): boolean {
  return ip.version === cidr.version && ip.value >= cidr.base && ip.value < cidr.base + size(cidr);
}

/** True when `inner` lies entirely inside `outer`. */
export function within(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, { version: inner.version, value: inner.base });
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return within(a, b) || within(b, a);
}

/** Addresses a subnet can hand out: its size minus AWS's five reserved ones. */
export function usableAddresses(cidr: Cidr): bigint {
  return size(cidr) - RESERVED_AT_START - RESERVED_AT_END;
}

/** The lowest free address after the reserved ones, so allocations are deterministic. */
export function allocateAddress(cidr: Cidr, taken: ReadonlySet<string>): string | undefined {
  const last = cidr.base + size(cidr) - 1n - RESERVED_AT_END;
  for (let value = cidr.base + RESERVED_AT_START; value <= last; value++) {
    const text = formatIp({ version: cidr.version, value });
    if (!taken.has(text)) return text;
  }
  return undefined;
}

/** The `index`-th block of `prefix` bits inside `parent`, e.g. the n-th /56 of a pool. */
export function nthBlock(parent: Cidr, prefix: number, index: bigint): Cidr {
  const blockSize = size({ ...parent, prefix });
  return { version: parent.version, base: parent.base + index * blockSize, prefix };
}

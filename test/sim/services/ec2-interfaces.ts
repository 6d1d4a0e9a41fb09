import { type Cidr, formatIp, parseIp, size } from '../ip.ts';
import type { Ec2State, NetworkInterface } from '../state.ts';

/**
 * Endpoint network interfaces and the indexes kept beside them (`Ec2State.index`): every
 * interface is added and removed here, so the per-endpoint and per-subnet lookups never scan
 * the whole account.
 */

export function addInterface(ec2: Ec2State, eni: NetworkInterface): void {
  ec2.networkInterfaces.set(eni.id, eni);
  indexSet(ec2.index.interfacesByEndpoint, eni.endpointId).add(eni.id);
  const addresses = indexSet(ec2.index.addressesBySubnet, eni.subnetId);
  if (eni.privateIpAddress) addresses.add(eni.privateIpAddress);
  if (eni.ipv6Address) addresses.add(eni.ipv6Address);
}

/** Removes an endpoint's interfaces, in the given subnets or all of them. */
export function removeInterfaces(
  ec2: Ec2State,
  endpointId: string,
  subnetIds: readonly string[] | 'all',
): void {
  const ids = ec2.index.interfacesByEndpoint.get(endpointId);
  for (const eni of interfacesOf(ec2, endpointId)) {
    if (subnetIds !== 'all' && !subnetIds.includes(eni.subnetId)) continue;
    ec2.networkInterfaces.delete(eni.id);
    ids?.delete(eni.id);
    const addresses = ec2.index.addressesBySubnet.get(eni.subnetId);
    for (const address of [eni.privateIpAddress, eni.ipv6Address]) {
      if (!address) continue;
      addresses?.delete(address);
      const ip = parseIp(address);
      const key = `${eni.subnetId}|${ip?.version}`;
      const from = ec2.index.freeFrom.get(key);
      if (ip && from !== undefined && ip.value < from) ec2.index.freeFrom.set(key, ip.value);
    }
  }
}

// AWS reserves the first four addresses and the last one of every subnet.
const RESERVED_AT_START = 4n;

/**
 * The lowest free usable address of a subnet block (`ip.ts` allocateAddress, resumed where the
 * last search ended, since everything below it is known to be taken).
 */
export function lowestFreeAddress(ec2: Ec2State, subnetId: string, block: Cidr): string | undefined {
  const taken = addressesInUse(ec2, subnetId);
  const key = `${subnetId}|${block.version}`;
  const first = block.base + RESERVED_AT_START;
  const last = block.base + size(block) - 2n;
  for (let value = ec2.index.freeFrom.get(key) ?? first; value <= last; value++) {
    const text = formatIp({ version: block.version, value });
    if (taken.has(text)) continue;
    ec2.index.freeFrom.set(key, value);
    return text;
  }
  return undefined;
}

/** An endpoint's interfaces, visible or not yet, in creation order. */
export function interfacesOf(ec2: Ec2State, endpointId: string): NetworkInterface[] {
  const ids = ec2.index.interfacesByEndpoint.get(endpointId) ?? [];
  return [...ids].flatMap((id) => {
    const eni = ec2.networkInterfaces.get(id);
    return eni ? [eni] : [];
  });
}

/** The IPv4 and IPv6 addresses already held by network interfaces in a subnet. */
export function addressesInUse(ec2: Ec2State, subnetId: string): ReadonlySet<string> {
  return ec2.index.addressesBySubnet.get(subnetId) ?? new Set();
}

/**
 * Applies deletions that have run their course; called before any endpoint, interface or subnet
 * is read. A deleted endpoint's interfaces go when it turns `deleted` (they linger while it is
 * `deleting`), and the endpoint itself once it has been `deleted` for `deletedEndpointVisibleMs`.
 */
export function settleDeletions(ec2: Ec2State, now: number): void {
  for (const id of ec2.index.deletions) {
    const endpoint = ec2.endpoints.get(id);
    if (endpoint?.deletedAt === undefined || endpoint.goneAt === undefined) {
      ec2.index.deletions.delete(id);
      continue;
    }
    if (now >= endpoint.deletedAt) removeInterfaces(ec2, id, 'all');
    if (now >= endpoint.goneAt) {
      ec2.endpoints.delete(id);
      ec2.index.interfacesByEndpoint.delete(id);
      ec2.index.deletions.delete(id);
    }
  }
}

function indexSet(index: Map<string, Set<string>>, key: string): Set<string> {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  return set;
}

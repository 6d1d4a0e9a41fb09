import { ENDPOINT_ID_TAG, POLICIES, type Policy } from '@vpce-target-sync/shared';
import type { Simulator } from '../../sim/index.ts';
import { Account, type Vpc } from '../../support/account.ts';
import type { Rng } from './seed.ts';

/** Simulated ms an endpoint is `pending` after a change (and `deleting` after a delete). */
export const PENDING_MS = 60_000;
/**
 * How long a settling pass waits once faults stop: the endpoints' pending time, and the
 * simulator's default deregistration delay (300 s), since AWS registers a draining IP target again
 * only once that delay has ended.
 */
export const SETTLE_MS = Math.max(PENDING_MS, 300_000) + 1_000;
/** Every site listens on this port. */
export const PORT = 443;

/** The states a site can start a scenario in. */
export const SITE_STATES = ['in-sync', 'drifted', 'empty', 'draining', 'pending', 'stale-only'] as const;
export type SiteState = (typeof SITE_STATES)[number];

/** Ways a site can be misconfigured (docs/DESIGN.md, "Site validation"). */
export const MISCONFIGS = [
  'bad-tag',
  'bad-policy',
  'instance-type',
  'other-vpc',
  'unknown-endpoint',
  'gateway-endpoint',
] as const;
export type Misconfig = (typeof MISCONFIGS)[number];

/** Bad endpoint-id tag values a misconfigured site may carry. */
const BAD_TAG_VALUES = ['', ' vpce-0a1b2c3d', 'VPCE-0A1B2C3D', 'vpc-0a1b2c3d', 'vpce-0a1b2c3d/vpce-1a2b3c4d'];

export interface FleetSite {
  readonly name: string;
  readonly arn: string;
  readonly state: SiteState | 'misconfigured';
  /** The policy the site runs under (misconfigured sites: the one tagged, if valid). */
  readonly policy: Policy;
  readonly misconfig?: Misconfig;
  /** The endpoint its tag names (for valid sites). */
  readonly endpointId: string;
}

export interface Fleet {
  readonly sim: Simulator;
  readonly account: Account;
  readonly vpc: Vpc;
  /** Available endpoints with 2 and 3 subnets, and one left pending by a change just before the runs. */
  readonly endpoints: { readonly two: string; readonly three: string; readonly pending: string };
  readonly sites: readonly FleetSite[];
  /** Every IP each endpoint's network interfaces ever had (updated by `noteEnis`). */
  readonly everEniIps: Map<string, Set<string>>;
}

/** The IPs of an endpoint's network interfaces that EC2 shows now. */
export function currentEniIps(sim: Simulator, endpointId: string): string[] {
  const now = sim.clock.now();
  return [...sim.state().ec2.networkInterfaces.values()]
    .filter((eni) => eni.endpointId === endpointId && eni.visibleAt <= now && eni.privateIpAddress)
    .map((eni) => eni.privateIpAddress as string)
    .sort();
}

/** Records the current ENI IPs of every endpoint, so later checks know which IPs were ever current. */
export function noteEnis(fleet: Pick<Fleet, 'sim' | 'everEniIps'>): void {
  for (const endpointId of fleet.sim.state().ec2.endpoints.keys()) {
    const known = fleet.everEniIps.get(endpointId) ?? new Set<string>();
    for (const ip of currentEniIps(fleet.sim, endpointId)) known.add(ip);
    fleet.everEniIps.set(endpointId, known);
  }
}

/** A stale IP in the VPC (so ELB accepts it) that no ENI is ever given: ENIs take the lowest free addresses. */
const staleIp = (rng: Rng): string => `10.1.${rng.int(1, 3)}.${rng.int(200, 250)}`;

/**
 * A small fleet with every policy and every state: in sync, drifted, empty, draining targets,
 * pending endpoint, only stale targets, and one misconfigured site; each behind an ALB listener so
 * its targets report healthy. Policies are spread so that each appears at least once.
 */
export async function buildFleet(sim: Simulator, rng: Rng, size = rng.int(7, 9)): Promise<Fleet> {
  const account = new Account(sim.clientConfig());
  const vpc = await account.vpc(1);
  const two = await account.endpoint(vpc, 2);
  const three = await account.endpoint(vpc, 3);
  const pending = await account.endpoint(vpc, 1);
  sim.clock.advance(PENDING_MS);

  const states: (SiteState | 'misconfigured')[] = [...SITE_STATES, 'misconfigured'];
  while (states.length < size) states.push(rng.pick(SITE_STATES));
  const policyOffset = rng.int(0, 2);
  const order = rng.shuffle(states);
  const sites: FleetSite[] = [];
  let otherVpc: Vpc | undefined;
  for (const [i, state] of order.entries()) {
    const policy = POLICIES[(i + policyOffset) % POLICIES.length] as Policy;
    const name = `s${i}-${state}`;
    const policyTag = policy === 'sync' && rng.chance(0.5) ? undefined : policy;
    if (state === 'misconfigured') {
      const misconfig = rng.pick(MISCONFIGS);
      let endpointId = rng.pick([two, three]);
      let policyValue: string | undefined = policyTag;
      let targetType: 'ip' | 'instance' = 'ip';
      if (misconfig === 'bad-tag') endpointId = rng.pick(BAD_TAG_VALUES);
      if (misconfig === 'bad-policy') policyValue = rng.pick(['mirror', 'SYNC', 'upsert_only', ' observe']);
      if (misconfig === 'instance-type') targetType = 'instance';
      if (misconfig === 'unknown-endpoint') endpointId = 'vpce-0123456789abcdef0';
      if (misconfig === 'other-vpc') {
        otherVpc ??= await account.vpc(2, ['us-east-1a']);
        endpointId = await account.endpoint(otherVpc, 1);
        sim.clock.advance(PENDING_MS);
      }
      if (misconfig === 'gateway-endpoint') endpointId = await account.endpoint(vpc, 0, 'Gateway');
      const arn = await account.site(name, vpc, {
        targetType,
        ...(policyValue !== undefined ? { policy: policyValue } : {}),
      });
      // Tagged apart from creation, so an empty value is still a tag.
      await account.tag(arn, { [ENDPOINT_ID_TAG]: endpointId });
      if (targetType === 'ip') await account.register(arn, [staleIp(rng)]);
      sites.push({ name, arn, state, policy, misconfig, endpointId });
      continue;
    }
    const endpointId = state === 'pending' ? pending : rng.pick([two, three]);
    const arn = await account.site(name, vpc, {
      endpointId,
      ...(policyTag !== undefined ? { policy: policyTag } : {}),
    });
    const ips = await account.endpointIps(endpointId);
    const [first = '', ...others] = rng.shuffle(ips);
    if (state === 'in-sync' || state === 'pending') await account.register(arn, ips);
    if (state === 'drifted') await account.register(arn, [...others, staleIp(rng)]);
    if (state === 'stale-only') await account.register(arn, [staleIp(rng)]);
    if (state === 'draining') {
      await account.register(arn, ips);
      await account.deregister(arn, [first]);
    }
    sites.push({ name, arn, state, policy, endpointId });
  }
  for (const [i, site] of sites.entries()) {
    if (site.misconfig !== 'instance-type') await account.attach(vpc, site.arn, 8000 + i);
  }
  const fleet: Fleet = {
    sim,
    account,
    vpc,
    endpoints: { two, three, pending },
    sites,
    everEniIps: new Map(),
  };
  noteEnis(fleet);
  // A subnet added just before the runs: the endpoint is pending and its new ENI not visible yet.
  await account.addSubnet(pending, vpc.subnets[1]?.subnetId as string);
  return fleet;
}

import { Token } from 'aws-cdk-lib';
import { CfnVPCEndpoint, type IInterfaceVpcEndpoint, type ISubnet, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { CfnLoadBalancer, type IApplicationListener } from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/**
 * Availability Zones as this app knows them: `known` when every zone is a literal name, so a
 * mismatch is certain; with tokens (an environment-agnostic stack) zones can still be compared by
 * identity, but two different tokens may name the same zone.
 */
export interface Zones {
  readonly zones: readonly string[];
  readonly known: boolean;
}

const zonesOf = (zones: readonly string[]): Zones => {
  const unique = [...new Set(zones)];
  return { zones: unique, known: unique.every((z) => !Token.isUnresolved(z)) };
};

/** The VPC's subnets by id (the ids are tokens for subnets in this app, literals when looked up). */
function subnetsById(vpc: IVpc): Map<string, ISubnet> {
  return new Map(
    [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets].map((s) => [s.subnetId, s]),
  );
}

/** The zones of subnet ids of the VPC, or undefined when any id is not one of its subnets. */
function zonesOfSubnetIds(ids: readonly unknown[], vpc: IVpc): Zones | undefined {
  const byId = subnetsById(vpc);
  // CloudFormation properties hold either the id or a reference object carrying it.
  const subnets = ids
    .map((id) => (typeof id === 'string' ? id : (id as { subnetId?: unknown } | undefined)?.subnetId))
    .map((id) => (typeof id === 'string' ? byId.get(id) : undefined));
  if (subnets.length === 0 || subnets.some((s) => s === undefined)) return undefined;
  return zonesOf(subnets.map((s) => (s as ISubnet).availabilityZone));
}

/**
 * The zones the listener's load balancer is enabled in, read from its subnets, when it is defined
 * in this app in this VPC; undefined for an imported or looked-up listener or load balancer.
 */
export function loadBalancerZones(listener: IApplicationListener, vpc: IVpc): Zones | undefined {
  const loadBalancer = (listener as { loadBalancer?: { node?: { defaultChild?: unknown } } }).loadBalancer;
  const resource = loadBalancer?.node?.defaultChild;
  if (!CfnLoadBalancer.isCfnLoadBalancer(resource)) return undefined;
  const mappings = resource.subnetMappings;
  const ids = Array.isArray(mappings)
    ? mappings.map((m) => (m as { subnetId?: unknown }).subnetId)
    : Array.isArray(resource.subnets)
      ? resource.subnets
      : [];
  return zonesOfSubnetIds(ids, vpc);
}

/** The zones of an interface endpoint defined in this app in this VPC; undefined for an imported one. */
export function endpointZones(endpoint: IInterfaceVpcEndpoint, vpc: IVpc): Zones | undefined {
  const resource = endpoint.node.defaultChild;
  if (!CfnVPCEndpoint.isCfnVPCEndpoint(resource) || !Array.isArray(resource.subnetIds)) return undefined;
  return zonesOfSubnetIds(resource.subnetIds, vpc);
}

/** The zones of `zones` outside `enabled`, when both are known (otherwise nothing is certain). */
export function zonesOutside(zones: Zones, enabled: Zones): string[] {
  if (!zones.known || !enabled.known) return [];
  return zones.zones.filter((z) => !enabled.zones.includes(z));
}

export const zonesOfSubnets = (subnets: readonly ISubnet[]): Zones =>
  zonesOf(subnets.map((s) => s.availabilityZone));

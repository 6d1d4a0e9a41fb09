import { AwsError } from '../aws-error.ts';
import { parseCidr } from '../ip.ts';
import type { Timing } from '../options.ts';
import type { Params } from '../protocols/protocol.ts';
import type {
  Ec2State,
  EndpointIpAddressType,
  HeldEndpointState,
  NetworkInterface,
  Subnet,
  VpcEndpoint,
  VpcEndpointType,
} from '../state.ts';
import { describe, ec2Params, tagSet, tagsFromSpecifications } from './ec2-common.ts';
import {
  addInterface,
  interfacesOf,
  lowestFreeAddress,
  removeInterfaces,
  settleDeletions,
} from './ec2-interfaces.ts';
import { requireSecurityGroup, requireSubnet, requireVpc } from './ec2-network.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

const DEFAULT_POLICY =
  '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';
/** DeleteVpcEndpoints accepts at most this many ids per call. */
const MAX_DELETE_IDS = 25;
const DESCRIBE_ENDPOINTS_PAGE = { min: 1, max: 1000, capAtMax: true };
const DESCRIBE_INTERFACES_PAGE = { min: 5, max: 1000 };
const IP_ADDRESS_TYPES: readonly EndpointIpAddressType[] = ['ipv4', 'dualstack', 'ipv6'];

/** Every `State` DescribeVpcEndpoints reports, spelled as on the wire (lowercase/camel). */
export type EndpointState = 'pending' | 'available' | 'deleting' | 'deleted' | HeldEndpointState;
/** What `Simulator.setEndpointState` may set: the states the service provider or AWS drive. */
export type SettableEndpointState = HeldEndpointState | 'available';
/** States an endpoint never leaves (except by being deleted). */
const FINAL_STATES: ReadonlySet<EndpointState> = new Set(['rejected', 'failed', 'expired']);
// An interface of an endpoint pending acceptance is not visible until the provider accepts it.
const NOT_YET = Number.POSITIVE_INFINITY;

/**
 * Endpoint state, derived lazily from the clock: after DeleteVpcEndpoints `deleting` until
 * `deletedAt`, then `deleted` (until `goneAt`, when it is dropped); else a state the provider
 * or AWS holds it in; else `pending` until `availableAt` (create, modify or acceptance plus
 * `endpointPendingMs`), then `available`.
 */
function endpointState(endpoint: VpcEndpoint, now: number): EndpointState {
  if (endpoint.deletedAt !== undefined) return now < endpoint.deletedAt ? 'deleting' : 'deleted';
  if (endpoint.heldState) return endpoint.heldState;
  return now < endpoint.availableAt ? 'pending' : 'available';
}

function visibleInterfaces(ec2: Ec2State, now: number): NetworkInterface[] {
  return [...ec2.networkInterfaces.values()].filter((eni) => eni.visibleAt <= now);
}

/**
 * The test-only control behind `Simulator.setEndpointState`: puts an endpoint in a state that the
 * service provider (accept, reject) or AWS (fail, expire, partial) drives. Accepting an endpoint
 * pending acceptance (`available`) makes it `pending` for `endpointPendingMs` first, as after a
 * create; its interfaces appear when it is available. Rejected, failed and expired endpoints lose
 * their interfaces and never change state again, except through DeleteVpcEndpoints.
 */
export function setEndpointState(
  ec2: Ec2State,
  endpointId: string,
  state: SettableEndpointState,
  now: number,
  timing: Timing,
): void {
  settleDeletions(ec2, now);
  const endpoint = ec2.endpoints.get(endpointId);
  if (!endpoint) throw new Error(`setEndpointState: no endpoint ${endpointId}`);
  const current = endpointState(endpoint, now);
  if (current === 'deleting' || current === 'deleted' || FINAL_STATES.has(current)) {
    throw new Error(`setEndpointState: endpoint ${endpointId} is ${current}, a state it cannot leave`);
  }
  if (state === 'available') {
    if (current === 'pendingAcceptance') endpoint.availableAt = now + pendingMsOf(endpoint, timing);
    endpoint.heldState = undefined;
    for (const eni of interfacesOf(ec2, endpointId)) {
      if (eni.visibleAt === NOT_YET) eni.visibleAt = endpoint.availableAt;
    }
    return;
  }
  endpoint.heldState = state;
  if (state === 'pendingAcceptance') {
    for (const eni of interfacesOf(ec2, endpointId)) eni.visibleAt = NOT_YET;
  } else if (FINAL_STATES.has(state)) {
    removeInterfaces(ec2, endpointId, 'all');
  }
}

function pendingMsOf(endpoint: VpcEndpoint, timing: Timing): number {
  return endpoint.type === 'Interface' ? timing.endpointPendingMs : 0;
}

function createVpcEndpoint(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const now = ctx.clock.now();
  settleDeletions(ec2, now);
  const vpc = requireVpc(ec2, p.str('VpcId'));
  const serviceName = p.str('ServiceName');
  requireKnownService(serviceName, ctx.region);
  const type = endpointType(p.optStr('VpcEndpointType') ?? 'Gateway');
  const ipAddressType = ipAddressTypeOf(p.optStr('IpAddressType') ?? 'ipv4');
  const subnetIds = p.strList('SubnetId');
  const groupIds = p.strList('SecurityGroupId');
  if (type === 'Gateway' && (subnetIds.length > 0 || groupIds.length > 0)) {
    throw new AwsError(
      'InvalidParameter',
      'Subnets and security groups can be specified only for Interface endpoints',
    );
  }
  if (type === 'Interface') validateSubnets(ec2, vpc.id, subnetIds, subnetIds, ipAddressType);
  for (const id of groupIds) requireSecurityGroup(ec2, id, vpc.id);
  const id = ctx.ids.resourceId('vpce');
  const endpoint: VpcEndpoint = {
    id,
    seq: ctx.state.nextSeq(),
    type,
    vpcId: vpc.id,
    serviceName,
    ipAddressType,
    createdAt: now,
    routeTableIds: type === 'Gateway' ? p.strList('RouteTableId') : [],
    tags: tagsFromSpecifications(p, 'vpc-endpoint'),
    subnetIds,
    securityGroupIds: type === 'Interface' && groupIds.length === 0 ? [vpc.defaultSecurityGroupId] : groupIds,
    policyDocument: p.optStr('PolicyDocument') ?? DEFAULT_POLICY,
    privateDnsEnabled: type === 'Interface' && (p.optBool('PrivateDnsEnabled') ?? true),
    availableAt: now + (type === 'Interface' ? ctx.timing.endpointPendingMs : 0),
    heldState: undefined,
    deletedAt: undefined,
    goneAt: undefined,
  };
  ec2.endpoints.set(id, endpoint);
  for (const subnetId of subnetIds) createInterface(ctx, endpoint, requireSubnet(ec2, subnetId));
  return { vpcEndpoint: describeEndpoint(endpoint, ctx, now) };
}

function requireKnownService(serviceName: string, region: string): void {
  const awsService = new RegExp(`^com\\.amazonaws\\.${region}\\.[a-z0-9][a-z0-9.-]*$`);
  const privateLink = new RegExp(`^com\\.amazonaws\\.vpce\\.${region}\\.vpce-svc-[0-9a-f]+$`);
  if (!awsService.test(serviceName) && !privateLink.test(serviceName)) {
    throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`);
  }
}

function endpointType(value: string): VpcEndpointType {
  if (value === 'Interface' || value === 'Gateway') return value;
  throw new AwsError('InvalidVpcEndpointType', `The VPC endpoint type '${value}' is not supported`);
}

function ipAddressTypeOf(value: string): EndpointIpAddressType {
  const type = IP_ADDRESS_TYPES.find((t) => t === value);
  if (!type)
    throw new AwsError(
      'InvalidParameter',
      `IpAddressType '${value}' is not one of ${IP_ADDRESS_TYPES.join(', ')}`,
    );
  return type;
}

/**
 * The rules for an interface endpoint's subnets: they exist, belong to its VPC, lie in
 * distinct AZs, have the address families its IpAddressType needs, and the new ones
 * (`added`) still have a free address for the endpoint's network interface.
 */
function validateSubnets(
  ec2: Ec2State,
  vpcId: string,
  subnetIds: readonly string[],
  added: readonly string[],
  ipAddressType: EndpointIpAddressType,
): void {
  const zones = new Map<string, string>();
  for (const id of subnetIds) {
    const subnet = requireSubnet(ec2, id);
    if (subnet.vpcId !== vpcId) {
      throw new AwsError('InvalidParameter', `The subnet '${id}' does not belong to VPC '${vpcId}'`);
    }
    const sibling = zones.get(subnet.availabilityZone);
    if (sibling) {
      throw new AwsError(
        'DuplicateSubnetsInSameZone',
        `Found another VPC endpoint subnet (${sibling}) in the availability zone of ${id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
      );
    }
    zones.set(subnet.availabilityZone, id);
    if (ipAddressType !== 'ipv6' && !subnet.cidrBlock) {
      throw new AwsError(
        'InvalidParameter',
        `Subnet ${id} has no IPv4 CIDR block, needed for IpAddressType ${ipAddressType}`,
      );
    }
    if (ipAddressType !== 'ipv4' && !subnet.ipv6CidrBlock) {
      throw new AwsError(
        'InvalidParameter',
        `Subnet ${id} has no IPv6 CIDR block, needed for IpAddressType ${ipAddressType}`,
      );
    }
    if (added.includes(id) && !addressesFor(ec2, subnet, ipAddressType)) {
      throw new AwsError('InsufficientFreeAddressesInSubnet', `Subnet ${id} has no free IP addresses`);
    }
  }
}

function addressesFor(
  ec2: Ec2State,
  subnet: Subnet,
  ipAddressType: EndpointIpAddressType,
): { ipv4: string | undefined; ipv6: string | undefined } | undefined {
  const v4Block = subnet.cidrBlock ? parseCidr(subnet.cidrBlock) : undefined;
  const v6Block = subnet.ipv6CidrBlock ? parseCidr(subnet.ipv6CidrBlock) : undefined;
  const ipv4 = ipAddressType !== 'ipv6' && v4Block ? lowestFreeAddress(ec2, subnet.id, v4Block) : undefined;
  const ipv6 = ipAddressType !== 'ipv4' && v6Block ? lowestFreeAddress(ec2, subnet.id, v6Block) : undefined;
  if ((ipAddressType !== 'ipv6' && !ipv4) || (ipAddressType !== 'ipv4' && !ipv6)) return undefined;
  return { ipv4, ipv6 };
}

/** One ENI per subnet, appearing when the endpoint next becomes available. */
function createInterface(ctx: ServiceContext, endpoint: VpcEndpoint, subnet: Subnet): void {
  const { ec2 } = ctx.state;
  const addresses = addressesFor(ec2, subnet, endpoint.ipAddressType);
  if (!addresses)
    throw new AwsError('InsufficientFreeAddressesInSubnet', `Subnet ${subnet.id} has no free IP addresses`);
  const id = ctx.ids.resourceId('eni');
  const eni: NetworkInterface = {
    id,
    seq: ctx.state.nextSeq(),
    endpointId: endpoint.id,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    macAddress: macAddressOf(id),
    privateIpAddress: addresses.ipv4,
    ipv6Address: addresses.ipv6,
    securityGroupIds: endpoint.securityGroupIds,
    visibleAt: endpoint.heldState === 'pendingAcceptance' ? NOT_YET : endpoint.availableAt,
  };
  addInterface(ec2, eni);
}

// A locally administered unicast MAC (02:…) derived from the ENI id, stable across runs.
function macAddressOf(eniId: string): string {
  const hex = eniId.slice(-10);
  return `02:${hex.match(/../g)?.join(':')}`;
}

/** An endpoint ModifyVpcEndpoint may change: it exists, is not being deleted and is not final. */
function requireModifiableEndpoint(ec2: Ec2State, id: string, now: number): VpcEndpoint {
  const endpoint = ec2.endpoints.get(id);
  if (!endpoint || endpoint.deletedAt !== undefined) {
    throw new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`);
  }
  const state = endpointState(endpoint, now);
  if (FINAL_STATES.has(state)) {
    throw new AwsError(
      'IncorrectState',
      `The Vpc Endpoint '${id}' is in state '${state}' and cannot be modified`,
    );
  }
  return endpoint;
}

function modifyVpcEndpoint(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const now = ctx.clock.now();
  settleDeletions(ec2, now);
  const endpoint = requireModifiableEndpoint(ec2, p.str('VpcEndpointId'), now);
  const add = p.strList('AddSubnetId').filter((id) => !endpoint.subnetIds.includes(id));
  const remove = p.strList('RemoveSubnetId');
  if (endpoint.type === 'Gateway' && (add.length > 0 || remove.length > 0)) {
    throw new AwsError('InvalidParameter', 'Subnets can be modified only for Interface endpoints');
  }
  for (const id of remove) requireSubnet(ec2, id);
  const subnetIds = [...endpoint.subnetIds.filter((id) => !remove.includes(id)), ...add];
  validateSubnets(ec2, endpoint.vpcId, subnetIds, add, endpoint.ipAddressType);
  const groupIds = modifiedGroups(p, ec2, endpoint);
  const policy = p.optBool('ResetPolicy') ? DEFAULT_POLICY : p.optStr('PolicyDocument');

  // Removed subnets lose their ENIs at once; added ones get theirs when the endpoint is available again.
  removeInterfaces(ec2, endpoint.id, remove);
  if (policy !== undefined) endpoint.policyDocument = policy;
  endpoint.privateDnsEnabled = p.optBool('PrivateDnsEnabled') ?? endpoint.privateDnsEnabled;
  endpoint.subnetIds = subnetIds;
  endpoint.securityGroupIds = groupIds;
  if (endpoint.type === 'Interface') {
    endpoint.availableAt = now + ctx.timing.endpointPendingMs;
    for (const eni of interfacesOf(ec2, endpoint.id)) {
      eni.securityGroupIds = groupIds;
      if (eni.visibleAt > now && eni.visibleAt !== NOT_YET) eni.visibleAt = endpoint.availableAt;
    }
    for (const id of add) createInterface(ctx, endpoint, requireSubnet(ec2, id));
  }
  return { return: true };
}

function modifiedGroups(p: ParamReader, ec2: Ec2State, endpoint: VpcEndpoint): string[] {
  const add = p.strList('AddSecurityGroupId');
  const remove = p.strList('RemoveSecurityGroupId');
  for (const id of [...add, ...remove]) requireSecurityGroup(ec2, id, endpoint.vpcId);
  const kept = endpoint.securityGroupIds.filter((id) => !remove.includes(id));
  return [...kept, ...add.filter((id) => !kept.includes(id))];
}

function deleteVpcEndpoints(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const now = ctx.clock.now();
  settleDeletions(ec2, now);
  const ids = p.strList('VpcEndpointId');
  if (ids.length === 0)
    throw new AwsError('MissingParameter', 'The request must contain the parameter VpcEndpointId');
  if (ids.length > MAX_DELETE_IDS) {
    throw new AwsError(
      'InvalidParameter',
      `Maximum number of VPC endpoints to delete was exceeded. You can provide up to ${MAX_DELETE_IDS} VPC endpoints.`,
    );
  }
  // Like AWS, unknown ids don't fail the call: they come back in the `unsuccessful` set.
  const unsuccessful = [];
  for (const id of ids) {
    const endpoint = ec2.endpoints.get(id);
    if (!endpoint) {
      unsuccessful.push({
        resourceId: id,
        error: { code: 'InvalidVpcEndpoint.NotFound', message: `The VPC endpoint '${id}' does not exist` },
      });
      continue;
    }
    // Any state may be deleted, final ones included (only the consumer can delete an endpoint).
    if (endpoint.deletedAt !== undefined) continue;
    endpoint.deletedAt = now + ctx.timing.endpointPendingMs;
    endpoint.goneAt = endpoint.deletedAt + ctx.timing.deletedEndpointVisibleMs;
    ec2.index.deletions.add(endpoint.id);
  }
  settleDeletions(ec2, now);
  return { unsuccessful };
}

function describeVpcEndpoints(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const now = ctx.clock.now();
  settleDeletions(ec2, now);
  const page = describe(p, [...ec2.endpoints.values()], {
    idParam: 'VpcEndpointId',
    notFound: (ids) =>
      new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${ids.join(', ')}' does not exist`),
    filters: {
      'vpc-endpoint-id': (endpoint) => endpoint.id,
      'vpc-id': (endpoint) => endpoint.vpcId,
      'vpc-endpoint-state': (endpoint) => endpointState(endpoint, now),
      'vpc-endpoint-type': (endpoint) => endpoint.type,
      'service-name': (endpoint) => endpoint.serviceName,
      'ip-address-type': (endpoint) => endpoint.ipAddressType,
    },
    tags: (endpoint) => endpoint.tags,
    maxResults: DESCRIBE_ENDPOINTS_PAGE,
    pagingWithIds: true,
  });
  return {
    vpcEndpointSet: page.items.map((endpoint) => describeEndpoint(endpoint, ctx, now)),
    nextToken: page.nextToken,
  };
}

function describeEndpoint(endpoint: VpcEndpoint, ctx: ServiceContext, now: number): object {
  const { ec2 } = ctx.state;
  const interfaces = interfacesOf(ec2, endpoint.id).filter((eni) => eni.visibleAt <= now);
  return {
    vpcEndpointId: endpoint.id,
    vpcEndpointType: endpoint.type,
    vpcId: endpoint.vpcId,
    serviceName: endpoint.serviceName,
    state: endpointState(endpoint, now),
    policyDocument: endpoint.policyDocument,
    routeTableIdSet: endpoint.routeTableIds,
    subnetIdSet: endpoint.subnetIds,
    groupSet: endpoint.securityGroupIds.map((id) => ({
      groupId: id,
      groupName: ec2.securityGroups.get(id)?.name,
    })),
    ipAddressType: endpoint.type === 'Interface' ? endpoint.ipAddressType : undefined,
    dnsOptions: endpoint.type === 'Interface' ? { dnsRecordIpType: endpoint.ipAddressType } : undefined,
    privateDnsEnabled: endpoint.privateDnsEnabled,
    requesterManaged: false,
    networkInterfaceIdSet: interfaces.map((eni) => eni.id),
    dnsEntrySet: [],
    creationTimestamp: new Date(endpoint.createdAt),
    tagSet: tagSet(endpoint.tags),
    ownerId: ctx.accountId,
  };
}

function describeNetworkInterfaces(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const now = ctx.clock.now();
  settleDeletions(ec2, now);
  const page = describe(p, visibleInterfaces(ec2, now), {
    idParam: 'NetworkInterfaceId',
    notFound: (ids) =>
      new AwsError(
        'InvalidNetworkInterfaceID.NotFound',
        `The networkInterface ID '${ids.join(', ')}' does not exist`,
      ),
    filters: {
      'network-interface-id': (eni) => eni.id,
      'vpc-id': (eni) => eni.vpcId,
      'subnet-id': (eni) => eni.subnetId,
      'availability-zone': (eni) => eni.availabilityZone,
      'interface-type': () => 'vpc_endpoint',
      description: (eni) => interfaceDescription(eni),
      'requester-managed': () => 'true',
      status: () => 'in-use',
      'private-ip-address': (eni) => eni.privateIpAddress,
      'addresses.private-ip-address': (eni) => eni.privateIpAddress,
      'ipv6-addresses.ipv6-address': (eni) => eni.ipv6Address,
      'group-id': (eni) => eni.securityGroupIds,
      'owner-id': () => ctx.accountId,
    },
    tags: () => new Map(),
    maxResults: DESCRIBE_INTERFACES_PAGE,
    pagingWithIds: false,
  });
  return {
    networkInterfaceSet: page.items.map((eni) => describeInterface(eni, ctx)),
    nextToken: page.nextToken,
  };
}

function interfaceDescription(eni: NetworkInterface): string {
  return `VPC Endpoint Interface ${eni.endpointId}`;
}

function describeInterface(eni: NetworkInterface, ctx: ServiceContext): object {
  const privateDnsName = eni.privateIpAddress
    ? privateDnsNameOf(eni.privateIpAddress, ctx.region)
    : undefined;
  return {
    networkInterfaceId: eni.id,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: interfaceDescription(eni),
    ownerId: ctx.accountId,
    requesterManaged: true,
    status: 'in-use',
    macAddress: eni.macAddress,
    privateIpAddress: eni.privateIpAddress,
    privateDnsName,
    sourceDestCheck: true,
    interfaceType: 'vpc_endpoint',
    groupSet: eni.securityGroupIds.map((id) => ({
      groupId: id,
      groupName: ctx.state.ec2.securityGroups.get(id)?.name,
    })),
    tagSet: [],
    privateIpAddressesSet: eni.privateIpAddress
      ? [{ privateIpAddress: eni.privateIpAddress, privateDnsName, primary: true }]
      : [],
    ipv6AddressesSet: eni.ipv6Address ? [{ ipv6Address: eni.ipv6Address, isPrimaryIpv6: false }] : [],
    ipv6Native: eni.privateIpAddress === undefined,
  };
}

function privateDnsNameOf(ip: string, region: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** Interface and Gateway VPC endpoints, and the network interfaces of interface endpoints. */
export const endpointOperations: Operations = {
  CreateVpcEndpoint: createVpcEndpoint,
  ModifyVpcEndpoint: modifyVpcEndpoint,
  DeleteVpcEndpoints: deleteVpcEndpoints,
  DescribeVpcEndpoints: describeVpcEndpoints,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
};

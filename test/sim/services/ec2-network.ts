import { AwsError } from '../aws-error.ts';
import {
  cidrOf,
  formatCidr,
  nthBlock,
  overlaps,
  parseCidr,
  parseIp,
  usableAddresses,
  within,
} from '../ip.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Ec2State, SecurityGroup, Subnet, Vpc } from '../state.ts';
import { describe, ec2Params, invalidValue, tagSet, tagsFromSpecifications } from './ec2-common.ts';
import type { Operations, ServiceContext } from './service.ts';

// Amazon-provided IPv6 blocks come out of Amazon's pool; VPCs get a /56, subnets a /64 of it.
const AMAZON_IPV6_POOL = cidrOf('2600:1f18::/32');
const FIRST_POOL_BLOCK = 0x4b70n;
const VPC_PREFIX = { min: 16, max: 28 };
const SUBNET_IPV6_PREFIX = 64;
const DESCRIBE_PAGE = { min: 5, max: 1000 };

export function requireVpc(ec2: Ec2State, id: string): Vpc {
  const vpc = ec2.vpcs.get(id);
  if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
  return vpc;
}

export function requireSubnet(ec2: Ec2State, id: string): Subnet {
  const subnet = ec2.subnets.get(id);
  if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  return subnet;
}

export function requireSecurityGroup(ec2: Ec2State, id: string, vpcId: string): SecurityGroup {
  const group = ec2.securityGroups.get(id);
  if (!group)
    throw new AwsError('InvalidSecurityGroupID.NotFound', `The security group '${id}' does not exist`);
  if (group.vpcId !== vpcId) {
    throw new AwsError('InvalidParameter', `The security group '${id}' does not belong to VPC '${vpcId}'`);
  }
  return group;
}

/** The IPv4 and IPv6 addresses already held by network interfaces in a subnet. */
export function addressesInUse(ec2: Ec2State, subnetId: string): Set<string> {
  const taken = new Set<string>();
  for (const eni of ec2.networkInterfaces.values()) {
    if (eni.subnetId !== subnetId) continue;
    if (eni.privateIpAddress) taken.add(eni.privateIpAddress);
    if (eni.ipv6Address) taken.add(eni.ipv6Address);
  }
  return taken;
}

function createVpc(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const cidrText = p.str('CidrBlock');
  const cidr = parseCidr(cidrText);
  if (cidr?.version !== 4) throw invalidValue('cidrBlock', cidrText, ' This is not a valid CIDR block.');
  if (cidr.prefix < VPC_PREFIX.min || cidr.prefix > VPC_PREFIX.max) {
    throw new AwsError('InvalidVpc.Range', `The CIDR '${cidrText}' is invalid.`);
  }
  const ipv6Count = [...ec2.vpcs.values()].filter((vpc) => vpc.ipv6CidrBlock).length;
  const ipv6 = p.optBool('AmazonProvidedIpv6CidrBlock')
    ? formatCidr(nthBlock(AMAZON_IPV6_POOL, 56, FIRST_POOL_BLOCK + BigInt(ipv6Count)))
    : undefined;
  const id = ctx.ids.resourceId('vpc');
  // Every VPC comes with a default security group, which endpoints use when given none.
  const defaultGroup: SecurityGroup = {
    id: ctx.ids.resourceId('sg'),
    seq: ctx.state.nextSeq(),
    vpcId: id,
    name: 'default',
    description: 'default VPC security group',
  };
  ec2.securityGroups.set(defaultGroup.id, defaultGroup);
  const vpc: Vpc = {
    id,
    seq: ctx.state.nextSeq(),
    cidrBlock: formatCidr(cidr),
    cidrAssociationId: ctx.ids.resourceId('vpc-cidr-assoc'),
    secondaryCidrBlocks: [],
    secondaryCidrAssociationIds: [],
    ipv6CidrBlock: ipv6,
    ipv6AssociationId: ipv6 ? ctx.ids.resourceId('vpc-cidr-assoc') : undefined,
    defaultSecurityGroupId: defaultGroup.id,
    tags: tagsFromSpecifications(p, 'vpc'),
  };
  ec2.vpcs.set(id, vpc);
  return { vpc: describeVpc(vpc, ctx) };
}

function describeVpc(vpc: Vpc, ctx: ServiceContext): object {
  return {
    vpcId: vpc.id,
    ownerId: ctx.accountId,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    instanceTenancy: 'default',
    isDefault: false,
    cidrBlockAssociationSet: [
      {
        associationId: vpc.cidrAssociationId,
        cidrBlock: vpc.cidrBlock,
        cidrBlockState: { state: 'associated' },
      },
    ],
    ipv6CidrBlockAssociationSet: vpc.ipv6CidrBlock
      ? [
          {
            associationId: vpc.ipv6AssociationId,
            ipv6CidrBlock: vpc.ipv6CidrBlock,
            ipv6CidrBlockState: { state: 'associated' },
            networkBorderGroup: ctx.region,
            ipv6Pool: 'Amazon',
          },
        ]
      : [],
    tagSet: tagSet(vpc.tags),
  };
}

function describeVpcs(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const page = describe(p, [...ctx.state.ec2.vpcs.values()], {
    idParam: 'VpcId',
    notFound: (ids) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${ids.join(', ')}' does not exist`),
    filters: {
      'vpc-id': (vpc) => vpc.id,
      cidr: (vpc) => vpc.cidrBlock,
      'cidr-block-association.cidr-block': (vpc) => vpc.cidrBlock,
      'ipv6-cidr-block-association.ipv6-cidr-block': (vpc) => vpc.ipv6CidrBlock,
      state: () => 'available',
      'is-default': () => 'false',
      'owner-id': () => ctx.accountId,
    },
    tags: (vpc) => vpc.tags,
    maxResults: DESCRIBE_PAGE,
    pagingWithIds: true,
  });
  return { vpcSet: page.items.map((vpc) => describeVpc(vpc, ctx)), nextToken: page.nextToken };
}

function createSubnet(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const vpc = requireVpc(ec2, p.str('VpcId'));
  const ipv6Native = p.optBool('Ipv6Native') ?? false;
  const cidrBlock = ipv6Native ? undefined : subnetIpv4Block(p.str('CidrBlock'), vpc, ec2);
  const ipv6Text = p.optStr('Ipv6CidrBlock');
  if (ipv6Native && !ipv6Text)
    throw new AwsError('MissingParameter', 'An IPv6-only subnet needs Ipv6CidrBlock');
  const ipv6CidrBlock = ipv6Text === undefined ? undefined : subnetIpv6Block(ipv6Text, vpc, ec2);
  const availabilityZone = p.optStr('AvailabilityZone') ?? `${ctx.region}a`;
  if (!new RegExp(`^${ctx.region}[a-f]$`).test(availabilityZone)) {
    throw invalidValue(
      'availabilityZone',
      availabilityZone,
      ` Subnets can currently only be created in the following availability zones: ${ctx.region}a, ${ctx.region}b, ${ctx.region}c.`,
    );
  }
  const id = ctx.ids.resourceId('subnet');
  const subnet: Subnet = {
    id,
    seq: ctx.state.nextSeq(),
    vpcId: vpc.id,
    availabilityZone,
    cidrBlock,
    ipv6CidrBlock,
    ipv6AssociationId: ipv6CidrBlock ? ctx.ids.resourceId('subnet-cidr-assoc') : undefined,
    tags: tagsFromSpecifications(p, 'subnet'),
  };
  ec2.subnets.set(id, subnet);
  return { subnet: describeSubnet(subnet, ctx) };
}

function subnetIpv4Block(text: string, vpc: Vpc, ec2: Ec2State): string {
  const cidr = parseCidr(text);
  if (cidr?.version !== 4) throw invalidValue('cidrBlock', text, ' This is not a valid CIDR block.');
  const vpcCidr = parseCidr(vpc.cidrBlock);
  if (!vpcCidr || !within(cidr, vpcCidr) || cidr.prefix > VPC_PREFIX.max) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${text}' is invalid.`);
  }
  for (const other of ec2.subnets.values()) {
    const otherCidr = other.vpcId === vpc.id && other.cidrBlock ? parseCidr(other.cidrBlock) : undefined;
    if (otherCidr && overlaps(cidr, otherCidr)) {
      throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${text}' conflicts with another subnet`);
    }
  }
  return formatCidr(cidr);
}

function subnetIpv6Block(text: string, vpc: Vpc, ec2: Ec2State): string {
  const cidr = parseCidr(text);
  if (cidr?.version !== 6) throw invalidValue('ipv6CidrBlock', text, ' This is not a valid IPv6 CIDR block.');
  const vpcCidr = vpc.ipv6CidrBlock ? parseCidr(vpc.ipv6CidrBlock) : undefined;
  if (!vpcCidr || cidr.prefix !== SUBNET_IPV6_PREFIX || !within(cidr, vpcCidr)) {
    throw new AwsError('InvalidSubnet.Range', `The IPv6 CIDR '${text}' is invalid.`);
  }
  for (const other of ec2.subnets.values()) {
    const otherCidr =
      other.vpcId === vpc.id && other.ipv6CidrBlock ? parseCidr(other.ipv6CidrBlock) : undefined;
    if (otherCidr && overlaps(cidr, otherCidr)) {
      throw new AwsError('InvalidSubnet.Conflict', `The IPv6 CIDR '${text}' conflicts with another subnet`);
    }
  }
  return formatCidr(cidr);
}

function describeSubnet(subnet: Subnet, ctx: ServiceContext): object {
  const ipv4 = subnet.cidrBlock ? parseCidr(subnet.cidrBlock) : undefined;
  const used = [...addressesInUse(ctx.state.ec2, subnet.id)].filter(
    (ip) => parseIp(ip)?.version === 4,
  ).length;
  return {
    subnetId: subnet.id,
    subnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${subnet.id}`,
    vpcId: subnet.vpcId,
    ownerId: ctx.accountId,
    state: 'available',
    availabilityZone: subnet.availabilityZone,
    cidrBlock: subnet.cidrBlock,
    availableIpAddressCount: ipv4 ? Number(usableAddresses(ipv4)) - used : 0,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ipv6Native: subnet.cidrBlock === undefined,
    ipv6CidrBlockAssociationSet: subnet.ipv6CidrBlock
      ? [
          {
            associationId: subnet.ipv6AssociationId,
            ipv6CidrBlock: subnet.ipv6CidrBlock,
            ipv6CidrBlockState: { state: 'associated' },
          },
        ]
      : [],
    tagSet: tagSet(subnet.tags),
  };
}

function describeSubnets(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const page = describe(p, [...ctx.state.ec2.subnets.values()], {
    idParam: 'SubnetId',
    notFound: (ids) =>
      new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${ids.join(', ')}' does not exist`),
    filters: {
      'subnet-id': (subnet) => subnet.id,
      'vpc-id': (subnet) => subnet.vpcId,
      'availability-zone': (subnet) => subnet.availabilityZone,
      'cidr-block': (subnet) => subnet.cidrBlock,
      'ipv6-cidr-block-association.ipv6-cidr-block': (subnet) => subnet.ipv6CidrBlock,
      state: () => 'available',
      'owner-id': () => ctx.accountId,
    },
    tags: (subnet) => subnet.tags,
    maxResults: DESCRIBE_PAGE,
    pagingWithIds: true,
  });
  return { subnetSet: page.items.map((subnet) => describeSubnet(subnet, ctx)), nextToken: page.nextToken };
}

function createSecurityGroup(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const { ec2 } = ctx.state;
  const name = p.str('GroupName');
  const description = p.str('GroupDescription');
  const vpcId = p.optStr('VpcId');
  if (!vpcId) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
  const vpc = requireVpc(ec2, vpcId);
  if (name.startsWith('sg-')) throw invalidValue('groupName', name, " Group names may not start with 'sg-'.");
  if ([...ec2.securityGroups.values()].some((group) => group.vpcId === vpc.id && group.name === name)) {
    throw new AwsError(
      'InvalidGroup.Duplicate',
      `The security group '${name}' already exists for VPC '${vpc.id}'`,
    );
  }
  const group: SecurityGroup = {
    id: ctx.ids.resourceId('sg'),
    seq: ctx.state.nextSeq(),
    vpcId: vpc.id,
    name,
    description,
  };
  ec2.securityGroups.set(group.id, group);
  return {
    groupId: group.id,
    securityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${group.id}`,
  };
}

/** VPCs, subnets and security groups: the network the endpoints and target groups live in. */
export const networkOperations: Operations = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  CreateSecurityGroup: createSecurityGroup,
};

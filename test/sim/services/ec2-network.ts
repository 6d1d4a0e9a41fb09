import { AwsError } from '../aws-error.ts';
import {
  type Cidr,
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
import { addressesInUse, settleDeletions } from './ec2-interfaces.ts';
import { newRule } from './ec2-security-groups.ts';
import type { Operations, ServiceContext } from './service.ts';

// Amazon-provided IPv6 blocks come out of Amazon's pool; VPCs get a /56, subnets a /64 of it.
const AMAZON_IPV6_POOL = cidrOf('2600:1f18::/32');
const FIRST_POOL_BLOCK = 0x4b70n;
const VPC_PREFIX = { min: 16, max: 28 };
/** The "IPv4 CIDR blocks per VPC" quota (AWS's default, the primary block included). */
const MAX_IPV4_BLOCKS = 5;
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
    rules: [],
  };
  // The default group lets its members talk to each other and lets everything out.
  defaultGroup.rules.push(
    newRule(ctx, defaultGroup.id, false, { ipProtocol: '-1', referencedGroupId: defaultGroup.id }),
    newRule(ctx, defaultGroup.id, true, { ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }),
  );
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
    cidrBlockAssociationSet: ipv4Associations(vpc).map(({ associationId, cidrBlock }) => ({
      associationId,
      cidrBlock,
      cidrBlockState: { state: 'associated' },
    })),
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

/** The VPC's IPv4 blocks, primary first, with their association ids. */
function ipv4Associations(vpc: Vpc): { associationId: string; cidrBlock: string }[] {
  return [
    { associationId: vpc.cidrAssociationId, cidrBlock: vpc.cidrBlock },
    ...vpc.secondaryCidrBlocks.map((cidrBlock, i) => ({
      associationId: vpc.secondaryCidrAssociationIds[i] ?? '',
      cidrBlock,
    })),
  ];
}

/**
 * AssociateVpcCidrBlock for a secondary IPv4 block, with the rules of the VPC user guide: a /16
 * to /28, overlapping none of the VPC's blocks, within the "IPv4 CIDR blocks per VPC" quota, and
 * allowed next to the blocks the VPC has (the "IPv4 CIDR block association restrictions" table).
 * The block is usable at once (AWS reports it `associating` first, then `associated`).
 */
function associateVpcCidrBlock(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const vpc = requireVpc(ctx.state.ec2, p.str('VpcId'));
  if (p.optBool('AmazonProvidedIpv6CidrBlock') || p.has('Ipv6CidrBlock') || p.has('Ipv6Pool')) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The simulator associates secondary IPv4 CIDR blocks only (IPv6 blocks come with CreateVpc)',
    );
  }
  const text = p.str('CidrBlock');
  const cidr = parseCidr(text);
  if (cidr?.version !== 4) throw invalidValue('cidrBlock', text, ' This is not a valid CIDR block.');
  if (cidr.prefix < VPC_PREFIX.min || cidr.prefix > VPC_PREFIX.max) {
    throw new AwsError('InvalidVpc.Range', `The CIDR '${text}' is invalid.`);
  }
  const blocks = [vpc.cidrBlock, ...vpc.secondaryCidrBlocks].map(cidrOf);
  if (blocks.length >= MAX_IPV4_BLOCKS) {
    throw new AwsError(
      'CidrLimitExceeded',
      `This network '${vpc.id}' has met its maximum number of allowed CIDRs: ${MAX_IPV4_BLOCKS}`,
    );
  }
  const clash = blocks.find((block) => overlaps(block, cidr));
  if (clash) {
    throw new AwsError(
      'InvalidVpc.Range',
      `The CIDR '${text}' conflicts with a current CIDR block '${formatCidr(clash)}' of the VPC.`,
    );
  }
  if (restricted(cidr, blocks)) {
    throw new AwsError(
      'InvalidVpc.Range',
      `The CIDR '${text}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.`,
    );
  }
  const associationId = ctx.ids.resourceId('vpc-cidr-assoc');
  vpc.secondaryCidrBlocks.push(formatCidr(cidr));
  vpc.secondaryCidrAssociationIds.push(associationId);
  return {
    vpcId: vpc.id,
    cidrBlockAssociation: {
      associationId,
      cidrBlock: formatCidr(cidr),
      cidrBlockState: { state: 'associating' },
    },
  };
}

// The ranges of the association-restrictions table: the three RFC 1918 ranges, 198.19.0.0/16,
// and everything else (publicly routable blocks and 100.64.0.0/10), which is always allowed.
const TEN = cidrOf('10.0.0.0/8');
const ONE_SEVEN_TWO = cidrOf('172.16.0.0/12');
const RFC1918 = [TEN, ONE_SEVEN_TWO, cidrOf('192.168.0.0/16')];
const BENCHMARK = cidrOf('198.19.0.0/16');
// Legacy carve-outs of the table: with a block in 10.0.0.0/15 no block of 10.0.0.0/16 may be
// added, and 172.31.0.0/16 (the default VPC's range) may not be added to a 172.16.0.0/12 VPC.
const TEN_FIFTEEN = cidrOf('10.0.0.0/15');
const TEN_SIXTEEN = cidrOf('10.0.0.0/16');
const DEFAULT_VPC_RANGE = cidrOf('172.31.0.0/16');

function rangeOf(cidr: Cidr): Cidr | 'benchmark' | 'other' {
  if (within(cidr, BENCHMARK)) return 'benchmark';
  return RFC1918.find((range) => within(cidr, range)) ?? 'other';
}

function restricted(added: Cidr, existing: readonly Cidr[]): boolean {
  const range = rangeOf(added);
  if (range === 'other') return false;
  // 198.19.0.0/16 may join no VPC that has other blocks (every row of the table restricts it).
  if (range === 'benchmark') return true;
  // An RFC 1918 block may join only blocks of the same RFC 1918 range.
  if (existing.some((block) => rangeOf(block) !== range)) return true;
  if (within(added, TEN_SIXTEEN) && existing.some((block) => within(block, TEN_FIFTEEN))) return true;
  return range === ONE_SEVEN_TWO && within(added, DEFAULT_VPC_RANGE);
}

function describeVpcs(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const page = describe(p, [...ctx.state.ec2.vpcs.values()], {
    idParam: 'VpcId',
    notFound: (ids) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${ids.join(', ')}' does not exist`),
    filters: {
      'vpc-id': (vpc) => vpc.id,
      cidr: (vpc) => vpc.cidrBlock,
      'cidr-block-association.cidr-block': (vpc) => [vpc.cidrBlock, ...vpc.secondaryCidrBlocks],
      'cidr-block-association.association-id': (vpc) => ipv4Associations(vpc).map((a) => a.associationId),
      'cidr-block-association.state': () => 'associated',
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
  // A subnet lies in one of the VPC's IPv4 blocks, primary or secondary.
  const inVpc = [vpc.cidrBlock, ...vpc.secondaryCidrBlocks].some((block) => within(cidr, cidrOf(block)));
  if (!inVpc || cidr.prefix > VPC_PREFIX.max) {
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
  settleDeletions(ctx.state.ec2, ctx.clock.now());
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
    rules: [],
  };
  // "When you create a security group, it has an outbound rule that allows all outbound traffic."
  group.rules.push(newRule(ctx, group.id, true, { ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }));
  ec2.securityGroups.set(group.id, group);
  return {
    groupId: group.id,
    securityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${group.id}`,
  };
}

/** VPCs, subnets and security groups: the network the endpoints and target groups live in. */
export const networkOperations: Operations = {
  CreateVpc: createVpc,
  AssociateVpcCidrBlock: associateVpcCidrBlock,
  DescribeVpcs: describeVpcs,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  CreateSecurityGroup: createSecurityGroup,
};

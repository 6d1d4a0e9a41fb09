import { createHash } from 'node:crypto';
import { AwsError } from '../aws-error.ts';
import { type Cidr, formatCidr, parseIp } from '../ip.ts';
import type { Params } from '../protocols/protocol.ts';
import type { SecurityGroup, SecurityGroupRule } from '../state.ts';
import { describe, ec2Params, invalidValue, tagSet } from './ec2-common.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** "Inbound or outbound rules per security group": 60 each (the VPC quotas' default). */
const MAX_RULES_PER_DIRECTION = 60;
const PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  '-1': '-1',
  all: '-1',
};
const DESCRIBE_GROUPS_PAGE = { min: 5, max: 1000 };
const DESCRIBE_RULES_PAGE = { min: 5, max: 1000 };

interface RuleFields {
  readonly ipProtocol: string;
  readonly fromPort?: number | undefined;
  readonly toPort?: number | undefined;
  readonly cidrIpv4?: string | undefined;
  readonly cidrIpv6?: string | undefined;
  readonly referencedGroupId?: string | undefined;
  readonly description?: string | undefined;
}

/**
 * A rule of a group. Its id is derived from the group and the rule's place in it (not drawn from
 * the id generator), so the rules every new group gets leave the ids of other resources as they were.
 */
export function newRule(
  ctx: ServiceContext,
  groupId: string,
  isEgress: boolean,
  fields: RuleFields,
): SecurityGroupRule {
  const group = ctx.state.ec2.securityGroups.get(groupId);
  const index = group?.rules.length ?? (isEgress ? 1 : 0);
  const seq = (group?.seq ?? ctx.state.ec2.securityGroups.size + 1) * 1000 + index;
  const id = `sgr-${createHash('sha256').update(`${groupId}/${index}/${isEgress}`).digest('hex').slice(0, 17)}`;
  return {
    id,
    seq,
    groupId,
    isEgress,
    ipProtocol: fields.ipProtocol,
    fromPort: fields.ipProtocol === '-1' ? -1 : (fields.fromPort ?? -1),
    toPort: fields.ipProtocol === '-1' ? -1 : (fields.toPort ?? -1),
    cidrIpv4: fields.cidrIpv4,
    cidrIpv6: fields.cidrIpv6,
    referencedGroupId: fields.referencedGroupId,
    description: fields.description,
  };
}

function requireGroup(ctx: ServiceContext, id: string): SecurityGroup {
  const group = ctx.state.ec2.securityGroups.get(id);
  if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  return group;
}

const BITS = { 4: 32, 6: 128 } as const;

/** A CIDR as AWS stores it: `10.0.1.7/24` is canonicalised to `10.0.1.0/24`. */
function canonicalCidr(text: string, version: 4 | 6): Cidr | undefined {
  const [address = '', prefixText = '', extra] = text.split('/');
  const ip = parseIp(address);
  const prefix = Number(prefixText);
  if (
    extra !== undefined ||
    ip?.version !== version ||
    !/^\d{1,3}$/.test(prefixText) ||
    prefix > BITS[version]
  )
    return undefined;
  const hostBits = BigInt(BITS[version] - prefix);
  return { version, base: (ip.value >> hostBits) << hostBits, prefix };
}

/** `IpPermissions.N` of an Authorize call: one rule per CIDR or group of each permission. */
function readPermissions(p: ParamReader, ctx: ServiceContext, group: SecurityGroup): RuleFields[] {
  const fields: RuleFields[] = [];
  for (const permission of p.list('IpPermissions')) {
    const protocolText = permission.str('IpProtocol').toLowerCase();
    const ipProtocol = PROTOCOLS[protocolText];
    if (!ipProtocol) throw invalidValue('IpProtocol', protocolText);
    const fromPort = permission.optInt('FromPort');
    const toPort = permission.optInt('ToPort');
    if (ipProtocol === 'tcp' || ipProtocol === 'udp') {
      if (fromPort === undefined || toPort === undefined) {
        throw new AwsError(
          'InvalidParameterValue',
          `Invalid value for portRange. Must specify both from and to ports with TCP/UDP.`,
        );
      }
      if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
        throw new AwsError('InvalidParameterValue', `Invalid port range ${fromPort}-${toPort}`);
      }
    }
    const base = { ipProtocol, fromPort, toPort };
    for (const range of permission.list('IpRanges')) {
      const text = range.str('CidrIp');
      const cidr = canonicalCidr(text, 4);
      if (!cidr) throw invalidValue('cidrIp', text);
      // AWS canonicalises CIDRs: 10.0.1.7/24 is stored as 10.0.1.0/24.
      fields.push({ ...base, cidrIpv4: formatCidr(cidr), description: range.optStr('Description') });
    }
    for (const range of permission.list('Ipv6Ranges')) {
      const text = range.str('CidrIpv6');
      const cidr = canonicalCidr(text, 6);
      if (!cidr) throw invalidValue('cidrIpv6', text);
      fields.push({ ...base, cidrIpv6: formatCidr(cidr), description: range.optStr('Description') });
    }
    for (const pair of permission.list('Groups')) {
      const referenced = requireGroup(ctx, pair.str('GroupId'));
      if (referenced.vpcId !== group.vpcId) {
        throw new AwsError(
          'InvalidGroup.NotFound',
          `You have specified a security group '${referenced.id}' that is not in the VPC '${group.vpcId}'`,
        );
      }
      fields.push({ ...base, referencedGroupId: referenced.id, description: pair.optStr('Description') });
    }
  }
  if (fields.length === 0)
    throw new AwsError('MissingParameter', 'No IpPermissions with a source or destination were given');
  return fields;
}

function sameRule(a: Omit<SecurityGroupRule, 'id' | 'seq' | 'description'>, b: SecurityGroupRule): boolean {
  return (
    a.isEgress === b.isEgress &&
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.referencedGroupId === b.referencedGroupId
  );
}

function authorize(isEgress: boolean) {
  return (params: Params, ctx: ServiceContext): object => {
    const p = ec2Params(params);
    const group = requireGroup(ctx, p.str('GroupId'));
    const wanted = readPermissions(p, ctx, group);
    const added: SecurityGroupRule[] = [];
    for (const fields of wanted) {
      const rule = newRule(ctx, group.id, isEgress, fields);
      if ([...group.rules, ...added].some((existing) => sameRule(rule, existing))) {
        throw new AwsError(
          'InvalidPermission.Duplicate',
          `the specified rule "peer: ${rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId}, ${rule.ipProtocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`,
        );
      }
      added.push(rule);
      // The next rule's id and place follow this one's, so push as we go; undone on failure below.
      group.rules.push(rule);
    }
    if (group.rules.filter((r) => r.isEgress === isEgress).length > MAX_RULES_PER_DIRECTION) {
      group.rules.splice(group.rules.length - added.length, added.length);
      throw new AwsError(
        'RulesPerSecurityGroupLimitExceeded',
        'The maximum number of rules per security group has been reached.',
      );
    }
    return { return: true, securityGroupRuleSet: added.map((rule) => describeRule(rule, ctx)) };
  };
}

// Authorize pushes rules one by one and a duplicate found midway must leave the group unchanged.
function atomically(op: (params: Params, ctx: ServiceContext) => object) {
  return (params: Params, ctx: ServiceContext): object => {
    const id = ec2Params(params).optStr('GroupId');
    const group = id ? ctx.state.ec2.securityGroups.get(id) : undefined;
    const before = group?.rules.length ?? 0;
    try {
      return op(params, ctx);
    } catch (error) {
      if (group) group.rules.splice(before);
      throw error;
    }
  };
}

function describeRule(rule: SecurityGroupRule, ctx: ServiceContext): object {
  return {
    securityGroupRuleId: rule.id,
    groupId: rule.groupId,
    groupOwnerId: ctx.accountId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    cidrIpv6: rule.cidrIpv6,
    referencedGroupInfo: rule.referencedGroupId
      ? { groupId: rule.referencedGroupId, userId: ctx.accountId }
      : undefined,
    description: rule.description,
    securityGroupRuleArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group-rule/${rule.id}`,
    tagSet: [],
  };
}

/** DescribeSecurityGroups' `ipPermissions`: rules of one protocol and port range grouped together. */
function permissions(rules: readonly SecurityGroupRule[], ctx: ServiceContext): object[] {
  const groups = new Map<string, SecurityGroupRule[]>();
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`;
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return [...groups.values()].map((same) => {
    const first = same[0] as SecurityGroupRule;
    return {
      ipProtocol: first.ipProtocol,
      fromPort: first.ipProtocol === '-1' ? undefined : first.fromPort,
      toPort: first.ipProtocol === '-1' ? undefined : first.toPort,
      groups: same
        .filter((r) => r.referencedGroupId)
        .map((r) => ({ groupId: r.referencedGroupId, userId: ctx.accountId, description: r.description })),
      ipRanges: same
        .filter((r) => r.cidrIpv4)
        .map((r) => ({ cidrIp: r.cidrIpv4, description: r.description })),
      ipv6Ranges: same
        .filter((r) => r.cidrIpv6)
        .map((r) => ({ cidrIpv6: r.cidrIpv6, description: r.description })),
      prefixListIds: [],
    };
  });
}

function describeSecurityGroups(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const page = describe(p, [...ctx.state.ec2.securityGroups.values()], {
    idParam: 'GroupId',
    notFound: (ids) =>
      new AwsError('InvalidGroup.NotFound', `The security group '${ids.join(', ')}' does not exist`),
    filters: {
      'group-id': (group) => group.id,
      'group-name': (group) => group.name,
      'vpc-id': (group) => group.vpcId,
      description: (group) => group.description,
      'owner-id': () => ctx.accountId,
    },
    tags: () => new Map(),
    maxResults: DESCRIBE_GROUPS_PAGE,
    pagingWithIds: false,
  });
  return {
    securityGroupInfo: page.items.map((group) => ({
      ownerId: ctx.accountId,
      groupName: group.name,
      groupId: group.id,
      groupDescription: group.description,
      vpcId: group.vpcId,
      securityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group/${group.id}`,
      ipPermissions: permissions(
        group.rules.filter((r) => !r.isEgress),
        ctx,
      ),
      ipPermissionsEgress: permissions(
        group.rules.filter((r) => r.isEgress),
        ctx,
      ),
      tagSet: tagSet(new Map()),
    })),
    nextToken: page.nextToken,
  };
}

function describeSecurityGroupRules(params: Params, ctx: ServiceContext): object {
  const p = ec2Params(params);
  const rules = [...ctx.state.ec2.securityGroups.values()]
    .flatMap((group) => group.rules)
    .sort((a, b) => a.seq - b.seq);
  const page = describe(p, rules, {
    idParam: 'SecurityGroupRuleId',
    notFound: (ids) =>
      new AwsError(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${ids.join(', ')}' does not exist`,
      ),
    filters: {
      'group-id': (rule) => rule.groupId,
      'security-group-rule-id': (rule) => rule.id,
    },
    tags: () => new Map(),
    maxResults: DESCRIBE_RULES_PAGE,
    pagingWithIds: false,
  });
  return {
    securityGroupRuleSet: page.items.map((rule) => describeRule(rule, ctx)),
    nextToken: page.nextToken,
  };
}

/** Security group rules: authorized through the API, read back per group or per rule. */
export const securityGroupOperations: Operations = {
  AuthorizeSecurityGroupIngress: atomically(authorize(false)),
  AuthorizeSecurityGroupEgress: atomically(authorize(true)),
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSecurityGroupRules: describeSecurityGroupRules,
};

import { createHash } from 'node:crypto';
import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Listener, ListenerAction, LoadBalancer } from '../state.ts';
import {
  atMostOne,
  checkArn,
  elbParams,
  intInRange,
  LOAD_BALANCER_TYPE,
  pageOf,
  readTags,
  recordTags,
  requireLoadBalancer,
  requireTargetGroup,
  validateName,
  validation,
} from './elbv2-common.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

// The hosted zone AWS publishes for ALBs in us-east-1; the simulator uses it everywhere.
const CANONICAL_HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K';
const SCHEMES = ['internet-facing', 'internal'] as const;
const LISTENER_PROTOCOLS = { application: ['HTTP', 'HTTPS'], network: ['TCP', 'TLS', 'UDP', 'TCP_UDP'] };
const CERTIFICATE_PROTOCOLS = ['HTTPS', 'TLS'];
/** DescribeLoadBalancers: "You can specify up to 20 load balancers in a single call." */
const MAX_DESCRIBE_ARNS = 20;

function createLoadBalancer(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2, ec2 } = ctx.state;
  const name = p.str('Name');
  validateName('Load balancer', name);
  if (name.startsWith('internal-'))
    throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
  const type = p.optStr('Type') ?? 'application';
  if (type !== 'application' && type !== 'network')
    throw validation(`Load balancer type '${type}' is not supported`);
  const schemeText = p.optStr('Scheme') ?? 'internet-facing';
  const scheme = SCHEMES.find((s) => s === schemeText);
  if (!scheme) throw validation(`Scheme '${schemeText}' is not valid`);
  const subnetIds = [...p.strList('Subnets'), ...p.list('SubnetMappings').map((m) => m.str('SubnetId'))];
  const minSubnets = type === 'application' ? 2 : 1;
  const subnets = subnetIds.map((id) => {
    const subnet = ec2.subnets.get(id);
    if (!subnet) throw new AwsError('SubnetNotFound', `The subnet ID '${id}' is not valid`);
    return subnet;
  });
  const zones = new Set(subnets.map((subnet) => subnet.availabilityZone));
  if (zones.size < minSubnets) {
    throw validation('At least two subnets in two different Availability Zones must be specified');
  }
  if (zones.size < subnets.length) {
    throw new AwsError(
      'InvalidConfigurationRequest',
      'A load balancer cannot be attached to multiple subnets in the same Availability Zone',
    );
  }
  const vpcId = subnets[0]?.vpcId ?? '';
  if (subnets.some((subnet) => subnet.vpcId !== vpcId))
    throw new AwsError('InvalidSubnet', 'Subnets must all be in the same VPC');
  const groupIds = p.strList('SecurityGroups');
  if (groupIds.some((id) => ec2.securityGroups.get(id)?.vpcId !== vpcId)) {
    throw new AwsError('InvalidSecurityGroup', 'One or more security groups are invalid');
  }
  const defaultGroup = ec2.vpcs.get(vpcId)?.defaultSecurityGroupId;

  const existing = [...elbv2.loadBalancers.values()].find((balancer) => balancer.name === name);
  if (existing) {
    // Like CreateTargetGroup, the same name and settings return the existing load balancer.
    const same =
      existing.type === type && existing.scheme === scheme && sameMembers(existing.subnetIds, subnetIds);
    if (!same) {
      throw new AwsError(
        'DuplicateLoadBalancerName',
        `A load balancer with the same name '${name}' exists, but with different settings`,
      );
    }
    return { LoadBalancers: [describeLoadBalancer(existing, ctx)] };
  }

  const hex = ctx.ids.hex(16);
  const balancer: LoadBalancer = {
    arn: `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:loadbalancer/${type === 'application' ? 'app' : 'net'}/${name}/${hex}`,
    seq: ctx.state.nextSeq(),
    name,
    type,
    scheme,
    ipAddressType: p.optStr('IpAddressType') ?? 'ipv4',
    vpcId,
    subnetIds,
    securityGroupIds: groupIds.length > 0 || type === 'network' || !defaultGroup ? groupIds : [defaultGroup],
    dnsName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${Number.parseInt(hex.slice(0, 8), 16)}.${ctx.region}.elb.amazonaws.com`,
    createdAt: ctx.clock.now(),
    tags: readTags(p),
  };
  elbv2.loadBalancers.set(balancer.arn, balancer);
  recordTags(elbv2, { ...balancer, type: LOAD_BALANCER_TYPE }, balancer.tags, ctx.clock.now());
  return { LoadBalancers: [describeLoadBalancer(balancer, ctx)] };
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function describeLoadBalancer(balancer: LoadBalancer, ctx: ServiceContext): object {
  return {
    LoadBalancerArn: balancer.arn,
    DNSName: balancer.dnsName,
    CanonicalHostedZoneId: CANONICAL_HOSTED_ZONE_ID,
    CreatedTime: new Date(balancer.createdAt),
    LoadBalancerName: balancer.name,
    Scheme: balancer.scheme,
    VpcId: balancer.vpcId,
    State: { Code: 'active' },
    Type: balancer.type,
    AvailabilityZones: balancer.subnetIds.map((id) => ({
      ZoneName: ctx.state.ec2.subnets.get(id)?.availabilityZone,
      SubnetId: id,
      LoadBalancerAddresses: [],
    })),
    SecurityGroups: balancer.type === 'application' ? balancer.securityGroupIds : undefined,
    IpAddressType: balancer.ipAddressType,
  };
}

function describeLoadBalancers(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const all = [...ctx.state.elbv2.loadBalancers.values()];
  const arns = p.strList('LoadBalancerArns');
  const names = p.strList('Names');
  atMostOne({ LoadBalancerArns: arns.length > 0, Names: names.length > 0 });
  if (arns.length > MAX_DESCRIBE_ARNS) {
    throw validation(`You cannot describe more than '${MAX_DESCRIBE_ARNS}' load balancers at a time`);
  }
  for (const arn of arns) checkArn('load balancer', arn, ctx);
  const wanted = arns.length > 0 ? arns : names;
  const keyOf = (balancer: LoadBalancer): string => (arns.length > 0 ? balancer.arn : balancer.name);
  const missing = wanted.filter((key) => !all.some((balancer) => keyOf(balancer) === key));
  if (missing.length > 0)
    throw new AwsError('LoadBalancerNotFound', `Load balancers '${missing.join(', ')}' not found`);
  const selected = wanted.length > 0 ? all.filter((balancer) => wanted.includes(keyOf(balancer))) : all;
  const page = pageOf(p, selected);
  return {
    LoadBalancers: page.items.map((balancer) => describeLoadBalancer(balancer, ctx)),
    NextMarker: page.nextToken,
  };
}

function deleteLoadBalancer(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const arn = p.str('LoadBalancerArn');
  checkArn('load balancer', arn, ctx);
  // Its listeners go with it, which frees the target groups they forwarded to.
  for (const listener of elbv2.listeners.values()) {
    if (listener.loadBalancerArn !== arn) continue;
    elbv2.listeners.delete(listener.arn);
    for (const rule of elbv2.rules.values())
      if (rule.listenerArn === listener.arn) elbv2.rules.delete(rule.arn);
  }
  const balancer = elbv2.loadBalancers.get(arn);
  if (balancer) {
    elbv2.loadBalancers.delete(arn);
    recordTags(elbv2, { ...balancer, type: LOAD_BALANCER_TYPE }, undefined, ctx.clock.now(), balancer.tags);
  }
  return {};
}

function createListener(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const balancer = requireLoadBalancer(ctx, p.str('LoadBalancerArn'));
  const protocol = p.optStr('Protocol') ?? (balancer.type === 'application' ? 'HTTP' : 'TCP');
  if (!LISTENER_PROTOCOLS[balancer.type].includes(protocol)) {
    throw new AwsError(
      'UnsupportedProtocol',
      `Protocol '${protocol}' is not supported by ${balancer.type} load balancers`,
    );
  }
  const port = intInRange(p, 'Port', 1, 65535);
  if (port === undefined) throw validation('A listener port must be specified');
  if (CERTIFICATE_PROTOCOLS.includes(protocol) && p.list('Certificates').length === 0) {
    throw new AwsError('CertificateNotFound', `A certificate must be specified for ${protocol} listeners`);
  }
  const actions = readActions(p.list('DefaultActions'), ctx, balancer, protocol);
  if ([...elbv2.listeners.values()].some((l) => l.loadBalancerArn === balancer.arn && l.port === port)) {
    throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
  }
  const listenerArn = `${balancer.arn.replace(':loadbalancer/', ':listener/')}/${ctx.ids.hex(16)}`;
  const listener: Listener = {
    arn: listenerArn,
    // Derived, not drawn from the id generator, so adding rules left every other id as it was.
    defaultRuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/${createHash('sha256').update(listenerArn).digest('hex').slice(0, 16)}`,
    seq: ctx.state.nextSeq(),
    loadBalancerArn: balancer.arn,
    protocol,
    port,
    defaultActions: actions,
    certificateArns: p.list('Certificates').map((c) => c.str('CertificateArn')),
    createdAt: ctx.clock.now(),
  };
  elbv2.listeners.set(listener.arn, listener);
  return { Listeners: [describeListener(listener)] };
}

/** The scalar members of each action type's settings that DescribeListeners/DescribeRules echo. */
const ACTION_CONFIGS: Readonly<
  Record<string, { readonly name: string; readonly members: readonly string[] }>
> = {
  redirect: { name: 'RedirectConfig', members: ['Protocol', 'Port', 'Host', 'Path', 'Query', 'StatusCode'] },
  'fixed-response': { name: 'FixedResponseConfig', members: ['MessageBody', 'StatusCode', 'ContentType'] },
  'authenticate-oidc': {
    name: 'AuthenticateOidcConfig',
    members: [
      'Issuer',
      'AuthorizationEndpoint',
      'TokenEndpoint',
      'UserInfoEndpoint',
      'ClientId',
      'SessionCookieName',
      'Scope',
      'SessionTimeout',
      'OnUnauthenticatedRequest',
    ],
  },
  'authenticate-cognito': {
    name: 'AuthenticateCognitoConfig',
    members: [
      'UserPoolArn',
      'UserPoolClientId',
      'UserPoolDomain',
      'SessionCookieName',
      'Scope',
      'SessionTimeout',
      'OnUnauthenticatedRequest',
    ],
  },
};
const TERMINAL_ACTIONS = ['forward', 'redirect', 'fixed-response'];
const REDIRECT_CODES = ['HTTP_301', 'HTTP_302'];

export function readAction(action: ParamReader, ctx: ServiceContext, balancer: LoadBalancer): ListenerAction {
  const type = action.str('Type');
  if (type !== 'forward' && !ACTION_CONFIGS[type]) {
    throw validation(
      `Action type '${type}' must be one of 'forward', 'redirect', 'fixed-response', 'authenticate-oidc', 'authenticate-cognito'`,
    );
  }
  const single = action.optStr('TargetGroupArn');
  const weighted =
    action
      .optChild('ForwardConfig')
      ?.list('TargetGroups')
      .map((tg) => tg.str('TargetGroupArn')) ?? [];
  const targetGroupArns = [...new Set([...(single ? [single] : []), ...weighted])];
  if (type === 'forward' && targetGroupArns.length === 0)
    throw validation('A forward action needs a target group');
  for (const arn of targetGroupArns) {
    const group = requireTargetGroup(ctx, arn);
    if (group.vpcId !== undefined && group.vpcId !== balancer.vpcId) {
      throw new AwsError(
        'InvalidConfigurationRequest',
        `Target group '${arn}' is not in the load balancer's VPC`,
      );
    }
  }
  const configs: Record<string, Record<string, string>> = {};
  const spec = ACTION_CONFIGS[type];
  if (spec) {
    const child = action.optChild(spec.name);
    if (!child) throw validation(`A ${type} action needs ${spec.name}`);
    const members: Record<string, string> = {};
    for (const member of spec.members) {
      const value = child.optStr(member);
      if (value !== undefined) members[member] = value;
    }
    if (type === 'redirect' && !REDIRECT_CODES.includes(members.StatusCode ?? '')) {
      throw validation(`RedirectConfig.StatusCode must be one of ${REDIRECT_CODES.join(', ')}`);
    }
    configs[spec.name] = members;
  }
  return { type, order: action.optInt('Order'), targetGroupArns, configs };
}

/**
 * A listener's or rule's action list as ELBv2 checks it: authenticate actions only on HTTPS
 * listeners, and exactly one forward, redirect or fixed-response action, performed last.
 */
export function readActions(
  list: readonly ParamReader[],
  ctx: ServiceContext,
  balancer: LoadBalancer,
  protocol: string,
): ListenerAction[] {
  const actions = list.map((action) => readAction(action, ctx, balancer));
  if (actions.length === 0) throw validation('At least one action must be specified');
  if (actions.some((a) => a.type.startsWith('authenticate-')) && protocol !== 'HTTPS') {
    throw new AwsError(
      'InvalidLoadBalancerAction',
      'Authenticate actions are supported only on HTTPS listeners',
    );
  }
  const ordered = actions
    .map((action, i) => ({ action, order: action.order ?? i + 1 }))
    .sort((a, b) => a.order - b.order)
    .map((entry) => entry.action);
  const terminal = ordered.filter((a) => TERMINAL_ACTIONS.includes(a.type));
  if (terminal.length !== 1 || !TERMINAL_ACTIONS.includes(ordered.at(-1)?.type ?? '')) {
    throw new AwsError(
      'InvalidLoadBalancerAction',
      'Exactly one forward, redirect or fixed-response action must be specified, and it must be the last action',
    );
  }
  return actions;
}

export function describeAction(action: ListenerAction): object {
  return {
    Type: action.type,
    Order: action.order,
    TargetGroupArn: action.targetGroupArns.length === 1 ? action.targetGroupArns[0] : undefined,
    ForwardConfig:
      action.targetGroupArns.length > 0
        ? { TargetGroups: action.targetGroupArns.map((arn) => ({ TargetGroupArn: arn, Weight: 1 })) }
        : undefined,
    ...action.configs,
  };
}

function describeListener(listener: Listener): object {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.protocol,
    Certificates:
      listener.certificateArns.length > 0
        ? listener.certificateArns.map((arn) => ({ CertificateArn: arn }))
        : undefined,
    DefaultActions: listener.defaultActions.map(describeAction),
  };
}

/** DescribeListeners: by load balancer or by listener ARNs (one of the two), Marker/PageSize paging. */
function describeListeners(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const balancerArn = p.optStr('LoadBalancerArn');
  const arns = p.strList('ListenerArns');
  atMostOne({ LoadBalancerArn: balancerArn !== undefined, ListenerArns: arns.length > 0 });
  if (balancerArn === undefined && arns.length === 0) {
    throw validation('You must specify either listener ARNs or a load balancer ARN');
  }
  let selected: Listener[];
  if (balancerArn !== undefined) {
    const balancer = requireLoadBalancer(ctx, balancerArn);
    selected = [...elbv2.listeners.values()].filter((l) => l.loadBalancerArn === balancer.arn);
  } else {
    const missing = arns.filter((arn) => !elbv2.listeners.has(arn));
    if (missing.length > 0)
      throw new AwsError('ListenerNotFound', `One or more listeners not found: '${missing.join(', ')}'`);
    selected = [...elbv2.listeners.values()].filter((l) => arns.includes(l.arn));
  }
  const page = pageOf(p, selected);
  return { Listeners: page.items.map(describeListener), NextMarker: page.nextToken };
}

export const loadBalancerOperations: Operations = {
  CreateLoadBalancer: createLoadBalancer,
  DescribeLoadBalancers: describeLoadBalancers,
  DeleteLoadBalancer: deleteLoadBalancer,
  CreateListener: createListener,
  DescribeListeners: describeListeners,
};

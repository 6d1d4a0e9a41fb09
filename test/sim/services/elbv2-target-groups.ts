import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { HealthCheck, TargetGroup, TargetType } from '../state.ts';
import {
  atMostOne,
  checkArn,
  elbParams,
  indexTargetGroupName,
  intInRange,
  loadBalancerArnsOf,
  pageOf,
  readTags,
  recordTags,
  requireLoadBalancer,
  TARGET_GROUP_TYPE,
  targetGroupNamed,
  validateName,
  validation,
} from './elbv2-common.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

const TARGET_TYPES: readonly TargetType[] = ['instance', 'ip', 'lambda', 'alb'];
const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const HTTP_PROTOCOLS = ['HTTP', 'HTTPS'];
// ALB health checks accept success codes 200-499, as single codes, lists or ranges.
const MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
const MATCHER_RANGE = { min: 200, max: 499 };
/**
 * TargetGroupArns or Names per DescribeTargetGroups call. The API reference gives no cap, but
 * AWS answers more than 20 ARNs with this ValidationError (seen in ansible-collections/amazon.aws#1593).
 */
const MAX_DESCRIBE_IDS = 20;

function createTargetGroup(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2, ec2 } = ctx.state;
  const name = p.str('Name');
  validateName('Target group', name);
  const targetType = targetTypeOf(p.optStr('TargetType') ?? 'instance');
  const needsNetwork = targetType !== 'lambda';
  const protocol = p.optStr('Protocol');
  const port = intInRange(p, 'Port', 1, 65535);
  const vpcId = p.optStr('VpcId');
  if (needsNetwork && !protocol) throw validation('A protocol must be specified');
  if (needsNetwork && port === undefined) throw validation('A port must be specified');
  if (needsNetwork && !vpcId) throw validation('A VPC ID must be specified');
  if (protocol !== undefined && !PROTOCOLS.includes(protocol))
    throw validation(`Protocol '${protocol}' is not supported`);
  if (vpcId !== undefined && !ec2.vpcs.has(vpcId)) throw validation(`The VPC ID '${vpcId}' is not found`);
  const ipAddressType = p.optStr('IpAddressType') ?? 'ipv4';
  if (ipAddressType !== 'ipv4' && ipAddressType !== 'ipv6')
    throw validation(`IP address type '${ipAddressType}' is not valid`);
  if (ipAddressType === 'ipv6' && targetType !== 'ip')
    throw validation('IPv6 target groups must have target type ip');

  const existing = targetGroupNamed(elbv2, name);
  if (existing) {
    // CreateTargetGroup is idempotent: the same name and settings return the existing group.
    const same =
      existing.protocol === protocol &&
      existing.port === port &&
      existing.vpcId === vpcId &&
      existing.targetType === targetType &&
      existing.ipAddressType === ipAddressType;
    if (!same) {
      throw new AwsError(
        'DuplicateTargetGroupName',
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    }
    return { TargetGroups: [describeTargetGroup(existing, ctx)] };
  }

  const group: TargetGroup = {
    arn: `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:targetgroup/${name}/${ctx.ids.hex(16)}`,
    seq: ctx.state.nextSeq(),
    name,
    targetType,
    protocol,
    protocolVersion:
      protocol && HTTP_PROTOCOLS.includes(protocol) ? (p.optStr('ProtocolVersion') ?? 'HTTP1') : undefined,
    port,
    vpcId,
    ipAddressType,
    healthCheck: healthCheckOf(p, protocol, targetType),
    tags: readTags(p),
    targets: new Map(),
  };
  elbv2.targetGroups.set(group.arn, group);
  indexTargetGroupName(elbv2, group);
  recordTags(elbv2, { ...group, type: TARGET_GROUP_TYPE }, group.tags, ctx.clock.now());
  return { TargetGroups: [describeTargetGroup(group, ctx)] };
}

function targetTypeOf(value: string): TargetType {
  const type = TARGET_TYPES.find((t) => t === value);
  if (!type) throw validation(`Target type '${value}' is not one of ${TARGET_TYPES.join(', ')}`);
  return type;
}

/** Health check settings with AWS's defaults for the target group's protocol. */
function healthCheckOf(p: ParamReader, protocol: string | undefined, targetType: TargetType): HealthCheck {
  const healthProtocol =
    p.optStr('HealthCheckProtocol') ??
    (protocol && HTTP_PROTOCOLS.includes(protocol) ? protocol : protocol && 'TCP');
  const isHttp = healthProtocol !== undefined && HTTP_PROTOCOLS.includes(healthProtocol);
  const httpCode = p.optChild('Matcher')?.optStr('HttpCode') ?? (isHttp ? '200' : undefined);
  if (httpCode !== undefined) validateMatcher(httpCode);
  return {
    enabled: p.optBool('HealthCheckEnabled') ?? targetType !== 'lambda',
    protocol: healthProtocol,
    port: targetType === 'lambda' ? undefined : (p.optStr('HealthCheckPort') ?? 'traffic-port'),
    path: p.optStr('HealthCheckPath') ?? (isHttp ? '/' : undefined),
    intervalSeconds: intInRange(p, 'HealthCheckIntervalSeconds', 5, 300) ?? 30,
    timeoutSeconds: intInRange(p, 'HealthCheckTimeoutSeconds', 2, 120) ?? 5,
    healthyThresholdCount: intInRange(p, 'HealthyThresholdCount', 2, 10) ?? 5,
    unhealthyThresholdCount: intInRange(p, 'UnhealthyThresholdCount', 2, 10) ?? 2,
    matcherHttpCode: httpCode,
  };
}

function validateMatcher(httpCode: string): void {
  const codes = httpCode.split(/[,-]/).map(Number);
  if (!MATCHER.test(httpCode) || codes.some((code) => code < MATCHER_RANGE.min || code > MATCHER_RANGE.max)) {
    throw validation(
      `Health check matcher HTTP code '${httpCode}' must be within '${MATCHER_RANGE.min}-${MATCHER_RANGE.max}' range`,
    );
  }
}

function describeTargetGroup(group: TargetGroup, ctx: ServiceContext): object {
  const check = group.healthCheck;
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    ProtocolVersion: group.protocolVersion,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: check.protocol,
    HealthCheckPort: check.port,
    HealthCheckEnabled: check.enabled,
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThresholdCount,
    UnhealthyThresholdCount: check.unhealthyThresholdCount,
    HealthCheckPath: check.path,
    Matcher: check.matcherHttpCode === undefined ? undefined : { HttpCode: check.matcherHttpCode },
    LoadBalancerArns: loadBalancerArnsOf(ctx.state.elbv2, group.arn),
    TargetType: group.targetType,
    IpAddressType: group.ipAddressType,
  };
}

function describeTargetGroups(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const arns = p.strList('TargetGroupArns');
  const names = p.strList('Names');
  const loadBalancerArn = p.optStr('LoadBalancerArn');
  atMostOne({
    TargetGroupArns: arns.length > 0,
    Names: names.length > 0,
    LoadBalancerArn: loadBalancerArn !== undefined,
  });
  const ids = arns.length > 0 ? arns : names;
  if (ids.length > MAX_DESCRIBE_IDS) {
    throw validation(`You cannot describe more than '${MAX_DESCRIBE_IDS}' target groups at a time`);
  }
  // One ARN of another region or account fails the whole call, before any is looked up.
  for (const arn of arns) checkArn('target group', arn, ctx);
  const all = [...elbv2.targetGroups.values()];
  let selected = all;
  if (arns.length > 0) {
    const missing = arns.filter((arn) => !elbv2.targetGroups.has(arn));
    if (missing.length > 0)
      throw new AwsError('TargetGroupNotFound', `Target groups '${missing.join(', ')}' not found`);
    selected = all.filter((group) => arns.includes(group.arn));
  } else if (names.length > 0) {
    const missing = names.filter((name) => !all.some((group) => group.name === name));
    if (missing.length > 0)
      throw new AwsError('TargetGroupNotFound', `One or more target groups not found: ${missing.join(', ')}`);
    selected = all.filter((group) => names.includes(group.name));
  } else if (loadBalancerArn !== undefined) {
    requireLoadBalancer(ctx, loadBalancerArn);
    selected = all.filter((group) => loadBalancerArnsOf(elbv2, group.arn).includes(loadBalancerArn));
  }
  const page = pageOf(p, selected);
  return {
    TargetGroups: page.items.map((group) => describeTargetGroup(group, ctx)),
    NextMarker: page.nextToken,
  };
}

function deleteTargetGroup(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const arn = p.str('TargetGroupArn');
  checkArn('target group', arn, ctx);
  if (loadBalancerArnsOf(elbv2, arn).length > 0) {
    throw new AwsError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
  }
  // Deleting a target group that does not exist succeeds, as in AWS.
  const group = elbv2.targetGroups.get(arn);
  if (group) {
    elbv2.targetGroups.delete(arn);
    for (const key of elbv2.healthOverrides.keys()) {
      if (key.startsWith(`${arn}|`)) elbv2.healthOverrides.delete(key);
    }
    recordTags(elbv2, { ...group, type: TARGET_GROUP_TYPE }, undefined, ctx.clock.now(), group.tags);
  }
  return {};
}

export const targetGroupOperations: Operations = {
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  DeleteTargetGroup: deleteTargetGroup,
};

import { AwsError } from '../aws-error.ts';
import { type Cidr, cidrOf, contains, type IpAddress, parseCidr, parseIp } from '../ip.ts';
import type { Params } from '../protocols/protocol.ts';
import type { RegisteredTarget, TargetGroup, TargetHealthOverride, Vpc } from '../state.ts';
import {
  elbParams,
  intInRange,
  inUseSince,
  loadBalancerArnsOf,
  requireTargetGroup,
  validation,
} from './elbv2-common.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
/** The AvailabilityZone value that registers an IP outside the target group's VPC. */
const OUTSIDE_VPC = 'all';
/**
 * Where an IP target outside the target group's VPC may be (the ALB guide, "Target type"): the
 * RFC 1918 and RFC 6598 ranges. Publicly routable addresses never can; the guide names no IPv6
 * range, so an IPv6 target must be in the VPC.
 */
const OUTSIDE_VPC_RANGES: readonly Cidr[] = [
  '10.0.0.0/8',
  '100.64.0.0/10',
  '172.16.0.0/12',
  '192.168.0.0/16',
].map(cidrOf);

interface TargetRef {
  readonly id: string;
  readonly port: number | undefined;
  readonly availabilityZone: string | undefined;
}

const keyOf = (target: { readonly id: string; readonly port: number | undefined }): string =>
  `${target.id}:${target.port ?? ''}`;

/** The key of a `Simulator.setTargetHealth` override in `Elbv2State.healthOverrides`. */
export function healthOverrideKey(targetGroupArn: string, id: string, port: number | undefined): string {
  return `${targetGroupArn}|${keyOf({ id, port })}`;
}

/** Removes targets whose draining has finished; run before any target is read or changed. */
function settleTargets(group: TargetGroup, ctx: ServiceContext, now: number): void {
  for (const [key, target] of group.targets) {
    if (target.drainingUntil !== undefined && now >= target.drainingUntil) {
      group.targets.delete(key);
      ctx.state.elbv2.healthOverrides.delete(healthOverrideKey(group.arn, target.id, target.port));
    }
  }
}

function readTargets(p: ParamReader, group: TargetGroup): TargetRef[] {
  const targets = p.list('Targets').map((target) => {
    const port = intInRange(target, 'Port', 1, 65535) ?? group.port;
    return { id: target.str('Id'), port, availabilityZone: target.optStr('AvailabilityZone') };
  });
  if (targets.length === 0) throw validation('At least one target must be specified');
  return targets;
}

/** The VPC's CIDR blocks of one family: the primary and secondary IPv4 blocks, or the IPv6 one. */
function vpcBlocks(vpc: Vpc | undefined, family: 4 | 6): Cidr[] {
  const texts = family === 6 ? [vpc?.ipv6CidrBlock] : [vpc?.cidrBlock, ...(vpc?.secondaryCidrBlocks ?? [])];
  return texts.flatMap((text) => {
    const cidr = text ? parseCidr(text) : undefined;
    return cidr ? [cidr] : [];
  });
}

/** What RegisterTargets checks per target type; failures are InvalidTarget, as in AWS. */
function validateTarget(target: TargetRef, group: TargetGroup, ctx: ServiceContext): void {
  if (group.targetType === 'instance' && !INSTANCE_ID.test(target.id)) {
    throw new AwsError('InvalidTarget', `The following targets are not valid instances: '${target.id}'`);
  }
  if (group.targetType !== 'ip') return;
  const ip = parseIp(target.id);
  const family = group.ipAddressType === 'ipv6' ? 6 : 4;
  if (ip?.version !== family) {
    throw new AwsError('InvalidTarget', `The IP address '${target.id}' is not a valid IPv${family} address`);
  }
  const vpc = group.vpcId ? ctx.state.ec2.vpcs.get(group.vpcId) : undefined;
  if (vpcBlocks(vpc, family).some((cidr) => contains(cidr, ip))) return;
  validateOutsideVpc(target, ip, group, ctx);
}

/**
 * An IP outside the target group's VPC needs an AvailabilityZone (TargetDescription: "If the IP
 * address is outside the VPC, this parameter is required"): `all`, or a zone of the VPC, and an
 * address in the ranges the ALB guide allows.
 */
function validateOutsideVpc(target: TargetRef, ip: IpAddress, group: TargetGroup, ctx: ServiceContext): void {
  const notInVpc = `The following targets are not in the target group VPC '${group.vpcId}': '${target.id}'`;
  const zone = target.availabilityZone;
  if (zone === undefined) throw new AwsError('InvalidTarget', notInVpc);
  if (ip.version === 6) {
    throw new AwsError('InvalidTarget', `${notInVpc}; IPv6 targets must be in the target group VPC`);
  }
  if (!OUTSIDE_VPC_RANGES.some((cidr) => contains(cidr, ip))) {
    throw new AwsError(
      'InvalidTarget',
      `${notInVpc}; outside the VPC an IP target must be in 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 or 192.168.0.0/16, and publicly routable addresses are not allowed`,
    );
  }
  const vpcZones = new Set(
    [...ctx.state.ec2.subnets.values()]
      .filter((subnet) => subnet.vpcId === group.vpcId)
      .map((subnet) => subnet.availabilityZone),
  );
  if (zone !== OUTSIDE_VPC && !vpcZones.has(zone)) {
    throw new AwsError(
      'InvalidTarget',
      `The Availability Zone '${zone}' of target '${target.id}' must be 'all' or a zone of the target group VPC '${group.vpcId}'`,
    );
  }
}

/** Registered targets that count toward the quota: draining ones are on their way out. */
function activeCount(group: TargetGroup): number {
  return [...group.targets.values()].filter((target) => target.drainingUntil === undefined).length;
}

function registerTargets(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx, p.str('TargetGroupArn'));
  settleTargets(group, ctx, now);
  const targets = readTargets(p, group);
  for (const target of targets) validateTarget(target, group, ctx);
  const added = new Set(
    targets
      .filter((target) => {
        const existing = group.targets.get(keyOf(target));
        return !existing || (existing.drainingUntil !== undefined && group.targetType !== 'ip');
      })
      .map(keyOf),
  );
  const quota = ctx.timing.targetsPerTargetGroup;
  if (activeCount(group) + added.size > quota) {
    throw new AwsError('TooManyTargets', `You cannot have more than ${quota} targets per target group`);
  }
  for (const target of targets) {
    const existing = group.targets.get(keyOf(target));
    if (!existing) {
      group.targets.set(keyOf(target), { ...target, registeredAt: now, drainingUntil: undefined });
    } else if (existing.drainingUntil !== undefined && group.targetType !== 'ip') {
      // Registering a draining instance again cancels the deregistration; it starts over as `initial`.
      existing.drainingUntil = undefined;
      existing.registeredAt = now;
    }
    // A draining IP stays draining: the ALB guide says the same IP can be registered again only
    // once the deregistration delay has passed. The API reference lists no error for it, so the
    // call succeeds and changes nothing.
  }
  return {};
}

function deregisterTargets(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx, p.str('TargetGroupArn'));
  settleTargets(group, ctx, now);
  // "If the specified target does not exist, the action returns successfully" (API reference):
  // a target that is not registered, or registered on another port, is left alone.
  for (const target of readTargets(p, group)) {
    const registered = group.targets.get(keyOf(target));
    if (registered && registered.drainingUntil === undefined) {
      registered.drainingUntil = now + ctx.timing.deregistrationDelayMs;
    }
  }
  settleTargets(group, ctx, now);
  return {};
}

function describeTargetHealth(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx, p.str('TargetGroupArn'));
  settleTargets(group, ctx, now);
  const requested = p.list('Targets');
  const describe = (target: RegisteredTarget): object => describeTarget(target, group, ctx, now);
  if (requested.length === 0) {
    return { TargetHealthDescriptions: [...group.targets.values()].map(describe) };
  }
  const descriptions = requested.flatMap((request) => {
    const id = request.str('Id');
    const port = request.optInt('Port');
    const matches = [...group.targets.values()].filter(
      (t) => t.id === id && (port === undefined || t.port === port),
    );
    if (matches.length > 0) return matches.map(describe);
    return [notRegistered(id, port ?? group.port, group)];
  });
  return { TargetHealthDescriptions: descriptions };
}

function describeTarget(
  target: RegisteredTarget,
  group: TargetGroup,
  ctx: ServiceContext,
  now: number,
): object {
  return {
    Target: { Id: target.id, Port: target.port, AvailabilityZone: zoneOf(target, group, ctx) },
    HealthCheckPort: healthCheckPort(group, target.port),
    TargetHealth: healthOf(target, group, ctx, now),
  };
}

function notRegistered(id: string, port: number | undefined, group: TargetGroup): object {
  return {
    Target: { Id: id, Port: port },
    HealthCheckPort: healthCheckPort(group, port),
    TargetHealth: {
      State: 'unused',
      Reason: 'Target.NotRegistered',
      Description: 'Target is not registered to the target group',
    },
  };
}

const NOT_IN_USE = {
  State: 'unused',
  Reason: 'Target.NotInUse',
  Description: 'Target group is not configured to receive traffic from the load balancer',
};
const AZ_NOT_ENABLED = {
  State: 'unused',
  Reason: 'Target.NotInUse',
  Description: 'Target is in an Availability Zone that is not enabled for the load balancer',
};

/**
 * Target health, derived lazily from the clock, in this order: `draining` after
 * deregistration; `unused` (Target.NotInUse) while no load balancer uses the group or while
 * the target's zone is enabled on none of them; a `Simulator.setTargetHealth` override;
 * `unavailable` (Target.HealthCheckDisabled) when the group's health checks are off; `initial`
 * for `healthyAfterMs` after registration (or after the group came into use); then `healthy`.
 */
function healthOf(target: RegisteredTarget, group: TargetGroup, ctx: ServiceContext, now: number): object {
  if (target.drainingUntil !== undefined) {
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  const { elbv2 } = ctx.state;
  const since = inUseSince(elbv2, group.arn);
  if (since === undefined) return NOT_IN_USE;
  const zone = zoneOf(target, group, ctx);
  if (zone !== undefined && zone !== OUTSIDE_VPC && !enabledZones(group, ctx).has(zone))
    return AZ_NOT_ENABLED;
  const override = elbv2.healthOverrides.get(healthOverrideKey(group.arn, target.id, target.port));
  if (override) return { State: override.state, Reason: override.reason, Description: override.description };
  if (!group.healthCheck.enabled) {
    return {
      State: 'unavailable',
      Reason: 'Target.HealthCheckDisabled',
      Description: 'Health checks are disabled for the target group',
    };
  }
  if (now < Math.max(target.registeredAt, since) + ctx.timing.healthyAfterMs) {
    return {
      State: 'initial',
      Reason: 'Elb.RegistrationInProgress',
      Description: 'Target registration is in progress',
    };
  }
  return { State: 'healthy' };
}

/** The zones of the subnets of every load balancer that uses the group. */
function enabledZones(group: TargetGroup, ctx: ServiceContext): Set<string> {
  const { elbv2, ec2 } = ctx.state;
  const zones = new Set<string>();
  for (const arn of loadBalancerArnsOf(elbv2, group.arn)) {
    for (const subnetId of elbv2.loadBalancers.get(arn)?.subnetIds ?? []) {
      const zone = ec2.subnets.get(subnetId)?.availabilityZone;
      if (zone) zones.add(zone);
    }
  }
  return zones;
}

function healthCheckPort(group: TargetGroup, port: number | undefined): string | undefined {
  const configured = group.healthCheck.port;
  return configured === 'traffic-port' && port !== undefined ? String(port) : configured;
}

/** AWS reports an IP target's zone as that of the subnet its address falls in. */
function zoneOf(target: RegisteredTarget, group: TargetGroup, ctx: ServiceContext): string | undefined {
  if (target.availabilityZone !== undefined || group.targetType !== 'ip') return target.availabilityZone;
  const ip = parseIp(target.id);
  for (const subnet of ctx.state.ec2.subnets.values()) {
    if (subnet.vpcId !== group.vpcId) continue;
    const block = ip?.version === 6 ? subnet.ipv6CidrBlock : subnet.cidrBlock;
    const cidr = block ? parseCidr(block) : undefined;
    if (ip && cidr && contains(cidr, ip)) return subnet.availabilityZone;
  }
  return undefined;
}

/** What `Simulator.setTargetHealth` accepts. */
export interface TargetHealthSetting {
  readonly state: 'healthy' | 'unhealthy' | 'unavailable';
  readonly reason?: string;
}

// The state/reason pairs of the TargetHealth API reference, with descriptions in AWS's style.
const REASONS: Readonly<Record<TargetHealthSetting['state'], Readonly<Record<string, string>>>> = {
  healthy: {},
  unhealthy: {
    'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [502]',
    'Target.Timeout': 'Request timed out',
    'Target.FailedHealthChecks': 'Health checks failed',
    'Elb.InternalError': 'Health checks failed due to an internal error',
  },
  unavailable: {
    'Target.HealthCheckDisabled': 'Health checks are disabled for the target group',
    'Elb.InternalError': 'Target health is unavailable due to an internal error',
  },
};
const DEFAULT_REASON = { unhealthy: 'Target.FailedHealthChecks', unavailable: 'Elb.InternalError' } as const;

/** Checks a state/reason pair against the TargetHealth API reference; a wrong pair is a test bug. */
export function targetHealthOverride(setting: TargetHealthSetting): TargetHealthOverride {
  const { state } = setting;
  if (state === 'healthy') {
    if (setting.reason !== undefined) throw new TypeError('a healthy target has no reason code');
    return { state, reason: undefined, description: undefined };
  }
  const reasons = REASONS[state];
  const reason = setting.reason ?? DEFAULT_REASON[state];
  const description = reasons?.[reason];
  if (description === undefined) {
    throw new TypeError(
      `'${reason}' is not a reason for state '${state}'; AWS gives one of ${Object.keys(reasons ?? {}).join(', ')}`,
    );
  }
  return { state, reason, description };
}

export const targetOperations: Operations = {
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};

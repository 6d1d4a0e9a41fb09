import { AwsError } from '../aws-error.ts';
import { contains, parseCidr, parseIp } from '../ip.ts';
import type { Params } from '../protocols/protocol.ts';
import type { RegisteredTarget, TargetGroup } from '../state.ts';
import { elbParams, intInRange, inUseSince, requireTargetGroup, validation } from './elbv2-common.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** Targets per target group. */
const MAX_TARGETS = 1000;
const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
/** The AvailabilityZone value that registers an IP outside the target group's VPC. */
const OUTSIDE_VPC = 'all';

interface TargetRef {
  readonly id: string;
  readonly port: number | undefined;
  readonly availabilityZone: string | undefined;
}

const keyOf = (target: TargetRef): string => `${target.id}:${target.port ?? ''}`;

/** Removes targets whose draining has finished; run before any target is read or changed. */
function settleTargets(group: TargetGroup, now: number): void {
  for (const [key, target] of group.targets) {
    if (target.drainingUntil !== undefined && now >= target.drainingUntil) group.targets.delete(key);
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
  if (target.availabilityZone === OUTSIDE_VPC) return;
  const vpc = group.vpcId ? ctx.state.ec2.vpcs.get(group.vpcId) : undefined;
  const block = family === 6 ? vpc?.ipv6CidrBlock : vpc?.cidrBlock;
  const cidr = block ? parseCidr(block) : undefined;
  if (!cidr || !contains(cidr, ip)) {
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not in the target group VPC '${group.vpcId}': '${target.id}'`,
    );
  }
}

function registerTargets(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx.state.elbv2, p.str('TargetGroupArn'));
  settleTargets(group, now);
  const targets = readTargets(p, group);
  for (const target of targets) validateTarget(target, group, ctx);
  const added = new Set(targets.map(keyOf).filter((key) => !group.targets.has(key)));
  if (group.targets.size + added.size > MAX_TARGETS) {
    throw new AwsError('TooManyTargets', `A target group can have at most ${MAX_TARGETS} targets`);
  }
  for (const target of targets) {
    const existing = group.targets.get(keyOf(target));
    if (!existing) {
      group.targets.set(keyOf(target), { ...target, registeredAt: now, drainingUntil: undefined });
    } else if (existing.drainingUntil !== undefined) {
      // Registering a draining target again cancels the deregistration; it starts over as `initial`.
      existing.drainingUntil = undefined;
      existing.registeredAt = now;
    }
  }
  return {};
}

function deregisterTargets(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx.state.elbv2, p.str('TargetGroupArn'));
  settleTargets(group, now);
  const targets = readTargets(p, group);
  const missing = targets.filter((target) => !group.targets.has(keyOf(target)));
  if (missing.length > 0) {
    const list = missing.map((target) => `'Id=${target.id},Port=${target.port ?? ''}'`).join(', ');
    throw new AwsError(
      'InvalidTarget',
      `The following targets are not registered in target group '${group.arn}': ${list}`,
    );
  }
  for (const target of targets) {
    const registered = group.targets.get(keyOf(target));
    if (registered && registered.drainingUntil === undefined) {
      registered.drainingUntil = now + ctx.timing.deregistrationDelayMs;
    }
  }
  settleTargets(group, now);
  return {};
}

function describeTargetHealth(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const now = ctx.clock.now();
  const group = requireTargetGroup(ctx.state.elbv2, p.str('TargetGroupArn'));
  settleTargets(group, now);
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

/**
 * Target health, derived lazily from the clock: `draining` after deregistration; `unused`
 * while no load balancer uses the group; `initial` for `healthyAfterMs` after registration
 * (or after the group came into use); then `healthy`.
 */
function healthOf(target: RegisteredTarget, group: TargetGroup, ctx: ServiceContext, now: number): object {
  if (target.drainingUntil !== undefined) {
    return {
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
      Description: 'Target deregistration is in progress',
    };
  }
  const since = inUseSince(ctx.state.elbv2, group.arn);
  if (since === undefined) {
    return {
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer',
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

export const targetOperations: Operations = {
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};

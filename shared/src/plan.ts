import { POLICY_RULES, type Policy } from './policy.ts';

/** An ALB `ip` target: the ENI's IP and the target group's port. */
export interface Target {
  readonly id: string;
  readonly port: number;
}

/** A target as DescribeTargetHealth reports it (`state` is TargetHealth.State). */
export interface RegisteredTarget extends Target {
  readonly state: string;
}

/** What the endpoint asks for: its state and, when known, the targets built from its ENI IPs. */
export interface Desired {
  readonly endpointState: string;
  readonly targets: readonly Target[];
  /** Network interfaces the endpoint lists but EC2 does not show yet: the picture is incomplete. */
  readonly unseenInterfaces?: readonly string[];
}

/** The endpoint state the reconciler acts on; AWS returns states in lowercase/camel case. */
export const ENDPOINT_AVAILABLE = 'available';

/** Why a plan holds back changes it would otherwise make. */
export type RefusalReason =
  | 'endpoint-not-available'
  | 'interfaces-not-visible'
  | 'no-endpoint-ips'
  | 'would-empty';

export interface Refusal {
  readonly reason: RefusalReason;
  readonly message: string;
}

/**
 * What the planner decides for one site:
 * - `in-sync`: nothing to do;
 * - `converge`: the changes resolve all drift;
 * - `drift`: the policy leaves some drift in place (observe, upsert-only);
 * - `draining`: the changes are made, but desired targets that are draining can only be
 *   registered once their deregistration delay ends (AWS's rule for IP targets);
 * - `waiting`: the endpoint is not ready; nothing is done, try again later;
 * - `refused`: acting would be unsafe (it would empty the group); nothing is done; an error.
 */
export type PlanStatus = 'in-sync' | 'converge' | 'drift' | 'draining' | 'waiting' | 'refused';

export interface Plan {
  readonly status: PlanStatus;
  /** Registered before anything is deregistered (make before break). */
  readonly register: readonly Target[];
  readonly deregister: readonly Target[];
  readonly refusal?: Refusal;
  /** Desired targets not registered (a draining target counts as not registered). */
  readonly missing: readonly Target[];
  /** Registered, non-draining targets that are not desired. */
  readonly stale: readonly Target[];
  /**
   * Missing targets that are draining: AWS registers the same IP again only once its
   * deregistration delay has ended, so they are left out of `register` until then.
   */
  readonly draining: readonly Target[];
  /** Drift left once `register` and `deregister` are applied. */
  readonly unresolved: number;
}

/** Target health states of a target on its way out: it no longer counts as registered. */
const DRAINING_STATES: ReadonlySet<string> = new Set(['draining', 'unhealthy.draining']);

export const isDraining = (target: RegisteredTarget): boolean => DRAINING_STATES.has(target.state);

export const targetKey = (target: Target): string => `${target.id}:${target.port}`;

/** How a target prints everywhere (tables, messages, logs): `10.0.1.4:443`, `[2600:1f18::4]:443`. */
export const formatTarget = (target: Target): string =>
  target.id.includes(':') ? `[${target.id}]:${target.port}` : `${target.id}:${target.port}`;

const byKey = (a: Target, b: Target): number =>
  targetKey(a) < targetKey(b) ? -1 : targetKey(a) > targetKey(b) ? 1 : 0;

/** Distinct targets, sorted, so plans are deterministic whatever order AWS lists things in. */
function distinct(targets: readonly Target[]): Target[] {
  const seen = new Map<string, Target>();
  for (const t of targets) seen.set(targetKey(t), { id: t.id, port: t.port });
  return [...seen.values()].sort(byKey);
}

/**
 * The pure planner: which targets to register and deregister so that `registered` equals `desired`,
 * filtered by the site's policy and by the safety rules. No I/O; the same input gives the same plan.
 */
export function plan(desired: Desired, registered: readonly RegisteredTarget[], policy: Policy): Plan {
  const diff = compare(desired.targets, registered);
  const held = holdReason(desired, diff);
  if (held) {
    const { missing, stale, draining, drift } = diff;
    const { status, refusal } = held;
    return { status, register: [], deregister: [], refusal, missing, stale, draining, unresolved: drift };
  }
  return applyPolicy(diff, POLICY_RULES[policy]);
}

/** How the registered targets differ from the desired ones, draining ones apart. */
interface Comparison {
  readonly wanted: readonly Target[];
  readonly active: readonly Target[];
  readonly drainingKeys: ReadonlySet<string>;
  readonly missing: Target[];
  readonly stale: Target[];
  readonly draining: Target[];
  readonly drift: number;
}

function compare(desired: readonly Target[], registered: readonly RegisteredTarget[]): Comparison {
  const wanted = distinct(desired);
  const active = distinct(registered.filter((t) => !isDraining(t)));
  const drainingKeys = new Set(registered.filter(isDraining).map(targetKey));
  const wantedKeys = new Set(wanted.map(targetKey));
  const activeKeys = new Set(active.map(targetKey));
  const missing = wanted.filter((t) => !activeKeys.has(targetKey(t)));
  const stale = active.filter((t) => !wantedKeys.has(targetKey(t)));
  const draining = missing.filter((t) => drainingKeys.has(targetKey(t)));
  return { wanted, active, drainingKeys, missing, stale, draining, drift: missing.length + stale.length };
}

/** Why nothing may change yet (`waiting`) or at all (`refused`), whatever the policy; none if the plan may proceed. */
function holdReason(
  desired: Desired,
  { wanted, active }: Comparison,
): { status: PlanStatus; refusal: Refusal } | undefined {
  const waiting = (refusal: Refusal) => ({ status: 'waiting' as const, refusal });
  if (desired.endpointState !== ENDPOINT_AVAILABLE) {
    return waiting({
      reason: 'endpoint-not-available',
      message: `endpoint is ${desired.endpointState}, not ${ENDPOINT_AVAILABLE}; nothing is changed until it is`,
    });
  }
  if (desired.unseenInterfaces?.length) {
    return waiting({
      reason: 'interfaces-not-visible',
      message: `endpoint network interfaces ${desired.unseenInterfaces.join(', ')} are not visible yet; nothing is changed until they are`,
    });
  }
  if (wanted.length > 0) return undefined;
  if (active.length === 0) {
    return waiting({
      reason: 'no-endpoint-ips',
      message: 'endpoint has no network interface IPs of the target group IP type yet',
    });
  }
  return {
    status: 'refused',
    refusal: {
      reason: 'would-empty',
      message: `endpoint has no network interface IPs of the target group IP type; deregistering the ${active.length} registered target(s) would empty the target group`,
    },
  };
}

/** The changes the policy allows, and the status of what is left. */
function applyPolicy(diff: Comparison, rule: (typeof POLICY_RULES)[Policy]): Plan {
  const { active, drainingKeys, missing, stale, draining, drift } = diff;
  const register = rule.register ? missing.filter((t) => !drainingKeys.has(targetKey(t))) : [];
  // Never empty the group: when every desired target is draining, the stale ones stay until
  // a desired one can be registered.
  const deregister = rule.deregister && register.length + active.length > stale.length ? stale : [];
  const unresolved = drift - register.length - deregister.length;
  const leftByPolicy = (rule.register ? 0 : missing.length) + (rule.deregister ? 0 : stale.length);
  const status: PlanStatus =
    drift === 0 ? 'in-sync' : unresolved === 0 ? 'converge' : leftByPolicy > 0 ? 'drift' : 'draining';
  return { status, register, deregister, missing, stale, draining, unresolved };
}

/**
 * When RegisterTargets fails because the group is at its target quota, make before break cannot
 * proceed. Deregistering the stale targets first is safe only while the group keeps a healthy
 * desired target to serve traffic through the swap.
 */
export function canDeregisterFirst(p: Plan, registered: readonly RegisteredTarget[]): boolean {
  const stale = new Set(p.stale.map(targetKey));
  return p.deregister.length > 0 && registered.some((t) => t.state === 'healthy' && !stale.has(targetKey(t)));
}

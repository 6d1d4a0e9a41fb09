import {
  ENDPOINT_AVAILABLE,
  isDraining,
  POLICIES,
  POLICY_RULES,
  plan,
  type RegisteredTarget,
  type Target,
  targetKey,
} from '@vpce-target-sync/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A small address space, so desired and registered sets overlap often. */
const ip = fc.integer({ min: 1, max: 12 }).map((n) => `10.0.0.${n}`);
const port = fc.constantFrom(443, 8443);
const target = fc.record({ id: ip, port });
const state = fc.constantFrom(
  'initial',
  'healthy',
  'unhealthy',
  'unused',
  'unavailable',
  'draining',
  'unhealthy.draining',
);
/** DescribeTargetHealth lists each (IP, port) once. */
const registered = fc.uniqueArray(fc.record({ id: ip, port, state }), {
  maxLength: 10,
  selector: (t) => `${t.id}:${t.port}`,
});
const desiredTargets = fc.array(target, { maxLength: 8 });
const policy = fc.constantFrom(...POLICIES);
const endpointState = fc.constantFrom(
  ENDPOINT_AVAILABLE,
  ENDPOINT_AVAILABLE,
  ENDPOINT_AVAILABLE,
  'pending',
  'deleting',
);

const SEED = Number(process.env.FC_SEED ?? process.env.VTS_SEED ?? 20261125);
const params = { seed: SEED, numRuns: 500 };

/**
 * Applies a plan the way the loop and AWS do: register (as `initial`; an IP target that is draining
 * stays draining, as AWS re-registers an IP only after its deregistration delay), then deregister
 * (as `draining`).
 */
function apply(current: readonly RegisteredTarget[], p: ReturnType<typeof plan>): RegisteredTarget[] {
  const byKey = new Map(current.map((t) => [targetKey(t), t]));
  for (const t of p.register) {
    const now = byKey.get(targetKey(t));
    if (!now || !isDraining(now)) byKey.set(targetKey(t), { ...t, state: 'initial' });
  }
  for (const t of p.deregister) byKey.set(targetKey(t), { ...t, state: 'draining' });
  return [...byKey.values()];
}

const active = (targets: readonly RegisteredTarget[]) => targets.filter((t) => !isDraining(t));
const keys = (targets: readonly Target[]) => new Set(targets.map(targetKey));

describe(`planner properties (fast-check, seed ${SEED}; rerun with FC_SEED=<seed> or VTS_SEED=<seed>)`, () => {
  it('never empties a target group that holds an active target', () => {
    fc.assert(
      fc.property(desiredTargets, registered, policy, endpointState, (targets, current, pol, st) => {
        const after = apply(current, plan({ endpointState: st, targets }, current, pol));
        return active(current).length === 0 || active(after).length > 0;
      }),
      params,
    );
  });

  it('only registers desired targets, and only deregisters targets that are registered and not desired', () => {
    fc.assert(
      fc.property(desiredTargets, registered, policy, (targets, current, pol) => {
        const p = plan({ endpointState: ENDPOINT_AVAILABLE, targets }, current, pol);
        const wanted = keys(targets);
        const held = keys(active(current));
        return (
          p.register.every((t) => wanted.has(targetKey(t))) &&
          p.deregister.every((t) => held.has(targetKey(t)) && !wanted.has(targetKey(t)))
        );
      }),
      params,
    );
  });

  it('upsert-only and observe never deregister; observe never registers', () => {
    fc.assert(
      fc.property(desiredTargets, registered, endpointState, (targets, current, st) => {
        const upsert = plan({ endpointState: st, targets }, current, 'upsert-only');
        const observe = plan({ endpointState: st, targets }, current, 'observe');
        return (
          upsert.deregister.length === 0 && observe.deregister.length === 0 && observe.register.length === 0
        );
      }),
      params,
    );
  });

  it('is idempotent: planning again on the applied result changes nothing', () => {
    fc.assert(
      fc.property(desiredTargets, registered, policy, endpointState, (targets, current, pol, st) => {
        const desired = { endpointState: st, targets };
        const again = plan(desired, apply(current, plan(desired, current, pol)), pol);
        return again.register.length === 0 && again.deregister.length === 0;
      }),
      params,
    );
  });

  it('with sync and an available endpoint with IPs, one application converges but for draining desired targets', () => {
    fc.assert(
      fc.property(fc.array(target, { minLength: 1, maxLength: 8 }), registered, (targets, current) => {
        const desired = { endpointState: ENDPOINT_AVAILABLE, targets };
        const after = apply(current, plan(desired, current, 'sync'));
        const again = plan(desired, after, 'sync');
        if (again.status === 'in-sync') return true;
        // What is left is desired targets still draining (and, only if every desired target is
        // draining, the stale ones kept so the group is never empty).
        return (
          again.status === 'draining' &&
          keys(again.draining).size === again.missing.length &&
          (again.stale.length === 0 || again.draining.length === keys(targets).size)
        );
      }),
      params,
    );
  });

  it('counts unresolved drift as the drift the policy leaves', () => {
    fc.assert(
      fc.property(desiredTargets, registered, policy, (targets, current, pol) => {
        const p = plan({ endpointState: ENDPOINT_AVAILABLE, targets }, current, pol);
        if (p.status === 'waiting' || p.status === 'refused')
          return p.unresolved === p.missing.length + p.stale.length;
        const rule = POLICY_RULES[pol];
        // Left: what the policy leaves, desired targets still draining, and stale targets kept
        // only because every desired target is draining (never empty the group).
        const held = rule.deregister ? p.stale.length - p.deregister.length : p.stale.length;
        const expected = (rule.register ? p.draining.length : p.missing.length) + held;
        const heldOnlyToKeepOne =
          !rule.deregister ||
          held === 0 ||
          (p.register.length === 0 && active(current).length === p.stale.length);
        return p.unresolved === expected && heldOnlyToKeepOne;
      }),
      params,
    );
  });

  it('makes no change while the endpoint is not available', () => {
    fc.assert(
      fc.property(
        desiredTargets,
        registered,
        policy,
        fc.constantFrom('pending', 'pendingAcceptance', 'deleting', 'failed'),
        (targets, current, pol, st) => {
          const p = plan({ endpointState: st, targets }, current, pol);
          expect(p.status).toBe('waiting');
          return p.register.length === 0 && p.deregister.length === 0;
        },
      ),
      params,
    );
  });
  it('never plans a deregistration before every missing target is registered (make before break)', () => {
    fc.assert(
      fc.property(desiredTargets, registered, policy, endpointState, (targets, current, pol, st) => {
        const p = plan({ endpointState: st, targets }, current, pol);
        if (p.deregister.length === 0) return true;
        // Registering first, then deregistering, never passes through a state with fewer desired
        // targets than before, and the registrations alone leave every desired target active.
        const afterRegister = apply(current, { ...p, deregister: [] });
        const wanted = [...keys(targets)].filter((k) => !keys(p.draining).has(k));
        return (
          keys(p.register).size === p.missing.length - p.draining.length &&
          wanted.every((k) => keys(active(afterRegister)).has(k)) &&
          active(apply(current, p)).length > 0
        );
      }),
      params,
    );
  });

  it('a draining desired target is never registered nor reported converged, and never holds back the rest; a draining target is never deregistered', () => {
    fc.assert(
      fc.property(
        desiredTargets,
        registered,
        fc.constantFrom('sync', 'upsert-only' as const),
        (targets, current, pol) => {
          const p = plan({ endpointState: ENDPOINT_AVAILABLE, targets }, current, pol);
          if (p.status === 'waiting' || p.status === 'refused') return true;
          const wanted = keys(targets);
          const held = keys(active(current));
          const draining = current.filter(isDraining).filter((t) => !held.has(targetKey(t)));
          const waitingForDrain = draining.filter((t) => wanted.has(targetKey(t)));
          const toRegister = keys(p.register);
          const toDeregister = keys(p.deregister);
          const others = p.missing.filter((t) => !keys(waitingForDrain).has(targetKey(t)));
          return (
            draining.every((t) => !toRegister.has(targetKey(t)) && !toDeregister.has(targetKey(t))) &&
            keys(p.draining).size === waitingForDrain.length &&
            others.every((t) => toRegister.has(targetKey(t))) &&
            (waitingForDrain.length === 0 ||
              (p.status !== 'converge' && p.status !== 'in-sync' && p.unresolved > 0))
          );
        },
      ),
      params,
    );
  });

  it('counts a target in any other health state (initial, healthy, unhealthy, unused, unavailable) as registered', () => {
    const notDraining = fc.constantFrom('initial', 'healthy', 'unhealthy', 'unused', 'unavailable');
    fc.assert(
      fc.property(
        fc.array(target, { minLength: 1, maxLength: 8 }),
        notDraining,
        policy,
        (targets, st, pol) => {
          const current = [...new Map(targets.map((t) => [targetKey(t), { ...t, state: st }])).values()];
          const p = plan({ endpointState: ENDPOINT_AVAILABLE, targets }, current, pol);
          return p.status === 'in-sync' && p.register.length === 0 && p.deregister.length === 0;
        },
      ),
      params,
    );
  });

  it('does not depend on the order AWS lists targets in', () => {
    fc.assert(
      fc.property(
        desiredTargets,
        registered,
        policy,
        endpointState,
        fc.nat(),
        (targets, current, pol, st, shift) => {
          const rotate = <T>(xs: readonly T[]) => xs.map((_, i) => xs[(i + shift) % xs.length] as T);
          const a = plan({ endpointState: st, targets }, current, pol);
          const b = plan({ endpointState: st, targets: rotate(targets).reverse() }, rotate(current), pol);
          expect(b).toEqual(a);
          return true;
        },
      ),
      params,
    );
  });
});

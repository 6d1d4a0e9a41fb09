import type { CallRecord, Simulator } from '../../sim/index.ts';
import { RECONCILER_ROLE } from './clients.ts';

/** A target group as the simulator holds it at one instant. */
export interface GroupSnapshot {
  /** Registered and not draining (`id`s; every site uses one port). */
  readonly active: readonly string[];
  /** Active and reported healthy (the group is behind a listener). */
  readonly healthy: readonly string[];
}

/** Every target group's targets now; a deleted group is absent. */
export function snapshot(sim: Simulator): Map<string, GroupSnapshot> {
  const { elbv2 } = sim.state();
  const inUse = new Set(
    [...elbv2.listeners.values()].flatMap((l) => l.defaultActions.flatMap((a) => a.targetGroupArns)),
  );
  const groups = new Map<string, GroupSnapshot>();
  for (const [arn, group] of elbv2.targetGroups) {
    const active = [...group.targets.values()]
      .filter((t) => t.drainingUntil === undefined)
      .map((t) => t.id)
      .sort();
    groups.set(arn, { active, healthy: inUse.has(arn) ? active : [] });
  }
  return groups;
}

/** The reconciler's calls from `from` on. */
export function reconcilerCalls(sim: Simulator, from: number): CallRecord[] {
  return sim.calls.slice(from).filter((c) => c.principal === RECONCILER_ROLE);
}

/** `Targets` of a RegisterTargets/DeregisterTargets call as the wire decoded them. */
export function targetsOf(call: CallRecord): { id: string; port: number | undefined }[] {
  const raw = call.params.Targets as unknown;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  return list.map((t) => {
    const target = t as { Id?: unknown; Port?: unknown };
    return { id: String(target.Id), port: target.Port === undefined ? undefined : Number(target.Port) };
  });
}

export const isWrite = (c: CallRecord): boolean =>
  c.operation === 'RegisterTargets' || c.operation === 'DeregisterTargets';

import {
  type Desired,
  type Policy,
  plan,
  type RegisteredTarget,
  type Target,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

const t = (id: string, port = 443): Target => ({ id, port });
const r = (id: string, state = 'healthy', port = 443): RegisteredTarget => ({ id, port, state });
const available = (...ids: string[]): Desired => ({
  endpointState: 'available',
  targets: ids.map((id) => t(id)),
});

describe('plan: set matching', () => {
  it.each<[string, Desired, RegisteredTarget[], Partial<ReturnType<typeof plan>>]>([
    [
      'empty group is filled',
      available('10.0.1.10', '10.0.2.10'),
      [],
      { status: 'converge', register: [t('10.0.1.10'), t('10.0.2.10')], deregister: [], unresolved: 0 },
    ],
    [
      'equal sets are in sync',
      available('10.0.1.10', '10.0.2.10'),
      [r('10.0.2.10'), r('10.0.1.10', 'unhealthy')],
      { status: 'in-sync', register: [], deregister: [], missing: [], stale: [], unresolved: 0 },
    ],
    [
      'one stale and one missing converge',
      available('10.0.1.10', '10.0.3.10'),
      [r('10.0.1.10'), r('10.0.2.99')],
      { status: 'converge', register: [t('10.0.3.10')], deregister: [t('10.0.2.99')], unresolved: 0 },
    ],
    [
      'a draining desired target waits for its drain to end (AWS re-registers an IP only after the delay)',
      available('10.0.1.10'),
      [r('10.0.1.10', 'draining')],
      {
        status: 'draining',
        register: [],
        deregister: [],
        missing: [t('10.0.1.10')],
        draining: [t('10.0.1.10')],
        unresolved: 1,
      },
    ],
    [
      'unhealthy.draining also counts as gone, and the stale target stays so the group is never empty',
      available('10.0.1.10'),
      [r('10.0.1.10', 'unhealthy.draining'), r('10.0.9.9')],
      { status: 'draining', register: [], deregister: [], stale: [t('10.0.9.9')], unresolved: 2 },
    ],
    [
      'a draining desired target never holds back the rest of the plan',
      available('10.0.1.10', '10.0.2.10'),
      [r('10.0.1.10', 'draining'), r('10.0.9.9')],
      {
        status: 'draining',
        register: [t('10.0.2.10')],
        deregister: [t('10.0.9.9')],
        draining: [t('10.0.1.10')],
        unresolved: 1,
      },
    ],
    [
      'a draining stale target is not deregistered twice',
      available('10.0.1.10'),
      [r('10.0.1.10'), r('10.0.2.99', 'draining')],
      { status: 'in-sync', register: [], deregister: [], stale: [] },
    ],
    [
      'the same IP on another port is stale',
      available('10.0.1.10'),
      [r('10.0.1.10', 'healthy', 80)],
      { status: 'converge', register: [t('10.0.1.10')], deregister: [t('10.0.1.10', 80)] },
    ],
    [
      'duplicates in the inputs are ignored',
      available('10.0.1.10', '10.0.1.10'),
      [r('10.0.1.10'), r('10.0.1.10')],
      { status: 'in-sync', register: [], deregister: [] },
    ],
  ])('%s', (_name, desired, registered, expected) => {
    expect(plan(desired, registered, 'sync')).toMatchObject(expected);
  });

  it('is deterministic whatever the input order', () => {
    const a = plan(available('10.0.3.1', '10.0.1.1', '10.0.2.1'), [r('10.9.0.2'), r('10.9.0.1')], 'sync');
    const b = plan(available('10.0.2.1', '10.0.3.1', '10.0.1.1'), [r('10.9.0.1'), r('10.9.0.2')], 'sync');
    expect(a).toEqual(b);
    expect(a.register.map((x) => x.id)).toEqual(['10.0.1.1', '10.0.2.1', '10.0.3.1']);
  });
});

describe('plan: policies filter the changes', () => {
  const desired = available('10.0.1.10', '10.0.3.10');
  const registered = [r('10.0.1.10'), r('10.0.2.99')];
  it.each<[Policy, number, number, string, number]>([
    ['sync', 1, 1, 'converge', 0],
    ['upsert-only', 1, 0, 'drift', 1],
    ['observe', 0, 0, 'drift', 2],
  ])(
    '%s registers %i, deregisters %i, status %s, leaves %i unresolved',
    (policy, reg, dereg, status, left) => {
      const p = plan(desired, registered, policy);
      expect(p.register).toHaveLength(reg);
      expect(p.deregister).toHaveLength(dereg);
      expect(p.status).toBe(status);
      expect(p.unresolved).toBe(left);
      expect(p.missing).toEqual([t('10.0.3.10')]);
      expect(p.stale).toEqual([t('10.0.2.99')]);
    },
  );
});

describe('plan: safety refusals', () => {
  it.each(['pending', 'pendingAcceptance', 'deleting', 'failed', 'rejected', 'Available'])(
    'an endpoint in state %s is not acted on',
    (endpointState) => {
      const p = plan({ endpointState, targets: [t('10.0.1.10')] }, [r('10.0.2.99')], 'sync');
      expect(p.status).toBe('waiting');
      expect(p.register).toEqual([]);
      expect(p.deregister).toEqual([]);
      expect(p.refusal?.reason).toBe('endpoint-not-available');
      expect(p.refusal?.message).toContain(endpointState);
      expect(p.unresolved).toBe(2);
    },
  );

  it('refuses a plan that would empty the target group', () => {
    const p = plan(available(), [r('10.0.1.10'), r('10.0.2.10')], 'sync');
    expect(p.status).toBe('refused');
    expect(p.refusal?.reason).toBe('would-empty');
    expect(p.refusal?.message).toMatch(/would empty the target group/);
    expect(p.deregister).toEqual([]);
    expect(p.unresolved).toBe(2);
  });

  it('waits when the endpoint has no IPs yet and the group is empty', () => {
    const p = plan(available(), [r('10.0.1.10', 'draining')], 'sync');
    expect(p.status).toBe('waiting');
    expect(p.refusal?.reason).toBe('no-endpoint-ips');
  });
});

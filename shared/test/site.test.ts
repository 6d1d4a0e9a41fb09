import {
  canDeregisterFirst,
  desiredTargets,
  type EndpointFacts,
  type EndpointIpAddressType,
  formatTarget,
  type NetworkInterfaceFacts,
  plan,
  type TargetGroupFacts,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

const tg = (ipAddressType: 'ipv4' | 'ipv6' = 'ipv4'): TargetGroupFacts => ({
  arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef',
  name: 'web',
  vpcId: 'vpc-1',
  targetType: 'ip',
  ipAddressType,
  port: 443,
});
const endpoint = (state: string, ipAddressType: EndpointIpAddressType = 'ipv4'): EndpointFacts => ({
  id: 'vpce-0a1b2c3d',
  state,
  type: 'Interface',
  vpcId: 'vpc-1',
  ipAddressType,
  networkInterfaceIds: ['eni-1'],
});
const enis = new Map<string, NetworkInterfaceFacts>([
  ['eni-1', { id: 'eni-1', ipv4: '10.0.1.4', ipv6: ['2600:1f18::4'] }],
]);

describe('site validation: endpoint states', () => {
  it.each(['rejected', 'failed', 'expired', 'deleting'])(
    '%s is a final state: an error naming it and what to do',
    (state) => {
      const result = desiredTargets(tg(), 'vpce-0a1b2c3d', endpoint(state), enis);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error).toContain(
          `endpoint vpce-0a1b2c3d (tag vpce-target-sync:endpoint-id) is ${state}:`,
        );
        expect(result.error).toContain('will never become available');
        expect(result.error).toContain('re-tag target group web');
        expect(result.error).toContain('or remove the vpce-target-sync:endpoint-id tag');
        expect(result.error).toContain('its targets are kept');
      }
    },
  );

  it('reads a deleted endpoint exactly as one EC2 no longer lists', () => {
    const deleted = desiredTargets(tg(), 'vpce-0a1b2c3d', endpoint('deleted'), enis);
    const gone = desiredTargets(tg(), 'vpce-0a1b2c3d', undefined, enis);
    expect(deleted).toEqual(gone);
    expect(!gone.ok && gone.error).toMatch(/is deleted or does not exist in this account and region; re-tag/);
  });

  it.each(['pending', 'pendingAcceptance', 'partial'])('%s is not final: the planner waits', (state) => {
    const result = desiredTargets(tg(), 'vpce-0a1b2c3d', endpoint(state), enis);
    expect(result.ok && plan(result.value, [], 'sync').status).toBe('waiting');
  });
});

describe('site validation: IP families', () => {
  it.each<[EndpointIpAddressType, 'ipv4' | 'ipv6', string | null]>([
    ['ipv4', 'ipv4', '10.0.1.4'],
    ['ipv4', 'ipv6', null],
    ['ipv6', 'ipv4', null],
    ['ipv6', 'ipv6', '2600:1f18::4'],
    ['dualstack', 'ipv4', '10.0.1.4'],
    ['dualstack', 'ipv6', '2600:1f18::4'],
  ])('a %s endpoint and an %s target group', (served, family, ip) => {
    const result = desiredTargets(tg(family), 'vpce-0a1b2c3d', endpoint('available', served), enis);
    if (ip) expect(result).toMatchObject({ ok: true, value: { targets: [{ id: ip, port: 443 }] } });
    else {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error).toContain(
        `target group web is ${family} but endpoint vpce-0a1b2c3d serves ${served} only (IpAddressType ${served})`,
      );
    }
  });
});

describe('targets as text', () => {
  it('prints ip:port, IPv6 in brackets', () => {
    expect(formatTarget({ id: '10.1.1.4', port: 8443 })).toBe('10.1.1.4:8443');
    expect(formatTarget({ id: '2600:1f18::4', port: 443 })).toBe('[2600:1f18::4]:443');
  });
});

describe('at the targets quota', () => {
  const desired = {
    endpointState: 'available',
    targets: [
      { id: '10.0.1.4', port: 443 },
      { id: '10.0.2.4', port: 443 },
    ],
  };

  it('deregisters first only while a healthy desired target stays', () => {
    const registered = [
      { id: '10.0.1.4', port: 443, state: 'healthy' },
      { id: '10.9.9.9', port: 443, state: 'healthy' },
    ];
    expect(canDeregisterFirst(plan(desired, registered, 'sync'), registered)).toBe(true);
  });

  it.each([
    ['no desired target registered', [{ id: '10.9.9.9', port: 443, state: 'healthy' }]],
    [
      'the desired target is not healthy',
      [
        { id: '10.0.1.4', port: 443, state: 'unhealthy' },
        { id: '10.9.9.9', port: 443, state: 'healthy' },
      ],
    ],
  ])('never when %s', (_name, registered) => {
    expect(canDeregisterFirst(plan(desired, registered, 'sync'), registered)).toBe(false);
  });

  it('never when the policy does not deregister', () => {
    const registered = [
      { id: '10.0.1.4', port: 443, state: 'healthy' },
      { id: '10.9.9.9', port: 443, state: 'healthy' },
    ];
    expect(canDeregisterFirst(plan(desired, registered, 'upsert-only'), registered)).toBe(false);
  });
});

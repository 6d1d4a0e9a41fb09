import { describe, expect, it } from 'vitest';
import {
  allocateAddress,
  cidrOf,
  contains,
  formatIp,
  overlaps,
  parseCidr,
  parseIp,
  usableAddresses,
  within,
} from './ip.ts';

describe('IP parsing and formatting', () => {
  it.each([
    ['10.0.1.4', '10.0.1.4'],
    ['2600:1f18:0:0:0:0:0:4', '2600:1f18::4'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:db8:0:1:2:3:4:5', '2001:db8:0:1:2:3:4:5'],
  ])('formats %s canonically as %s', (text, canonical) => {
    const ip = parseIp(text);
    expect(ip && formatIp(ip)).toBe(canonical);
  });

  it.each(['10.0.1', '10.0.1.256', '10.0.01.1', '1::2::3', '2001:db8:1:2:3:4:5:6:7', 'g::1', 'vpc-1'])(
    'rejects %s',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it('rejects CIDRs with host bits set or an impossible prefix', () => {
    expect(parseCidr('10.0.0.1/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('2600:1f18::/129')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });
});

describe('CIDR arithmetic', () => {
  it('tests containment and overlap within one family only', () => {
    const vpc = cidrOf('10.0.0.0/16');
    expect(contains(vpc, parseIp('10.0.255.255') ?? { version: 4, value: 0n })).toBe(true);
    expect(contains(vpc, parseIp('10.1.0.0') ?? { version: 4, value: 0n })).toBe(false);
    expect(within(cidrOf('10.0.1.0/24'), vpc)).toBe(true);
    expect(within(vpc, cidrOf('10.0.1.0/24'))).toBe(false);
    expect(overlaps(cidrOf('10.0.1.128/25'), cidrOf('10.0.1.0/24'))).toBe(true);
    expect(overlaps(cidrOf('10.0.2.0/24'), cidrOf('10.0.1.0/24'))).toBe(false);
    expect(contains(cidrOf('::/0'), parseIp('10.0.0.1') ?? { version: 4, value: 0n })).toBe(false);
  });

  it('allocates the lowest free address after the four reserved ones and never the last', () => {
    const subnet = cidrOf('10.0.1.0/28');
    expect(usableAddresses(subnet)).toBe(11n);
    expect(allocateAddress(subnet, new Set())).toBe('10.0.1.4');
    expect(allocateAddress(subnet, new Set(['10.0.1.4', '10.0.1.5']))).toBe('10.0.1.6');
    const full = new Set(Array.from({ length: 11 }, (_, i) => `10.0.1.${i + 4}`));
    expect(allocateAddress(subnet, full)).toBeUndefined();
    expect(allocateAddress(cidrOf('2600:1f18:4b:7001::/64'), new Set())).toBe('2600:1f18:4b:7001::4');
  });
});

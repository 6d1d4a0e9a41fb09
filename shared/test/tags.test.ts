import {
  ENDPOINT_ID_TAG,
  isOptedIn,
  POLICY_TAG,
  parseEndpointId,
  parsePolicy,
  readSiteTags,
} from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';

describe('endpoint id tag', () => {
  it.each(['vpce-0a1b2c3d', 'vpce-0a1b2c3d4e5f60718'])('accepts %s', (id) => {
    expect(parseEndpointId(id)).toEqual({ ok: true, value: id });
  });

  it.each<[string, RegExp]>([
    ['', /is ""; expected 'vpce-' followed by 8 or 17 lowercase hex digits.*\(it is empty\)|it is empty/],
    [' vpce-0a1b2c3d', /leading or trailing spaces/],
    ['VPCE-0A1B2C3D', /endpoint ids are lowercase/],
    ['vpce-0a1b2c3d,vpce-0a1b2c3e', /more than one value/],
    ['vpce-0a1b2c3d vpce-0a1b2c3e', /more than one value/],
    ['vpc-0a1b2c3d', /expected 'vpce-' followed by 8 or 17 lowercase hex digits/],
    ['vpce-0a1b2c3', /expected/],
    ['vpce-0a1b2c3d4e5f6071', /expected/],
    ['vpce-0a1b2c3g', /expected/],
    ['vpce-０a1b2c3d', /expected/],
  ])('rejects %j with a message naming the tag and what is expected', (value, message) => {
    const result = parseEndpointId(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(`tag ${ENDPOINT_ID_TAG} is ${JSON.stringify(value)}`);
      expect(result.error).toMatch(message);
    }
  });

  it('names another source when given one', () => {
    const result = parseEndpointId('nope', 'option --endpoint');
    expect(!result.ok && result.error).toMatch(/^option --endpoint is "nope"; expected/);
  });
});

describe('policy tag', () => {
  it('defaults to sync when absent', () =>
    expect(parsePolicy(undefined)).toEqual({ ok: true, value: 'sync' }));
  it.each(['sync', 'upsert-only', 'observe'])('accepts %s', (p) =>
    expect(parsePolicy(p)).toEqual({ ok: true, value: p }),
  );
  it.each(['', 'Sync', 'upsert', 'create-only', ' sync'])('rejects %j listing the allowed values', (p) => {
    const result = parsePolicy(p);
    expect(!result.ok && result.error).toBe(
      `tag ${POLICY_TAG} is ${JSON.stringify(p)}; expected one of sync, upsert-only, observe (default sync)`,
    );
  });
});

describe('site tags', () => {
  it('opts in on the endpoint tag alone, even with a bad value', () => {
    expect(isOptedIn({ [ENDPOINT_ID_TAG]: 'garbage' })).toBe(true);
    expect(isOptedIn({ Name: 'web', [POLICY_TAG]: 'sync' })).toBe(false);
  });

  it('reads both tags', () => {
    expect(readSiteTags({ [ENDPOINT_ID_TAG]: 'vpce-0a1b2c3d', [POLICY_TAG]: 'observe' })).toEqual({
      ok: true,
      value: { endpointId: 'vpce-0a1b2c3d', policy: 'observe' },
    });
  });

  it('reports every bad tag in one message', () => {
    const result = readSiteTags({ [ENDPOINT_ID_TAG]: 'vpce-x', [POLICY_TAG]: 'yolo' });
    expect(!result.ok && result.error).toMatch(
      /endpoint-id is "vpce-x".*; tag vpce-target-sync:policy is "yolo"/,
    );
  });
});

describe('unknown keys under the vpce-target-sync: prefix', () => {
  const endpoint = { [ENDPOINT_ID_TAG]: 'vpce-0a1b2c3d' };

  it.each<[string, string]>([
    ['vpce-target-sync:Policy', POLICY_TAG],
    ['vpce-target-sync:polcy', POLICY_TAG],
    ['vpce-target-sync:endpoint', ENDPOINT_ID_TAG],
    ['VPCE-TARGET-SYNC:policy', POLICY_TAG],
  ])('%s is an error naming the key and suggesting %s', (key, closest) => {
    const result = readSiteTags({ ...endpoint, [key]: 'observe' });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(`tag ${key} is not a vpce-target-sync: tag key`);
      expect(result.error).toContain(`did you mean ${closest}?`);
    }
  });

  it('names every unknown key next to the other problems, in one message', () => {
    const result = readSiteTags({
      [ENDPOINT_ID_TAG]: 'nope',
      'vpce-target-sync:b': '1',
      'vpce-target-sync:a': '2',
    });
    const error = result.ok ? '' : result.error;
    const at = [
      `tag ${ENDPOINT_ID_TAG} is "nope"`,
      'tag vpce-target-sync:a is',
      'tag vpce-target-sync:b is',
    ].map((part) => error.indexOf(part));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('leaves other tags alone', () => {
    expect(readSiteTags({ ...endpoint, team: 'web', 'vpce-target-sync-owner': 'me' }).ok).toBe(true);
  });
});

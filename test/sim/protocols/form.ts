import type { Params } from './protocol.ts';

// Keys that would write to Object.prototype if taken literally.
const UNSAFE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Decodes an `application/x-www-form-urlencoded` query-protocol body into nested params.
 * Dotted keys become objects and 1-based numeric segments become arrays, so
 * `Filter.1.Value.2=x` is `{ Filter: [{ Value: [, 'x'] }] }` (compacted). The awsQuery list
 * wrapper `member` (`Targets.member.1.Id`) is dropped, giving the same shape as EC2's flat
 * lists. `Action` and `Version` are returned apart from the params.
 */
export function decodeForm(body: string): {
  action: string | undefined;
  version: string | undefined;
  params: Params;
} {
  const root: Params = {};
  let action: string | undefined;
  let version: string | undefined;
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === 'Action') action = value;
    else if (key === 'Version') version = value;
    else assign(root, pathOf(key), value);
  }
  return { action, version, params: compact(root) as Params };
}

function pathOf(key: string): string[] {
  const segments = key.split('.');
  return segments.filter((segment, i) => !(segment === 'member' && /^\d+$/.test(segments[i + 1] ?? '')));
}

function assign(root: Params, path: string[], value: string): void {
  if (path.some((segment) => UNSAFE_KEYS.has(segment))) return;
  let node: Params | unknown[] = root;
  path.forEach((segment, i) => {
    const last = i === path.length - 1;
    const nextIsIndex = /^\d+$/.test(path[i + 1] ?? '');
    const slot: string | number = Array.isArray(node) ? Number(segment) - 1 : segment;
    const container = node as Record<string | number, unknown>;
    if (last) {
      container[slot] = value;
      return;
    }
    const existing = container[slot];
    if (typeof existing !== 'object' || existing === null) container[slot] = nextIsIndex ? [] : {};
    node = container[slot] as Params | unknown[];
  });
}

// Lists arrive dense from the SDK, but a hand-written request may skip an index.
function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined).map(compact);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  }
  return value;
}

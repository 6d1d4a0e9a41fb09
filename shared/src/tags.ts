import { DEFAULT_POLICY, isPolicy, POLICIES, type Policy } from './policy.ts';
import { fail, ok, type Result } from './result.ts';

/** Every tag the product reads starts with this prefix. */
export const TAG_PREFIX = 'vpce-target-sync:';
/** Required: opts a target group in and names the endpoint whose ENI IPs are its targets. */
export const ENDPOINT_ID_TAG = `${TAG_PREFIX}endpoint-id`;
/** Optional: how the target group is kept (see POLICIES). */
export const POLICY_TAG = `${TAG_PREFIX}policy`;
/** Every key the contract defines under TAG_PREFIX; any other key there is a site error. */
export const KNOWN_TAGS: readonly string[] = [ENDPOINT_ID_TAG, POLICY_TAG];

/** AWS endpoint ids: `vpce-` and 8 (older) or 17 lowercase hex digits. */
export const ENDPOINT_ID_PATTERN = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const ENDPOINT_ID_EXPECTED = "'vpce-' followed by 8 or 17 lowercase hex digits, e.g. vpce-0a1b2c3d4e5f60718";

const show = (value: string): string => JSON.stringify(value);

/** Validates an endpoint id; the message names the source (a tag, a flag) so the user knows what to fix. */
export function parseEndpointId(value: string, source: string = `tag ${ENDPOINT_ID_TAG}`): Result<string> {
  if (ENDPOINT_ID_PATTERN.test(value)) return ok(value);
  const hint =
    value.trim() === ''
      ? 'it is empty'
      : value !== value.trim()
        ? 'it has leading or trailing spaces'
        : /[\s,;]/.test(value.trim()) || (value.match(/vpce-/gi)?.length ?? 0) > 1
          ? 'it holds more than one value; name exactly one endpoint'
          : ENDPOINT_ID_PATTERN.test(value.toLowerCase())
            ? 'endpoint ids are lowercase'
            : null;
  return fail(`${source} is ${show(value)}${hint ? ` (${hint})` : ''}; expected ${ENDPOINT_ID_EXPECTED}`);
}

export function parsePolicy(value: string | undefined, source: string = `tag ${POLICY_TAG}`): Result<Policy> {
  if (value === undefined) return ok(DEFAULT_POLICY);
  if (isPolicy(value)) return ok(value);
  return fail(
    `${source} is ${show(value)}; expected one of ${POLICIES.join(', ')} (default ${DEFAULT_POLICY})`,
  );
}

/** What a target group's tags ask for. */
export interface SiteSpec {
  readonly endpointId: string;
  readonly policy: Policy;
}

/** True when the target group opted in, whatever the tag's value (a bad value is a site error, not a skip). */
export const isOptedIn = (tags: Readonly<Record<string, string>>): boolean => ENDPOINT_ID_TAG in tags;

/** Levenshtein distance, for suggesting the known key a misspelt one meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/**
 * A key under our prefix that the contract does not define (`vpce-target-sync:Policy`,
 * `vpce-target-sync:polcy`): an error, never ignored, or a misspelt policy would fall back to `sync`.
 * The prefix is matched case-insensitively, as people type it.
 */
function unknownKeyError(key: string): string {
  const closest = [...KNOWN_TAGS].sort(
    (a, b) => distance(key.toLowerCase(), a) - distance(key.toLowerCase(), b),
  )[0] as string;
  return `tag ${key} is not a ${TAG_PREFIX} tag key; did you mean ${closest}? (known keys: ${KNOWN_TAGS.join(', ')}; keys are case-sensitive)`;
}

export const unknownTagKeys = (tags: Readonly<Record<string, string>>): string[] =>
  Object.keys(tags)
    .filter((key) => key.toLowerCase().startsWith(TAG_PREFIX) && !KNOWN_TAGS.includes(key))
    .sort();

/** Reads an opted-in target group's tags. Every tag is checked, so one message names every problem. */
export function readSiteTags(tags: Readonly<Record<string, string>>): Result<SiteSpec> {
  const endpoint = parseEndpointId(tags[ENDPOINT_ID_TAG] ?? '');
  const policy = parsePolicy(tags[POLICY_TAG]);
  const unknown = unknownTagKeys(tags);
  if (endpoint.ok && policy.ok && unknown.length === 0) {
    return ok({ endpointId: endpoint.value, policy: policy.value });
  }
  const errors = [endpoint, policy].flatMap((r) => (r.ok ? [] : [r.error]));
  return fail([...errors, ...unknown.map(unknownKeyError)].join('; '));
}

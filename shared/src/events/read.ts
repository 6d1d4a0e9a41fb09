import { fail, ok, type Result } from '../result.ts';

/** A parsed JSON object (never an array or null). */
export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads an own property only, so `__proto__`, `constructor` and friends never leak in from the prototype. */
export const own = (object: JsonObject, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

/** Follows a path of own properties; undefined as soon as a step is missing or not an object. */
export function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = own(current, key);
  }
  return current;
}

// Long enough for any ARN, short enough to keep a log line readable.
const PREVIEW_LENGTH = 200;

/** A short, quoted rendering of an untrusted value for a message, with its kind when that is not obvious. */
export function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (text.length > PREVIEW_LENGTH) text = `${text.slice(0, PREVIEW_LENGTH)}…`;
  return kind === 'string' || kind === 'null' ? text : `${text} (${kind})`;
}

/** "`field` is `value`; expected `what`", or "`field` is missing; expected `what`". */
export const problem = (field: string, value: unknown, expected: string): string =>
  value === undefined
    ? `${field} is missing; expected ${expected}`
    : `${field} is ${preview(value)}; expected ${expected}`;

/** First-seen order, duplicates dropped. */
export const unique = (values: readonly string[]): string[] => [...new Set(values)];

/** A non-empty string, or a message naming the field. */
export function readString(value: unknown, field: string, expected: string): Result<string> {
  return typeof value === 'string' && value !== '' ? ok(value) : fail(problem(field, value, expected));
}

/**
 * Reads a list parameter of an EC2 CloudTrail record. EC2 logs its query-protocol request as
 * `<Action>Request` with PascalCase singular keys; a list member is `{ "tag": 1, "content": "…" }`,
 * several members are an array of those, and a single value may also appear as a plain string.
 */
export function readEc2List(value: unknown, field: string, expected: string): Result<string[]> {
  const members = Array.isArray(value) ? value : [value];
  const values: string[] = [];
  for (const [index, member] of members.entries()) {
    const name = Array.isArray(value) ? `${field}[${index}]` : field;
    const content = isObject(member) ? own(member, 'content') : member;
    if (typeof content === 'string' && content !== '') {
      values.push(content);
      continue;
    }
    if (isObject(member)) return fail(problem(`${name}.content`, content, expected));
    return fail(
      problem(name, member, `${expected}, as a string, a {"tag", "content"} item or an array of those`),
    );
  }
  return ok(values);
}

/** Reads a JSON array of strings (ELBv2 records use plain camelCase JSON lists). */
export function readStringArray(value: unknown, field: string, expected: string): Result<string[]> {
  if (!Array.isArray(value)) return fail(problem(field, value, `an array of ${expected}`));
  const values: string[] = [];
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' || item === '') return fail(problem(`${field}[${index}]`, item, expected));
    values.push(item);
  }
  return ok(values);
}

/** JSON.parse as a Result, with the parser's message on failure. */
export function parseJson(text: string): Result<unknown> {
  try {
    return ok(JSON.parse(text));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

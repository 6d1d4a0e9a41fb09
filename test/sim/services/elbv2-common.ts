import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Elbv2State, ListenerAction, LoadBalancer, Tags, TargetGroup } from '../state.ts';
import { type Page, paginate } from './paging.ts';
import { ParamReader } from './params.ts';
import type { ServiceContext } from './service.ts';

/** Tags per load balancer or target group. */
export const MAX_TAGS = 50;
// The Tag API reference: keys 1-128 and values 0-256 characters of letters, spaces, numbers
// and `_ . : / = + - @`; the `aws:` prefix (any case) is reserved for AWS.
const TAG_KEY_MAX_LENGTH = 128;
const TAG_VALUE_MAX_LENGTH = 256;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_PATTERN_TEXT = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';
const RESERVED_TAG_PREFIX = 'aws:';
/** Resource types as GetResources ResourceTypeFilters name them. */
export const TARGET_GROUP_TYPE = 'elasticloadbalancing:targetgroup';
export const LOAD_BALANCER_TYPE = 'elasticloadbalancing:loadbalancer';
/** DescribeTargetGroups / DescribeLoadBalancers PageSize bounds. */
const PAGE_SIZE = { min: 1, max: 400 };
// Target group and load balancer names: 1-32 alphanumerics or hyphens, no hyphen at either end.
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const MAX_NAME_LENGTH = 32;

export function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** ELBv2 reports parameter problems as ValidationError with the member's lowerCamel path. */
export function elbParams(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) =>
      validation(
        `1 validation error detected: Value null at '${memberPath(name)}' failed to satisfy constraint: Member must not be null`,
      ),
    invalid: (name, value) =>
      validation(
        `1 validation error detected: Value '${String(value)}' at '${memberPath(name)}' failed to satisfy constraint`,
      ),
  });
}

function memberPath(name: string): string {
  return name
    .split('.')
    .map((segment) => segment.charAt(0).toLowerCase() + segment.slice(1))
    .join('.');
}

export function intInRange(p: ParamReader, name: string, min: number, max: number): number | undefined {
  const value = p.optInt(name);
  if (value !== undefined && (value < min || value > max)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${memberPath(name)}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
  return value;
}

export function validateName(kind: 'Target group' | 'Load balancer', name: string): void {
  if (name.length > MAX_NAME_LENGTH) {
    throw validation(`${kind} name '${name}' cannot be longer than '${MAX_NAME_LENGTH}' characters`);
  }
  if (!NAME.test(name)) {
    throw validation(
      `${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-) and must not begin or end with a hyphen`,
    );
  }
}

export type ArnKind = 'target group' | 'load balancer';
const ARN_RESOURCE: Record<ArnKind, string> = {
  'target group': 'targetgroup',
  'load balancer': 'loadbalancer',
};

/**
 * ELBv2 answers ValidationError, not TargetGroupNotFound, for an ARN of another region or
 * account (or for anything that is not an ARN at all), and words it as below.
 */
export function checkArn(kind: ArnKind, arn: string, ctx: ServiceContext): void {
  const prefix = `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.accountId}:${ARN_RESOURCE[kind]}/`;
  if (!arn.startsWith(prefix)) throw validation(`'${arn}' is not a valid ${kind} ARN`);
}

/**
 * Target group name -> ARN beside `elbv2.targetGroups`, so CreateTargetGroup's name check is not a
 * scan of every group (seeding 40,000 groups would be quadratic). It is rebuilt whenever the map's
 * size is not the one it last saw, so groups a test adds to or deletes from the state directly
 * are picked up.
 */
const nameIndexes = new WeakMap<Elbv2State['targetGroups'], { size: number; arns: Map<string, string> }>();

function nameIndex(elbv2: Elbv2State): { size: number; arns: Map<string, string> } {
  const groups = elbv2.targetGroups;
  let index = nameIndexes.get(groups);
  if (index?.size !== groups.size) {
    index = {
      size: groups.size,
      arns: new Map([...groups.values()].map((group) => [group.name, group.arn])),
    };
    nameIndexes.set(groups, index);
  }
  return index;
}

/** The target group with this name, if any. */
export function targetGroupNamed(elbv2: Elbv2State, name: string): TargetGroup | undefined {
  const group = elbv2.targetGroups.get(nameIndex(elbv2).arns.get(name) ?? '');
  return group?.name === name ? group : undefined;
}

/** Tells the name index of a group CreateTargetGroup has just added to `elbv2.targetGroups`. */
export function indexTargetGroupName(elbv2: Elbv2State, group: TargetGroup): void {
  const index = nameIndexes.get(elbv2.targetGroups);
  // Only an index that was current before this one group was added can simply take it.
  if (index?.size !== elbv2.targetGroups.size - 1) return;
  index.arns.set(group.name, group.arn);
  index.size = elbv2.targetGroups.size;
}

export function requireTargetGroup(ctx: ServiceContext, arn: string): TargetGroup {
  checkArn('target group', arn, ctx);
  const group = ctx.state.elbv2.targetGroups.get(arn);
  if (!group) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return group;
}

export function requireLoadBalancer(ctx: ServiceContext, arn: string): LoadBalancer {
  checkArn('load balancer', arn, ctx);
  const balancer = ctx.state.elbv2.loadBalancers.get(arn);
  if (!balancer) throw new AwsError('LoadBalancerNotFound', `Load balancers '${arn}' not found`);
  return balancer;
}

/**
 * Where a target group is used: each listener whose default actions or rules forward to it, with
 * the instant that use began (the listener's or the rule's creation).
 */
function usesOf(elbv2: Elbv2State, targetGroupArn: string): { loadBalancerArn: string; since: number }[] {
  const forwards = (actions: readonly ListenerAction[]) =>
    actions.some((action) => action.targetGroupArns.includes(targetGroupArn));
  const uses: { loadBalancerArn: string; since: number }[] = [];
  for (const listener of elbv2.listeners.values()) {
    if (forwards(listener.defaultActions))
      uses.push({ loadBalancerArn: listener.loadBalancerArn, since: listener.createdAt });
  }
  for (const rule of elbv2.rules.values()) {
    const listener = elbv2.listeners.get(rule.listenerArn);
    if (listener && forwards(rule.actions))
      uses.push({ loadBalancerArn: listener.loadBalancerArn, since: rule.createdAt });
  }
  return uses;
}

/** The load balancers whose listeners (default actions or rules) forward to a target group: what makes it "in use". */
export function loadBalancerArnsOf(elbv2: Elbv2State, targetGroupArn: string): string[] {
  return [...new Set(usesOf(elbv2, targetGroupArn).map((use) => use.loadBalancerArn))];
}

/** When a target group first got a listener or rule, or undefined while none uses it. */
export function inUseSince(elbv2: Elbv2State, targetGroupArn: string): number | undefined {
  const times = usesOf(elbv2, targetGroupArn).map((use) => use.since);
  return times.length > 0 ? Math.min(...times) : undefined;
}

export function tagList(tags: Tags): { Key: string; Value: string }[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/** `Tags.member.N` of a request, validated and refusing duplicate keys as ELBv2 does. */
export function readTags(p: ParamReader): Tags {
  const tags: Tags = new Map();
  p.list('Tags').forEach((tag, i) => {
    const key = tag.str('Key');
    const value = tag.optStr('Value') ?? '';
    validateTagKey(key, `Tags.${i + 1}.Key`);
    validateTagText(value, `Tags.${i + 1}.Value`, TAG_VALUE_MAX_LENGTH);
    if (tags.has(key)) throw new AwsError('DuplicateTagKeys', `Tag key '${key}' specified more than once`);
    tags.set(key, value);
  });
  if (tags.size > MAX_TAGS) throw tooManyTags();
  return tags;
}

/** A tag key as the Tag API reference constrains it, the reserved `aws:` prefix refused. */
export function validateTagKey(key: string, name: string): void {
  validateTagText(key, name, TAG_KEY_MAX_LENGTH);
  if (key.toLowerCase().startsWith(RESERVED_TAG_PREFIX)) {
    throw validation(
      `Tag key '${key}' is not valid: the '${RESERVED_TAG_PREFIX}' prefix is reserved for AWS use`,
    );
  }
}

function validateTagText(text: string, name: string, maxLength: number): void {
  const constraint = (rule: string) =>
    validation(
      `1 validation error detected: Value '${text}' at '${memberPath(name)}' failed to satisfy constraint: ${rule}`,
    );
  // Lengths are in Unicode characters, not UTF-16 units.
  if ([...text].length > maxLength) {
    throw constraint(`Member must have length less than or equal to ${maxLength}`);
  }
  if (!TAG_CHARACTERS.test(text)) {
    throw constraint(`Member must satisfy regular expression pattern: ${TAG_PATTERN_TEXT}`);
  }
}

/**
 * Records a resource's tags as they are now, for the tagging index (`tag:GetResources`), which
 * reads them with its lag. Call after every change: creation, AddTags, RemoveTags, deletion
 * (`tags` undefined). A resource arranged directly in state has no history until its first
 * change; its earlier tags are then kept as the state since forever.
 */
export function recordTags(
  elbv2: Elbv2State,
  resource: { readonly arn: string; readonly seq: number; readonly type: string },
  tags: Tags | undefined,
  at: number,
  before?: Tags,
): void {
  let history = elbv2.tagHistory.get(resource.arn);
  if (!history) {
    history = { arn: resource.arn, seq: resource.seq, type: resource.type, changes: [] };
    if (before) history.changes.push({ at: Number.NEGATIVE_INFINITY, tags: new Map(before) });
    elbv2.tagHistory.set(resource.arn, history);
  }
  history.changes.push({ at, tags: tags && new Map(tags) });
}

export function tooManyTags(): AwsError {
  return new AwsError('TooManyTags', `A resource can have at most ${MAX_TAGS} tags`);
}

/** Marker + PageSize paging shared by the Describe calls. */
export function pageOf<T extends { readonly seq: number }>(p: ParamReader, items: readonly T[]): Page<T> {
  const size = intInRange(p, 'PageSize', PAGE_SIZE.min, PAGE_SIZE.max) ?? PAGE_SIZE.max;
  return paginate(items, p.optStr('Marker'), size, () => validation('The marker is not valid'));
}

/** At most one of the mutually exclusive selectors of a Describe call. */
export function atMostOne(selectors: Readonly<Record<string, boolean>>): void {
  const given = Object.entries(selectors).filter(([, present]) => present);
  if (given.length > 1) {
    throw validation(`${given.map(([name]) => name).join(', ')} cannot be specified at the same time`);
  }
}

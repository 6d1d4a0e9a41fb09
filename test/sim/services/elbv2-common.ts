import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Elbv2State, LoadBalancer, Tags, TargetGroup } from '../state.ts';
import { type Page, paginate } from './paging.ts';
import { ParamReader } from './params.ts';

/** Tags per load balancer or target group. */
export const MAX_TAGS = 50;
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

export function requireTargetGroup(elbv2: Elbv2State, arn: string): TargetGroup {
  const group = elbv2.targetGroups.get(arn);
  if (!group) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return group;
}

export function requireLoadBalancer(elbv2: Elbv2State, arn: string): LoadBalancer {
  const balancer = elbv2.loadBalancers.get(arn);
  if (!balancer) throw new AwsError('LoadBalancerNotFound', `Load balancers '${arn}' not found`);
  return balancer;
}

/** The load balancers whose listeners forward to a target group: what makes it "in use". */
export function loadBalancerArnsOf(elbv2: Elbv2State, targetGroupArn: string): string[] {
  const arns = new Set<string>();
  for (const listener of elbv2.listeners.values()) {
    if (listener.defaultActions.some((action) => action.targetGroupArns.includes(targetGroupArn))) {
      arns.add(listener.loadBalancerArn);
    }
  }
  return [...arns];
}

/** When a target group first got a listener, or undefined while no listener uses it. */
export function inUseSince(elbv2: Elbv2State, targetGroupArn: string): number | undefined {
  const times = [...elbv2.listeners.values()]
    .filter((listener) =>
      listener.defaultActions.some((action) => action.targetGroupArns.includes(targetGroupArn)),
    )
    .map((listener) => listener.createdAt);
  return times.length > 0 ? Math.min(...times) : undefined;
}

export function tagList(tags: Tags): { Key: string; Value: string }[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/** `Tags.member.N` of a request, refusing duplicate keys as ELBv2 does. */
export function readTags(p: ParamReader): Tags {
  const tags: Tags = new Map();
  for (const tag of p.list('Tags')) {
    const key = tag.str('Key');
    if (tags.has(key)) throw new AwsError('DuplicateTagKeys', `Tag key '${key}' specified more than once`);
    tags.set(key, tag.optStr('Value') ?? '');
  }
  if (tags.size > MAX_TAGS) throw tooManyTags();
  return tags;
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

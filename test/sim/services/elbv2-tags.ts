import type { Params } from '../protocols/protocol.ts';
import type { Tags } from '../state.ts';
import {
  elbParams,
  LOAD_BALANCER_TYPE,
  MAX_TAGS,
  readTags,
  recordTags,
  requireLoadBalancer,
  requireTargetGroup,
  TARGET_GROUP_TYPE,
  tagList,
  tooManyTags,
  validateTagKey,
  validation,
} from './elbv2-common.ts';
import type { Operations, ServiceContext } from './service.ts';

/** DescribeTags takes at most this many ARNs per call. */
const MAX_DESCRIBE_ARNS = 20;

interface Taggable {
  readonly arn: string;
  readonly seq: number;
  readonly type: string;
  readonly tags: Tags;
}

/**
 * The target group or load balancer an ARN names, failing with the error for its kind:
 * ValidationError for an ARN of another region or account, NotFound for a missing one.
 */
function resourceOf(ctx: ServiceContext, arn: string): Taggable {
  if (arn.includes(':targetgroup/')) return { ...requireTargetGroup(ctx, arn), type: TARGET_GROUP_TYPE };
  if (arn.includes(':loadbalancer/')) return { ...requireLoadBalancer(ctx, arn), type: LOAD_BALANCER_TYPE };
  throw validation(`'${arn}' is not a valid target group or load balancer ARN`);
}

function resourceArns(params: Params): string[] {
  const arns = elbParams(params).strList('ResourceArns');
  if (arns.length === 0) throw validation('At least one resource ARN must be specified');
  return arns;
}

/** Always the resource's own tags, never the tagging index's view. */
function describeTags(params: Params, ctx: ServiceContext): object {
  const arns = resourceArns(params);
  if (arns.length > MAX_DESCRIBE_ARNS) {
    throw validation(
      `1 validation error detected: Value '[${arns.join(', ')}]' at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIBE_ARNS}`,
    );
  }
  return {
    TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagList(resourceOf(ctx, arn).tags) })),
  };
}

function addTags(params: Params, ctx: ServiceContext): object {
  const added = readTags(elbParams(params));
  if (added.size === 0) throw validation('At least one tag must be specified');
  const resources = resourceArns(params).map((arn) => resourceOf(ctx, arn));
  // All resources are checked before any is changed, so a failed call changes nothing.
  for (const { tags } of resources) {
    if (new Set([...tags.keys(), ...added.keys()]).size > MAX_TAGS) throw tooManyTags();
  }
  const now = ctx.clock.now();
  for (const resource of resources) {
    const before = new Map(resource.tags);
    for (const [key, value] of added) resource.tags.set(key, value);
    recordTags(ctx.state.elbv2, resource, resource.tags, now, before);
  }
  return {};
}

function removeTags(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const keys = p.strList('TagKeys');
  if (keys.length === 0) throw validation('At least one tag key must be specified');
  keys.forEach((key, i) => validateTagKey(key, `TagKeys.${i + 1}`));
  const resources = resourceArns(params).map((arn) => resourceOf(ctx, arn));
  const now = ctx.clock.now();
  for (const resource of resources) {
    const before = new Map(resource.tags);
    for (const key of keys) resource.tags.delete(key);
    recordTags(ctx.state.elbv2, resource, resource.tags, now, before);
  }
  return {};
}

export const tagOperations: Operations = {
  DescribeTags: describeTags,
  AddTags: addTags,
  RemoveTags: removeTags,
};

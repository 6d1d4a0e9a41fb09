import type { Params } from '../protocols/protocol.ts';
import type { Elbv2State, Tags } from '../state.ts';
import {
  elbParams,
  MAX_TAGS,
  readTags,
  requireLoadBalancer,
  requireTargetGroup,
  tagList,
  tooManyTags,
  validation,
} from './elbv2-common.ts';
import type { Operations, ServiceContext } from './service.ts';

/** DescribeTags takes at most this many ARNs per call. */
const MAX_DESCRIBE_ARNS = 20;

/** The tags of a target group or load balancer, failing with the error for its kind. */
function tagsOf(elbv2: Elbv2State, arn: string): Tags {
  if (arn.includes(':targetgroup/')) return requireTargetGroup(elbv2, arn).tags;
  if (arn.includes(':loadbalancer/')) return requireLoadBalancer(elbv2, arn).tags;
  throw validation(`'${arn}' is not a valid target group or load balancer ARN`);
}

function resourceArns(params: Params): string[] {
  const arns = elbParams(params).strList('ResourceArns');
  if (arns.length === 0) throw validation('At least one resource ARN must be specified');
  return arns;
}

function describeTags(params: Params, ctx: ServiceContext): object {
  const arns = resourceArns(params);
  if (arns.length > MAX_DESCRIBE_ARNS) {
    throw validation(
      `1 validation error detected: Value '[${arns.join(', ')}]' at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to ${MAX_DESCRIBE_ARNS}`,
    );
  }
  return {
    TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagList(tagsOf(ctx.state.elbv2, arn)) })),
  };
}

function addTags(params: Params, ctx: ServiceContext): object {
  const added = readTags(elbParams(params));
  if (added.size === 0) throw validation('At least one tag must be specified');
  const targets = resourceArns(params).map((arn) => tagsOf(ctx.state.elbv2, arn));
  // All resources are checked before any is changed, so a failed call changes nothing.
  for (const tags of targets) {
    if (new Set([...tags.keys(), ...added.keys()]).size > MAX_TAGS) throw tooManyTags();
  }
  for (const tags of targets) for (const [key, value] of added) tags.set(key, value);
  return {};
}

function removeTags(params: Params, ctx: ServiceContext): object {
  const keys = elbParams(params).strList('TagKeys');
  if (keys.length === 0) throw validation('At least one tag key must be specified');
  const targets = resourceArns(params).map((arn) => tagsOf(ctx.state.elbv2, arn));
  for (const tags of targets) for (const key of keys) tags.delete(key);
  return {};
}

export const tagOperations: Operations = {
  DescribeTags: describeTags,
  AddTags: addTags,
  RemoveTags: removeTags,
};

import { fail, ok, type Result } from '../result.ts';
import { TAG_PREFIX } from '../tags.ts';
import {
  isCallByRole,
  readEndpointId,
  readTargetGroupArn,
  TARGET_GROUP_ARN_EXPECTED,
  targetGroupsAmong,
} from './identifiers.ts';
import { at, isObject, type JsonObject, own, problem, readEc2List, readStringArray } from './read.ts';

/** The `detail-type` EventBridge gives every CloudTrail management event it forwards. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** What one event points at; the caller maps endpoint ids to the sites that name them. */
export interface Affected {
  readonly endpointIds: readonly string[];
  readonly targetGroupArns: readonly string[];
}

export interface HandlerInput {
  /** The CloudTrail record (the EventBridge event's `detail`). */
  readonly detail: JsonObject;
  readonly eventName: string;
  /** The reconciler's own role: its writes are not news. */
  readonly ownRoleArn: string | undefined;
}

/** Reads one kind of record. A failure is the reason the event is ignored. */
export type Handler = (input: HandlerInput) => Result<Affected>;

export interface SourceHandlers {
  /** EventBridge `source`. */
  readonly source: string;
  /** CloudTrail `eventSource` of the same service. */
  readonly eventSource: string;
  /** Keyed by CloudTrail `eventName`; a Map, so names like `constructor` are never found by accident. */
  readonly handlers: ReadonlyMap<string, Handler>;
}

const endpoints = (endpointIds: readonly string[]): Affected => ({ endpointIds, targetGroupArns: [] });
const targetGroups = (targetGroupArns: readonly string[]): Affected => ({ endpointIds: [], targetGroupArns });

/** EC2 wraps a request in `requestParameters.<Action>Request`; the ids are its `VpcEndpointId` list. */
function requestedEndpointIds({ detail, eventName }: HandlerInput): Result<Affected> {
  const requestField = `detail.requestParameters.${eventName}Request`;
  const request = at(detail, ['requestParameters', `${eventName}Request`]);
  if (!isObject(request))
    return fail(
      problem(requestField, request, `an object (EC2 records wrap the request in ${eventName}Request)`),
    );
  const field = `${requestField}.VpcEndpointId`;
  const listed = readEc2List(own(request, 'VpcEndpointId'), field, 'an endpoint id');
  if (!listed.ok) return listed;
  if (listed.value.length === 0) return fail(`${field} lists no endpoint id; expected at least one`);
  const ids: string[] = [];
  for (const [index, id] of listed.value.entries()) {
    const read = readEndpointId(id, listed.value.length > 1 ? `${field}[${index}]` : field);
    if (!read.ok) return read;
    ids.push(read.value);
  }
  return ok(endpoints(ids));
}

function createdEndpointId({ detail }: HandlerInput): Result<Affected> {
  const path = ['responseElements', 'CreateVpcEndpointResponse', 'vpcEndpoint', 'vpcEndpointId'];
  const id = readEndpointId(at(detail, path), `detail.${path.join('.')}`);
  return id.ok ? ok(endpoints([id.value])) : id;
}

function requestedTargetGroup({ detail }: HandlerInput): Result<Affected> {
  const arn = readTargetGroupArn(
    at(detail, ['requestParameters', 'targetGroupArn']),
    'detail.requestParameters.targetGroupArn',
  );
  return arn.ok ? ok(targetGroups([arn.value])) : arn;
}

/** Target changes by anyone else are drift the reconciler must undo (its own are dropped before, see interpret). */
function changedTargets(input: HandlerInput): Result<Affected> {
  return requestedTargetGroup(input);
}

/** Calls the reconciler itself makes: their events are echoes of its own fix, not news. */
export const OWN_WRITE_EVENTS: ReadonlySet<string> = new Set(['RegisterTargets', 'DeregisterTargets']);

function createdTargetGroups({ detail }: HandlerInput): Result<Affected> {
  const field = 'detail.responseElements.targetGroups';
  const created = at(detail, ['responseElements', 'targetGroups']);
  if (!Array.isArray(created) || created.length === 0)
    return fail(problem(field, created, 'a non-empty array of the created target groups'));
  const arns: string[] = [];
  for (const [index, group] of created.entries()) {
    const arn = readTargetGroupArn(
      isObject(group) ? own(group, 'targetGroupArn') : undefined,
      `${field}[${index}].targetGroupArn`,
    );
    if (!arn.ok) return arn;
    arns.push(arn.value);
  }
  return ok(targetGroups(arns));
}

const isOurTagKey = (key: string): boolean => key.startsWith(TAG_PREFIX);

/** Only changes to our tag keys opt a target group in or out or change its endpoint or policy. */
function changedTags(keys: readonly string[], input: HandlerInput): Result<Affected> {
  if (!keys.some(isOurTagKey)) {
    const listed = keys.length === 0 ? 'none' : keys.map((key) => JSON.stringify(key)).join(', ');
    return fail(`irrelevant tag change: no tag key starts with "${TAG_PREFIX}" (keys: ${listed})`);
  }
  const field = 'detail.requestParameters.resourceArns';
  const arns = readStringArray(
    at(input.detail, ['requestParameters', 'resourceArns']),
    field,
    'resource ARNs',
  );
  if (!arns.ok) return arns;
  const groups = targetGroupsAmong(arns.value, field);
  if (!groups.ok) return groups;
  if (groups.value.length === 0)
    return fail(
      `${field} names no target group (only other Elastic Load Balancing resources); expected ${TARGET_GROUP_ARN_EXPECTED}`,
    );
  return ok(targetGroups(groups.value));
}

function addedTags(input: HandlerInput): Result<Affected> {
  const field = 'detail.requestParameters.tags';
  const tags = at(input.detail, ['requestParameters', 'tags']);
  if (!Array.isArray(tags)) return fail(problem(field, tags, 'an array of {"key", "value"} tags'));
  const keys: string[] = [];
  for (const [index, tag] of tags.entries()) {
    const key = isObject(tag) ? own(tag, 'key') : undefined;
    if (typeof key !== 'string' || key === '')
      return fail(
        problem(
          isObject(tag) ? `${field}[${index}].key` : `${field}[${index}]`,
          isObject(tag) ? key : tag,
          'a {"key", "value"} tag with a string key',
        ),
      );
    keys.push(key);
  }
  return changedTags(keys, input);
}

function removedTags(input: HandlerInput): Result<Affected> {
  const keys = readStringArray(
    at(input.detail, ['requestParameters', 'tagKeys']),
    'detail.requestParameters.tagKeys',
    'tag keys',
  );
  return keys.ok ? changedTags(keys.value, input) : keys;
}

/**
 * The contract's events (docs/DESIGN.md, "Events") and how to read each. This table is the one source:
 * the EventBridge patterns are built from it, so the rules deliver exactly what the parser reads.
 */
export const EVENT_HANDLERS: readonly SourceHandlers[] = [
  {
    source: 'aws.ec2',
    eventSource: 'ec2.amazonaws.com',
    handlers: new Map<string, Handler>([
      ['CreateVpcEndpoint', createdEndpointId],
      ['ModifyVpcEndpoint', requestedEndpointIds],
      ['DeleteVpcEndpoints', requestedEndpointIds],
    ]),
  },
  {
    source: 'aws.elasticloadbalancing',
    eventSource: 'elasticloadbalancing.amazonaws.com',
    handlers: new Map<string, Handler>([
      ['CreateTargetGroup', createdTargetGroups],
      ['AddTags', addedTags],
      ['RemoveTags', removedTags],
      ['RegisterTargets', changedTargets],
      ['DeregisterTargets', changedTargets],
      ['DeleteTargetGroup', requestedTargetGroup],
    ]),
  },
];

/** The events the reconciler acts on, per source: what the rules match and the parser accepts. */
export const WATCHED_EVENTS: readonly {
  readonly source: string;
  readonly eventSource: string;
  readonly eventNames: readonly string[];
}[] = EVENT_HANDLERS.map(({ source, eventSource, handlers }) => ({
  source,
  eventSource,
  eventNames: [...handlers.keys()],
}));

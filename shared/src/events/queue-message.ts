import { fail, ok, type Result } from '../result.ts';
import { ENDPOINT_ID_PATTERN } from '../tags.ts';
import {
  ENDPOINT_ID_EXPECTED,
  readEndpointId,
  readTargetGroupArn,
  TARGET_GROUP_ARN_EXPECTED,
  TARGET_GROUP_ARN_PATTERN,
} from './identifiers.ts';
import { type EventInterpretation, type InterpretOptions, interpretEvent } from './interpret.ts';
import { isObject, own, parseJson, preview, problem, unique } from './read.ts';

/** Marks a message the reconciler sent itself, so it is never mistaken for an EventBridge event. */
export const REQUEUE_KIND = 'vpce-target-sync/requeue';
export const REQUEUE_VERSION = 1;

/** Sites the event path could not finish (e.g. an endpoint still `pending`), sent back to its queue to retry later. */
export type RequeueMessage = {
  kind: typeof REQUEUE_KIND;
  version: typeof REQUEUE_VERSION;
  targetGroupArns: string[];
  endpointIds: string[];
  /** 1 for the first re-queue; the consumer derives the back-off and gives up from it. */
  attempt: number;
  /** Why the sites wait, for logs. */
  reason: string;
};

/** What a message on the events queue asks for: sites (from an event or a re-queue), or why it is ignored. */
export type QueueMessageInterpretation = EventInterpretation | { kind: 'requeue'; message: RequeueMessage };

const ATTEMPT_EXPECTED = 'a whole number of at least 1';

/**
 * Builds a re-queue message. Throws RangeError on input the consumer would reject (a programming
 * error in the producer), so a message that is sent is always one that parses.
 */
export function buildRequeueMessage(input: {
  readonly targetGroupArns?: readonly string[];
  readonly endpointIds?: readonly string[];
  readonly attempt: number;
  readonly reason: string;
}): RequeueMessage {
  const message: RequeueMessage = {
    kind: REQUEUE_KIND,
    version: REQUEUE_VERSION,
    targetGroupArns: unique(input.targetGroupArns ?? []),
    endpointIds: unique(input.endpointIds ?? []),
    attempt: input.attempt,
    reason: input.reason,
  };
  const bad =
    message.targetGroupArns.find((arn) => !TARGET_GROUP_ARN_PATTERN.test(arn)) ??
    message.endpointIds.find((id) => !ENDPOINT_ID_PATTERN.test(id));
  if (bad !== undefined)
    throw new RangeError(
      `re-queue message names ${JSON.stringify(bad)}; expected ${TARGET_GROUP_ARN_EXPECTED} or ${ENDPOINT_ID_EXPECTED}`,
    );
  if (message.targetGroupArns.length + message.endpointIds.length === 0)
    throw new RangeError(
      're-queue message names no site; expected at least one target group ARN or endpoint id',
    );
  if (!Number.isInteger(message.attempt) || message.attempt < 1)
    throw new RangeError(`re-queue attempt is ${message.attempt}; expected ${ATTEMPT_EXPECTED}`);
  return message;
}

function readIds(
  value: unknown,
  field: string,
  read: (item: unknown, field: string) => Result<string>,
): Result<string[]> {
  if (value === undefined) return ok([]);
  if (!Array.isArray(value)) return fail(problem(field, value, 'an array'));
  const ids: string[] = [];
  for (const [index, item] of value.entries()) {
    const id = read(item, `${field}[${index}]`);
    if (!id.ok) return id;
    ids.push(id.value);
  }
  return ok(unique(ids));
}

/** Validates a parsed re-queue message; the error names the field and what was expected. */
export function parseRequeueMessage(value: unknown): Result<RequeueMessage> {
  if (!isObject(value)) return fail(`the re-queue message is ${preview(value)}; expected a JSON object`);
  if (own(value, 'kind') !== REQUEUE_KIND)
    return fail(problem('kind', own(value, 'kind'), JSON.stringify(REQUEUE_KIND)));
  const version = own(value, 'version');
  if (version !== REQUEUE_VERSION)
    return fail(
      problem('version', version, `${REQUEUE_VERSION} (a message from another release of vpce-target-sync?)`),
    );
  const targetGroupArns = readIds(own(value, 'targetGroupArns'), 'targetGroupArns', readTargetGroupArn);
  if (!targetGroupArns.ok) return targetGroupArns;
  const endpointIds = readIds(own(value, 'endpointIds'), 'endpointIds', readEndpointId);
  if (!endpointIds.ok) return endpointIds;
  if (targetGroupArns.value.length + endpointIds.value.length === 0)
    return fail('the re-queue message names no site; expected at least one of targetGroupArns, endpointIds');
  const attempt = own(value, 'attempt');
  if (typeof attempt !== 'number' || !Number.isInteger(attempt) || attempt < 1)
    return fail(problem('attempt', attempt, ATTEMPT_EXPECTED));
  const reason = own(value, 'reason');
  if (typeof reason !== 'string') return fail(problem('reason', reason, 'a string'));
  return ok({
    kind: REQUEUE_KIND,
    version: REQUEUE_VERSION,
    targetGroupArns: targetGroupArns.value,
    endpointIds: endpointIds.value,
    attempt,
    reason,
  });
}

/**
 * Reads the body of a message on the events queue: either an EventBridge event (see
 * {@link interpretEvent}) or a re-queue message the reconciler sent itself. Never throws.
 */
export function interpretQueueMessage(
  body: string,
  options: InterpretOptions = {},
): QueueMessageInterpretation {
  const parsed = parseJson(body);
  if (!parsed.ok)
    return {
      kind: 'ignored',
      reason: `the message body is not valid JSON (${parsed.error}); expected an EventBridge event or a re-queue message`,
    };
  if (isObject(parsed.value) && own(parsed.value, 'kind') === REQUEUE_KIND) {
    const message = parseRequeueMessage(parsed.value);
    return message.ok
      ? { kind: 'requeue', message: message.value }
      : { kind: 'ignored', reason: `invalid re-queue message: ${message.error}` };
  }
  return interpretEvent(parsed.value, options);
}

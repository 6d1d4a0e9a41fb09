import {
  CLOUDTRAIL_DETAIL_TYPE,
  EVENT_HANDLERS,
  type Handler,
  OWN_WRITE_EVENTS,
  type SourceHandlers,
} from './handlers.ts';
import { actorOf, isCallByRole } from './identifiers.ts';
import { isObject, type JsonObject, own, parseJson, preview, problem, unique } from './read.ts';

/** What an event means to the reconciler: the sites it may affect, or why it is acknowledged without action. */
export type EventInterpretation =
  | {
      kind: 'sites';
      eventName: string;
      /** EventBridge source, e.g. `aws.ec2`. */
      source: string;
      /** Endpoints whose sites (target groups tagged with them) must be reconciled. */
      endpointIds: string[];
      targetGroupArns: string[];
      /** Who made the call (caller ARN, session issuer or invoking service), for logs. */
      actor?: string;
    }
  | {
      kind: 'ignored';
      reason: string;
      eventName?: string;
      /** The reconciler's own RegisterTargets/DeregisterTargets: an expected echo, not a bad event. */
      ownWrite?: true;
    };

export interface InterpretOptions {
  /** The reconciler's own role ARN (with or without a path): its RegisterTargets/DeregisterTargets are ignored. */
  readonly ownRoleArn?: string | undefined;
}

const SOURCES = new Map(EVENT_HANDLERS.map((spec) => [spec.source, spec]));

const ignored = (reason: string, eventName?: unknown): EventInterpretation =>
  typeof eventName === 'string' && eventName !== ''
    ? { kind: 'ignored', reason, eventName }
    : { kind: 'ignored', reason };

/**
 * Reads an EventBridge event of detail-type `AWS API Call via CloudTrail` (or its JSON text) and
 * says which sites it affects. Never throws: anything unexpected is `ignored` with a reason that
 * names the field and what was expected, so the caller can log and count it instead of retrying.
 */
export function interpretEvent(event: unknown, options: InterpretOptions = {}): EventInterpretation {
  try {
    return interpret(event, options);
  } catch (error) {
    // Unreachable for JSON input; guards exotic objects (throwing getters, proxies) from the CLI.
    return ignored(`the event could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function interpret(input: unknown, options: InterpretOptions): EventInterpretation {
  const event = readObject(input);
  if ('kind' in event) return event.kind;
  const call = matchCall(event.value);
  if ('kind' in call) return call.kind;
  const { spec, detail, eventName, handler } = call.value;
  const refused = failedCall(detail, eventName) ?? ownWrite(detail, eventName, options);
  if (refused) return refused;

  const affected = handler({ detail, eventName, ownRoleArn: options.ownRoleArn });
  if (!affected.ok) return ignored(affected.error, eventName);

  const actor = actorOf(own(detail, 'userIdentity'));
  return {
    kind: 'sites',
    eventName,
    source: spec.source,
    endpointIds: unique(affected.value.endpointIds),
    targetGroupArns: unique(affected.value.targetGroupArns),
    ...(actor === undefined ? {} : { actor }),
  };
}

/** Either the step's value or the interpretation that ends reading the event. */
type Step<T> = { value: T } | { kind: EventInterpretation };
const stop = (kind: EventInterpretation): { kind: EventInterpretation } => ({ kind });

/** The event as a JSON object, parsing it first when it is text. */
function readObject(input: unknown): Step<JsonObject> {
  let event = input;
  if (typeof input === 'string') {
    const parsed = parseJson(input);
    if (!parsed.ok)
      return stop(ignored(`the event is not valid JSON (${parsed.error}); expected an EventBridge event`));
    event = parsed.value;
  }
  if (!isObject(event))
    return stop(ignored(`the event is ${preview(event)}; expected a JSON object (an EventBridge event)`));
  return { value: event };
}

interface WatchedCall {
  readonly spec: SourceHandlers;
  readonly detail: JsonObject;
  readonly eventName: string;
  readonly handler: Handler;
}

/** The CloudTrail record inside the envelope, if it is a call of a watched source and name. */
function matchCall(event: JsonObject): Step<WatchedCall> {
  const detailType = own(event, 'detail-type');
  if (detailType !== CLOUDTRAIL_DETAIL_TYPE) {
    const bareRecord = detailType === undefined && own(event, 'eventSource') !== undefined;
    const hint = bareRecord
      ? ' (this looks like a bare CloudTrail record: wrap it in an EventBridge event as its "detail")'
      : '';
    return stop(ignored(problem('detail-type', detailType, JSON.stringify(CLOUDTRAIL_DETAIL_TYPE)) + hint));
  }

  const source = own(event, 'source');
  const spec = typeof source === 'string' ? SOURCES.get(source) : undefined;
  if (!spec) return stop(ignored(problem('source', source, `one of ${[...SOURCES.keys()].join(', ')}`)));

  const detail = own(event, 'detail');
  if (!isObject(detail)) return stop(ignored(problem('detail', detail, 'an object (the CloudTrail record)')));

  const eventName = own(detail, 'eventName');
  const eventSource = own(detail, 'eventSource');
  if (eventSource !== spec.eventSource)
    return stop(
      ignored(
        problem('detail.eventSource', eventSource, `"${spec.eventSource}" for source ${spec.source}`),
        eventName,
      ),
    );

  const handler = typeof eventName === 'string' ? spec.handlers.get(eventName) : undefined;
  if (!handler || typeof eventName !== 'string')
    return stop(
      ignored(
        problem(
          'detail.eventName',
          eventName,
          `one of ${[...spec.handlers.keys()].join(', ')} for source ${spec.source}; other calls do not change sites`,
        ),
        eventName,
      ),
    );
  return { value: { spec, detail, eventName, handler } };
}

/** A call that failed changed nothing. */
function failedCall(detail: JsonObject, eventName: string): EventInterpretation | undefined {
  const errorCode = own(detail, 'errorCode');
  if (errorCode === undefined || errorCode === null) return undefined;
  return ignored(
    `detail.errorCode is ${preview(errorCode)}: the call failed, so it changed nothing`,
    eventName,
  );
}

/** The reconciler's own RegisterTargets/DeregisterTargets: its own write echoed back, not drift. */
function ownWrite(
  detail: JsonObject,
  eventName: string,
  { ownRoleArn }: InterpretOptions,
): EventInterpretation | undefined {
  if (
    ownRoleArn === undefined ||
    !OWN_WRITE_EVENTS.has(eventName) ||
    !isCallByRole(own(detail, 'userIdentity'), ownRoleArn)
  )
    return undefined;
  return {
    kind: 'ignored',
    reason: `${eventName} by the reconciler's own role ${ownRoleArn}: its own write, not drift`,
    eventName,
    ownWrite: true,
  };
}

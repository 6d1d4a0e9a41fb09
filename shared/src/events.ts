/**
 * The event contract (docs/DESIGN.md, "Events"): which CloudTrail calls the reconciler reacts to, the
 * EventBridge patterns that deliver them, how a delivered event maps to sites, and the re-queue
 * message the event path sends itself. Pure: no AWS SDK, no I/O.
 */
export { CLOUDTRAIL_DETAIL_TYPE, WATCHED_EVENTS } from './events/handlers.ts';
export {
  isCallByRole,
  TARGET_GROUP_ARN_PATTERN,
} from './events/identifiers.ts';
export { type EventInterpretation, type InterpretOptions, interpretEvent } from './events/interpret.ts';
export {
  type CdkEventPattern,
  type EventPatternOptions,
  type EventRuleSpec,
  eventRules,
  excludingRole,
  type RawEventPattern,
  toRawEventPattern,
} from './events/patterns.ts';
export {
  buildRequeueMessage,
  interpretQueueMessage,
  parseRequeueMessage,
  type QueueMessageInterpretation,
  REQUEUE_KIND,
  REQUEUE_VERSION,
  type RequeueMessage,
} from './events/queue-message.ts';

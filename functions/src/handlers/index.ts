import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { coldState } from '../reconcile/reconcile.ts';
import type { RunSummary } from '../reconcile/report.ts';
import { eventsHandler } from './events.ts';
import { scheduledHandler } from './scheduled.ts';
import { type HandlerOptions, lazyRuntime } from './setup.ts';

export type { HandlerOptions } from './setup.ts';

/** The function's entry point: an SQS batch or a scheduled event. */
export type Handler = (
  event: SQSEvent | ScheduledEvent,
  context: Context,
) => Promise<SQSBatchResponse | RunSummary>;

/**
 * A handler of the one deployed function: SQS batches go to the event path, anything else (the
 * schedule) runs the full pass. One function with a reserved concurrency of 1 is how two reconciles
 * of the same site never overlap, whichever path starts them. The configuration is read and the
 * SDK clients built on the first invocation, then kept for the warm ones; tests pass their own.
 */
export function createHandler(options: HandlerOptions = {}): Handler {
  const runtime = lazyRuntime(options);
  // Shared by both paths: a site the event path leaves in drift is watched by the next tick.
  const warm = coldState();
  const events = eventsHandler(runtime, warm);
  const scheduled = scheduledHandler(runtime, warm);
  return async (event, context) => {
    if ('Records' in event && Array.isArray(event.Records)) return events(event, context);
    return scheduled(event as ScheduledEvent, context);
  };
}

/** The deployed handler: configuration from the function's environment. */
export const handler = createHandler();

import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handler as events } from './events.ts';
import { handler as scheduled } from './scheduled.ts';

/**
 * The one deployed function: SQS batches go to the event path, anything else (the schedule) runs
 * the full pass. One function with a reserved concurrency of 1 is how two reconciles of the same
 * site never overlap, whichever path starts them.
 */
export async function handler(
  event: SQSEvent | ScheduledEvent,
  context: Context,
): Promise<SQSBatchResponse | Awaited<ReturnType<typeof scheduled>>> {
  if ('Records' in event && Array.isArray(event.Records)) return events(event, context);
  return scheduled(event as ScheduledEvent, context);
}

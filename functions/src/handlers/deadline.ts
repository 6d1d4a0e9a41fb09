import type { Context } from 'aws-lambda';

/**
 * Time an invocation keeps before the Lambda deadline: once less remains it starts no new site,
 * lets the writes in flight finish (make before break holds), publishes its metrics (the heartbeat
 * among them) and its report, and sends the sites it did not start to the events queue.
 */
export const DEADLINE_MARGIN_MS = 15_000;

/** True once the invocation must start no new site. */
export const nearDeadline = (context: Pick<Context, 'getRemainingTimeInMillis'>) => (): boolean =>
  context.getRemainingTimeInMillis() < DEADLINE_MARGIN_MS;

import type { SQSClient } from '@aws-sdk/client-sqs';
import { buildRequeueMessage, chunk, ENV, type RequeueMessage } from '@vpce-target-sync/shared';

/**
 * Back-off for sites that must wait (endpoint not available, ENIs not visible): the delay before
 * attempt n+1. Past the last step the site is left to the scheduled pass. SQS allows at most 900 s.
 */
export const REQUEUE_DELAYS_SECONDS: readonly number[] = [15, 30, 60, 120];

export interface RequeueRequest {
  readonly targetGroupArn: string;
  readonly endpointId: string | null;
  /** 1 for the first re-queue. */
  readonly attempt: number;
  readonly delaySeconds: number;
  readonly reason: string;
}

/** Where re-queued sites go: the events queue in Lambda, nowhere in the CLI (it prints them). */
export interface Requeuer {
  send(message: RequeueMessage, delaySeconds: number): Promise<void>;
}

/**
 * Sends to an SQS queue. The client and its SendMessage command are loaded by the first send: most
 * runs re-queue nothing, and the function's bundle then never loads the SQS client.
 */
export function sqsRequeuer(sqs: () => Promise<SQSClient>, queueUrl: string): Requeuer {
  return {
    async send(message, delaySeconds) {
      const [client, { SendMessageCommand }] = await Promise.all([sqs(), import('@aws-sdk/client-sqs')]);
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          DelaySeconds: delaySeconds,
        }),
      );
    },
  };
}

/** The events queue's requeuer; without a queue URL every send fails, saying which variable is missing. */
export function queueRequeuer(sqs: () => Promise<SQSClient>, queueUrl: string | undefined): Requeuer {
  if (queueUrl) return sqsRequeuer(sqs, queueUrl);
  return {
    send: async () => {
      throw new Error(`no queue to re-queue to: the function has no ${ENV.queueUrl}`);
    },
  };
}

/** The delay before the next attempt, or undefined when the back-off is spent. */
export const nextDelay = (attemptsSoFar: number): number | undefined => REQUEUE_DELAYS_SECONDS[attemptsSoFar];

/**
 * Sites per message for deferred sites: the DescribeTags and DescribeTargetGroups batch, so a
 * message costs one call of each. A batch of ten such messages is 200 sites, about a minute at the
 * polite describe rate: the event path's invocations stay short, so an event never waits long
 * behind a spread-out pass.
 */
export const SITES_PER_MESSAGE = 20;
/**
 * Deferred sites are sent as the run ends, visible at once: the next invocation takes them. If the
 * event source polls them while this invocation is still returning (reserved concurrency 1), Lambda
 * retries the throttled invocation with back-off while the messages stay in flight, within the
 * queue's visibility timeout ("Handling errors for an SQS event source in Lambda",
 * https://docs.aws.amazon.com/lambda/latest/operatorguide/sqs-retries.html). A delay would leave
 * the function idle: at 10,000 sites, 60 s after every tick was a fifth of the pass's time.
 */
export const DEFERRED_DELAY_SECONDS = 0;

/**
 * Sends the sites a run deferred at its deadline to the events queue, `SITES_PER_MESSAGE` to a
 * message, visible at once. Returns the messages sent.
 */
export async function requeueDeferred(
  requeuer: Requeuer,
  targetGroupArns: readonly string[],
): Promise<number> {
  let messages = 0;
  for (const batch of chunk(targetGroupArns, SITES_PER_MESSAGE)) {
    const message = buildRequeueMessage({ targetGroupArns: batch, attempt: 1, reason: DEFERRED_REASON });
    await requeuer.send(message, DEFERRED_DELAY_SECONDS);
    messages += 1;
  }
  return messages;
}

export const DEFERRED_REASON = 'deferred: the run reached its deadline before it got to these sites';

import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { buildRequeueMessage, chunk } from '@vpce-target-sync/shared';

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

/** Where waiting sites go: SQS in Lambda, the terminal in the CLI. */
export interface Requeuer {
  requeue(request: RequeueRequest, body: string): Promise<void>;
}

export function sqsRequeuer(sqs: SQSClient, queueUrl: string): Requeuer {
  return {
    async requeue(request, body) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: request.delaySeconds }),
      );
    },
  };
}

/** The delay before the next attempt, or undefined when the back-off is spent. */
export const nextDelay = (attemptsSoFar: number): number | undefined => REQUEUE_DELAYS_SECONDS[attemptsSoFar];

/** Deferred sites per message: a batch the event path reconciles well inside its own timeout. */
export const DEFERRED_PER_MESSAGE = 50;
/** Deferred sites come back after the tick has ended (the function runs one invocation at a time). */
export const DEFERRED_DELAY_SECONDS = 60;

/**
 * Sends the sites a scheduled tick deferred at its deadline to the events queue, so they are
 * reconciled within minutes instead of waiting for their share's next turn.
 */
export async function requeueDeferred(
  sqs: SQSClient,
  queueUrl: string,
  targetGroupArns: readonly string[],
): Promise<number> {
  let messages = 0;
  for (const batch of chunk(targetGroupArns, DEFERRED_PER_MESSAGE)) {
    const body = buildRequeueMessage({
      targetGroupArns: batch,
      attempt: 1,
      reason: 'deferred: the scheduled run reached its deadline before it got to these sites',
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: DEFERRED_DELAY_SECONDS,
      }),
    );
    messages += 1;
  }
  return messages;
}

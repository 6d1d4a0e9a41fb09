import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

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

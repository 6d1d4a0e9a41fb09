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
 * Sites per message for deferred sites and re-checks: the DescribeTags and DescribeTargetGroups
 * batch, so a message costs one call of each. A batch of ten such messages is 200 sites, about a
 * minute at the polite describe rate: the event path's invocations stay short, so an event never
 * waits long behind a spread-out pass.
 */
export const SITES_PER_MESSAGE = 20;
/** Deferred sites come back after the tick has ended (the function runs one invocation at a time). */
export const DEFERRED_DELAY_SECONDS = 60;

/**
 * How long a site left in drift or in error waits before it is checked again, while its share of a
 * spread-out pass is not due: short enough that, even behind a whole scheduled tick (2 minutes)
 * and a batch of deferred sites, every 5-minute alarm period gets a datapoint from it.
 */
export const RECHECK_DELAY_SECONDS = 90;
/** Sites one run sends for a re-check: the run-wide alarms need one; a few name the culprits on the dashboard. */
export const RECHECK_MAX_SITES = SITES_PER_MESSAGE;

/**
 * Sends sites to the events queue, `SITES_PER_MESSAGE` to a message: sites a run deferred at its
 * deadline, or sites to check again. Returns the messages sent.
 */
export async function requeueSites(
  requeuer: Requeuer,
  targetGroupArns: readonly string[],
  how: {
    readonly reason: string;
    readonly delaySeconds: number;
    readonly until?: number | undefined;
    /** The sites are in drift or in error (see RequeueMessage.recheck). */
    readonly recheck?: boolean;
  },
): Promise<number> {
  let messages = 0;
  for (const batch of chunk(targetGroupArns, SITES_PER_MESSAGE)) {
    const message = buildRequeueMessage({
      targetGroupArns: batch,
      attempt: 1,
      reason: how.reason,
      until: how.until,
      recheck: how.recheck,
    });
    await requeuer.send(message, how.delaySeconds);
    messages += 1;
  }
  return messages;
}

export const DEFERRED_REASON = 'deferred: the run reached its deadline before it got to these sites';
export const RECHECK_REASON = 'recheck: left in drift or in error while their share of the pass is not due';

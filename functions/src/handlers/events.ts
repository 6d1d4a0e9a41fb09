import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleMessages } from '../events/handle.ts';
import { queueRequeuer } from '../events/requeue.ts';
import { nearDeadline } from './deadline.ts';
import { logUnhandledErrors } from './middleware.ts';
import { clients, config, deps, log } from './setup.ts';

const requeuer = queueRequeuer(clients.sqs, config.queueUrl);

/** EventBridge events delivered through SQS: only the sites they name, partial batch failures reported. */
export async function handleEventBatch(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  const result = await handleMessages(
    { ...deps, log: runLog },
    requeuer,
    {
      dryRun: config.dryRun,
      perSiteMetrics: config.perSiteMetrics,
      publishMetrics: true,
      ownRoleArn: config.roleArn,
      shouldStop: nearDeadline(context),
    },
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
  );
  runLog.info(
    {
      messages: event.Records.length,
      ignored: result.ignored.length,
      requeued: result.requeued.length,
      failed: result.failedMessageIds.length,
      summary: result.report?.summary,
    },
    'batch completed',
  );
  return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy(handleEventBatch).use(logUnhandledErrors(log));

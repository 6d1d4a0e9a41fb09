import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleMessages } from '../events/handle.ts';
import { queueRequeuer } from '../events/requeue.ts';
import type { WarmState } from '../reconcile/reconcile.ts';
import { nearDeadline } from './deadline.ts';
import { logUnhandledErrors } from './middleware.ts';
import type { HandlerRuntime, LazyRuntime } from './setup.ts';

/** EventBridge events delivered through SQS: only the sites they name, partial batch failures reported. */
export async function handleEventBatch(
  { config, clients, deps, log }: HandlerRuntime,
  warm: WarmState,
  event: SQSEvent,
  context: Context,
): Promise<SQSBatchResponse> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  const result = await handleMessages(
    { ...deps, log: runLog },
    queueRequeuer(clients.sqs, config.queueUrl),
    {
      dryRun: config.dryRun,
      perSiteMetrics: config.perSiteMetrics,
      publishMetrics: true,
      ownRoleArn: config.roleArn,
      shouldStop: nearDeadline(context),
      watch: warm.watch,
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

/** The events path of one handler, on its runtime. */
export function eventsHandler(runtime: LazyRuntime, warm: WarmState) {
  return middy((event: SQSEvent, context: Context) =>
    handleEventBatch(runtime.get(), warm, event, context),
  ).use(logUnhandledErrors(() => runtime.built()?.log));
}

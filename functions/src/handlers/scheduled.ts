import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Logger } from 'pino';
import { awsErrorCode, describeAwsError } from '../aws/errors.ts';
import { DEFERRED_REASON, queueRequeuer, type Requeuer, requeueDeferred } from '../events/requeue.ts';
import { reconcile, type WarmState } from '../reconcile/reconcile.ts';
import type { RunReport, RunSummary } from '../reconcile/report.ts';
import { nearDeadline } from './deadline.ts';
import { logUnhandledErrors } from './middleware.ts';
import { sitesPerRun } from './scheduled-budget.ts';
import type { HandlerRuntime, LazyRuntime } from './setup.ts';

export { DEADLINE_MARGIN_MS } from './deadline.ts';

/**
 * The scheduled full pass: every opted-in site, or this tick's share of a fleet too large for one
 * tick, and the sites a run left in drift or in error; metrics published. Sites the tick cannot
 * start before its deadline go to the events queue (docs/DESIGN.md, "A full pass over a large fleet").
 */
export async function scheduledReconcile(
  { config, clients, deps, log }: HandlerRuntime,
  warm: WarmState,
  _event: ScheduledEvent,
  context: Context,
): Promise<RunSummary> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  const intervalMs = config.scheduleMinutes * 60_000;
  const report = await reconcile(
    { ...deps, log: runLog },
    {
      dryRun: config.dryRun,
      perSiteMetrics: config.perSiteMetrics,
      publishMetrics: true,
      sharding: {
        sitesPerRun: sitesPerRun(config.rateLimits['elbv2-describe'].ratePerSecond, config.scheduleMinutes),
        tick: Math.floor(Date.now() / intervalMs),
        warm,
      },
      shouldStop: nearDeadline(context),
    },
  );
  await handOn(runLog, report, queueRequeuer(clients.sqs, config.queueUrl));
  runLog.info({ summary: report.summary, deferred: report.deferred ?? [] }, 'run completed');
  return report.summary;
}

/**
 * Sends the sites the tick deferred at its deadline to the events queue, which the event path works
 * through before the next tick. A failed send is logged: the pass takes them later.
 */
async function handOn(runLog: Logger, report: RunReport, requeuer: Requeuer): Promise<void> {
  const arns = (report.deferred ?? []).map((d) => d.targetGroupArn);
  if (arns.length === 0) return;
  try {
    await requeueDeferred(requeuer, arns);
  } catch (error) {
    runLog.error(
      { errorCode: awsErrorCode(error), sites: arns.length, reason: DEFERRED_REASON },
      `re-queueing failed (the schedule takes these sites later): ${describeAwsError(error)}`,
    );
  }
}

/** The scheduled path of one handler, on its runtime and its warm state. */
export function scheduledHandler(runtime: LazyRuntime, warm: WarmState) {
  return middy((event: ScheduledEvent, context: Context) =>
    scheduledReconcile(runtime.get(), warm, event, context),
  ).use(logUnhandledErrors(() => runtime.built()?.log));
}

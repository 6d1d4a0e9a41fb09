import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { awsErrorCode, describeAwsError } from '../aws/errors.ts';
import { requeueDeferred } from '../events/requeue.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunSummary } from '../reconcile/report.ts';
import { logUnhandledErrors } from './middleware.ts';
import { sitesPerRun } from './scheduled-budget.ts';
import { clients, config, deps, log } from './setup.ts';

/**
 * Time a tick keeps before the Lambda deadline: once less remains it starts no new site, lets the
 * writes in flight finish (make before break holds), publishes its metrics (the heartbeat among
 * them) and its report, and sends the sites it deferred to the events queue.
 */
export const DEADLINE_MARGIN_MS = 15_000;

/** The scheduled full pass: every opted-in site (or this tick's share of a large fleet), metrics published. */
export async function scheduledReconcile(_event: ScheduledEvent, context: Context): Promise<RunSummary> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  // Taken once at the start, so every tick of the same deployment splits the fleet alike.
  const remainingMs = context.getRemainingTimeInMillis();
  const report = await reconcile(
    { ...deps, log: runLog },
    {
      dryRun: config.dryRun,
      perSiteMetrics: config.perSiteMetrics,
      publishMetrics: true,
      sharding: {
        sitesPerRun: (sites) =>
          sitesPerRun(
            config.rateLimits['elbv2-describe'].ratePerSecond,
            config.scheduleMinutes,
            remainingMs,
            {
              sites,
              tagging: config.rateLimits.tagging,
            },
          ),
        tick: Math.floor(Date.now() / (config.scheduleMinutes * 60_000)),
      },
      shouldStop: () => context.getRemainingTimeInMillis() < DEADLINE_MARGIN_MS,
    },
  );
  const deferred = report.deferred?.map((d) => d.targetGroupArn) ?? [];
  if (deferred.length && config.queueUrl) {
    try {
      await requeueDeferred(clients.sqs, config.queueUrl, deferred);
    } catch (error) {
      runLog.error(
        { errorCode: awsErrorCode(error), deferred: deferred.length },
        `re-queueing the deferred sites failed (the schedule takes them later): ${describeAwsError(error)}`,
      );
    }
  }
  runLog.info({ summary: report.summary, deferred: report.deferred ?? [] }, 'run completed');
  return report.summary;
}

export const handler = middy(scheduledReconcile).use(logUnhandledErrors(log));

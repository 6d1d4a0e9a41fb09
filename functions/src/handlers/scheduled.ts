import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunSummary } from '../reconcile/report.ts';
import { logUnhandledErrors } from './middleware.ts';
import { config, deps, log } from './setup.ts';

/** The scheduled full pass: every opted-in site, metrics published, the summary returned. */
export async function scheduledReconcile(_event: ScheduledEvent, context: Context): Promise<RunSummary> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  const report = await reconcile(
    { ...deps, log: runLog },
    { dryRun: config.dryRun, perSiteMetrics: config.perSiteMetrics, publishMetrics: true },
  );
  runLog.info({ summary: report.summary }, 'run completed');
  return report.summary;
}

export const handler = middy(scheduledReconcile).use(logUnhandledErrors(log));

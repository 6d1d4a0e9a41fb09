import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunSummary } from '../reconcile/report.ts';
import { logUnhandledErrors } from './middleware.ts';
import { sitesPerRun } from './scheduled-budget.ts';
import { config, deps, log } from './setup.ts';

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
    },
  );
  runLog.info({ summary: report.summary }, 'run completed');
  return report.summary;
}

export const handler = middy(scheduledReconcile).use(logUnhandledErrors(log));

import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { readConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { reconcile } from '../reconcile/reconcile.ts';
import type { RunSummary } from '../reconcile/report.ts';
import { awsDeps } from '../runtime.ts';
import { logUnhandledErrors } from './middleware.ts';

const parsed = readConfig(process.env);
if (!parsed.ok) throw new Error(`vpce-target-sync configuration error: ${parsed.error}`);
const config = parsed.value;
const log = createLogger(config.logLevel);
const deps = awsDeps(log);

/** The scheduled full pass: every opted-in site, metrics published, the summary returned. */
export async function scheduledReconcile(_event: ScheduledEvent, context: Context): Promise<RunSummary> {
  const report = await reconcile(
    { ...deps, log: log.child({ awsRequestId: context.awsRequestId }) },
    { dryRun: config.dryRun, perSiteMetrics: config.perSiteMetrics, publishMetrics: true },
  );
  log.info({ awsRequestId: context.awsRequestId, summary: report.summary }, 'run completed');
  return report.summary;
}

export const handler = middy(scheduledReconcile).use(logUnhandledErrors(log));

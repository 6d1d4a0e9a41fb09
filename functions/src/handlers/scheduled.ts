import middy from '@middy/core';
import { isWholeFleet, type Shard, ticksPerPass } from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Logger } from 'pino';
import { awsErrorCode, describeAwsError } from '../aws/errors.ts';
import {
  DEFERRED_DELAY_SECONDS,
  DEFERRED_REASON,
  queueRequeuer,
  RECHECK_DELAY_SECONDS,
  RECHECK_MAX_SITES,
  RECHECK_REASON,
  type Requeuer,
  requeueSites,
} from '../events/requeue.ts';
import { type CarriedListing, reconcile } from '../reconcile/reconcile.ts';
import { type RunReport, type RunSummary, sitesToRecheck } from '../reconcile/report.ts';
import { nearDeadline } from './deadline.ts';
import { logUnhandledErrors } from './middleware.ts';
import { sitesPerRun } from './scheduled-budget.ts';
import { clients, config, deps, log } from './setup.ts';

export { DEADLINE_MARGIN_MS } from './deadline.ts';

/** The fleet's listing, kept by a warm function from the tick that lists it to the pass's later ticks. */
const carried: CarriedListing = {};

/**
 * The scheduled full pass: every opted-in site, or this tick's share of a fleet too large for one
 * tick; metrics published. Sites the tick cannot start before its deadline go to the events queue,
 * and so do the sites a spread-out pass leaves in drift or in error, to be checked again while
 * their share is not due (docs/DESIGN.md, "Alarms at every fleet size").
 */
export async function scheduledReconcile(_event: ScheduledEvent, context: Context): Promise<RunSummary> {
  const runLog = log.child({ awsRequestId: context.awsRequestId });
  const intervalMs = config.scheduleMinutes * 60_000;
  const startedAt = Date.now();
  const report = await reconcile(
    { ...deps, log: runLog },
    {
      dryRun: config.dryRun,
      perSiteMetrics: config.perSiteMetrics,
      publishMetrics: true,
      sharding: {
        sitesPerRun: sitesPerRun(config.rateLimits['elbv2-describe'].ratePerSecond, config.scheduleMinutes),
        tick: Math.floor(startedAt / intervalMs),
        carried,
      },
      shouldStop: nearDeadline(context),
    },
  );
  const requeuer = queueRequeuer(clients.sqs, config.queueUrl);
  await handOn(requeuer, runLog, report, passEnds(report.summary.shard, startedAt, intervalMs));
  runLog.info({ summary: report.summary, deferred: report.deferred ?? [] }, 'run completed');
  return report.summary;
}

/** When a spread-out pass comes round to this tick's share again; undefined for a whole-fleet tick. */
function passEnds(shard: Shard | undefined, startedAt: number, intervalMs: number): number | undefined {
  if (!shard || isWholeFleet(shard)) return undefined;
  return Math.round(startedAt + ticksPerPass(shard) * intervalMs);
}

/**
 * Sends on what the tick leaves: the sites it deferred at its deadline, and (when the pass is
 * spread over ticks) the sites left in drift or in error, so their metrics keep reaching every
 * alarm period until their share is due again. A failed send is logged: the pass takes them later.
 */
async function handOn(
  requeuer: Requeuer,
  runLog: Logger,
  report: RunReport,
  until: number | undefined,
): Promise<void> {
  const sends = [
    {
      arns: (report.deferred ?? []).map((d) => d.targetGroupArn),
      reason: DEFERRED_REASON,
      delaySeconds: DEFERRED_DELAY_SECONDS,
    },
    {
      arns: until === undefined ? [] : sitesToRecheck(report.sites, RECHECK_MAX_SITES),
      reason: RECHECK_REASON,
      delaySeconds: RECHECK_DELAY_SECONDS,
    },
  ];
  for (const { arns, ...how } of sends.filter((s) => s.arns.length > 0)) {
    try {
      await requeueSites(requeuer, arns, { ...how, until });
    } catch (error) {
      runLog.error(
        { errorCode: awsErrorCode(error), sites: arns.length, reason: how.reason },
        `re-queueing failed (the schedule takes these sites later): ${describeAwsError(error)}`,
      );
    }
  }
}

export const handler = middy(scheduledReconcile).use(logUnhandledErrors(log));

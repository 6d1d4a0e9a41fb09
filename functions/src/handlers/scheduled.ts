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
import type { HandlerRuntime, LazyRuntime } from './setup.ts';

export { DEADLINE_MARGIN_MS } from './deadline.ts';

/**
 * The scheduled full pass: every opted-in site, or this tick's share of a fleet too large for one
 * tick; metrics published. Sites the tick cannot start before its deadline go to the events queue,
 * and so do the sites a spread-out pass leaves in drift or in error, to be checked again while
 * their share is not due (docs/DESIGN.md, "Alarms at every fleet size").
 */
export async function scheduledReconcile(
  { config, clients, deps, log }: HandlerRuntime,
  carried: CarriedListing,
  _event: ScheduledEvent,
  context: Context,
): Promise<RunSummary> {
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
  await handOn(requeuer, runLog, report, recheckUntil(report.summary.shard, startedAt, intervalMs));
  runLog.info({ summary: report.summary, deferred: report.deferred ?? [] }, 'run completed');
  return report.summary;
}

/**
 * Until when the sites this tick leaves in drift or in error are re-checked: until the tick that
 * takes their share again (the next one, for a whole-fleet tick), and two re-check delays past it,
 * so a site fixed in between is seen clean by a re-check, which publishes the all-clear.
 */
function recheckUntil(shard: Shard | undefined, startedAt: number, intervalMs: number): number {
  const ticks = shard && !isWholeFleet(shard) ? ticksPerPass(shard) : 1;
  return Math.round(startedAt + ticks * intervalMs + 2 * RECHECK_DELAY_SECONDS * 1000);
}

/**
 * Sends on what the tick leaves: the sites it deferred at its deadline, and the sites left in drift
 * or in error, so their metrics keep reaching every alarm period until their share is due again,
 * and a fix is told by an all-clear within minutes. A failed send is logged: the pass takes them later.
 */
async function handOn(requeuer: Requeuer, runLog: Logger, report: RunReport, until: number): Promise<void> {
  const sends = [
    {
      arns: (report.deferred ?? []).map((d) => d.targetGroupArn),
      reason: DEFERRED_REASON,
      delaySeconds: DEFERRED_DELAY_SECONDS,
    },
    {
      arns: sitesToRecheck(report.sites, RECHECK_MAX_SITES),
      reason: RECHECK_REASON,
      delaySeconds: RECHECK_DELAY_SECONDS,
      recheck: true,
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

/** The scheduled path of one handler, on its runtime. */
export function scheduledHandler(runtime: LazyRuntime) {
  /** The fleet's listing, kept by a warm function from the tick that lists it to the pass's later ticks. */
  const carried: CarriedListing = {};
  return middy((event: ScheduledEvent, context: Context) =>
    scheduledReconcile(runtime.get(), carried, event, context),
  ).use(logUnhandledErrors(() => runtime.built()?.log));
}

import {
  buildRequeueMessage,
  ENDPOINT_ID_TAG,
  interpretQueueMessage,
  METRIC,
  type QueueMessageInterpretation,
} from '@vpce-target-sync/shared';
import { awsErrorCode, describeAwsError, isTransient } from '../aws/errors.ts';
import type { TargetGroups } from '../aws/target-groups.ts';
import { type Candidate, withFreshTags } from '../reconcile/discover.ts';
import { type ReconcileDeps, type ReconcileOptions, reconcileCandidates } from '../reconcile/reconcile.ts';
import { type RunReport, type SiteReport, updateWatch } from '../reconcile/report.ts';
import {
  DEFERRED_REASON,
  nextDelay,
  type RequeueRequest,
  type Requeuer,
  requeueDeferred,
} from './requeue.ts';

/** One message of the events queue (an SQS record, or an event given to the CLI). */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface EventsOptions extends Omit<ReconcileOptions, 'scope'> {
  /** The reconciler's own role: its RegisterTargets/DeregisterTargets echoes are dropped. */
  readonly ownRoleArn?: string | undefined;
  /**
   * The sites a warm function watches (WarmState.watch): a watched site found clean publishes the
   * all-clear and leaves; a site left in drift or in error joins, for the next tick to check.
   */
  readonly watch?: Set<string>;
}

export interface IgnoredMessage {
  readonly messageId: string;
  readonly reason: string;
}

/** Something a message names that no opted-in site answers to: said, not counted as ignored. */
export interface NotInScope {
  readonly messageId: string;
  /** The endpoint id or target group ARN the event names. */
  readonly named: string;
  readonly reason: string;
}

export interface EventsResult {
  /** Null when no message named a site, so nothing was reconciled. */
  readonly report: RunReport | null;
  readonly ignored: readonly IgnoredMessage[];
  /** Endpoints no opted-in target group names, and target groups that are not opted in. */
  readonly notInScope: readonly NotInScope[];
  readonly requeued: readonly RequeueRequest[];
  /** Messages to retry (transient AWS failure): SQS redelivers them, then dead-letters them. */
  readonly failedMessageIds: readonly string[];
}

/** The sites one message asks for, and how many times they were re-queued already. */
interface Work {
  readonly messageId: string;
  readonly endpointIds: readonly string[];
  readonly targetGroupArns: readonly string[];
  readonly attempt: number;
}

function toWork(messageId: string, m: QueueMessageInterpretation): Work | IgnoredMessage {
  if (m.kind === 'ignored') return { messageId, reason: m.reason };
  if (m.kind === 'requeue') {
    const { endpointIds, targetGroupArns, attempt } = m.message;
    return { messageId, endpointIds, targetGroupArns, attempt };
  }
  return { messageId, endpointIds: m.endpointIds, targetGroupArns: m.targetGroupArns, attempt: 0 };
}

const names = (work: Work, site: SiteReport): boolean =>
  work.targetGroupArns.includes(site.targetGroupArn) ||
  (site.endpointId !== null && work.endpointIds.includes(site.endpointId));

/**
 * The event path: reconciles only the sites a batch of messages names, each site once, however
 * many messages name it. Bad or irrelevant messages are logged, counted and acknowledged; echoes of
 * the reconciler's own writes are dropped without a single AWS call; sites that must wait are
 * re-queued with back-off; transient AWS failures fail only their messages. A non-transient
 * failure of the lookup of the named sites is rethrown: the whole batch fails, and SQS redelivers
 * every message of it (then dead-letters them).
 */
export async function handleMessages(
  deps: ReconcileDeps,
  requeuer: Requeuer,
  options: EventsOptions,
  records: readonly QueueRecord[],
): Promise<EventsResult> {
  const { work, ignored } = parseBatch(deps.log, options, records);
  if (work.length === 0) {
    if (ignored.length && options.publishMetrics) await publishIgnored(deps, ignored.length);
    return { report: null, ignored, notInScope: [], requeued: [], failedMessageIds: [] };
  }
  const named = await findEventNamedSitesOrRetry(deps, work);
  if (named === 'retry') {
    const failedMessageIds = work.map((w) => w.messageId);
    return { report: null, ignored, notInScope: [], requeued: [], failedMessageIds };
  }
  const notInScope = outOfScope(deps, work, named, ignored);
  const report = await reconcileCandidates(deps, options, named.candidates, {
    eventsIgnored: ignored.length,
    rechecked: new Set(options.watch),
  });
  if (options.watch) updateWatch(options.watch, report.sites);
  const failed = messagesToRetry(work, report);
  const requeued = await requeueWaiting(deps, requeuer, options, work, report, failed);
  await sendDeferred(deps, requeuer, options, work, report, failed);
  return { report, ignored, notInScope, requeued, failedMessageIds: [...failed] };
}

/** Reads each message: the sites it names, or why it is ignored; echoes of our own writes vanish. */
function parseBatch(
  log: ReconcileDeps['log'],
  options: EventsOptions,
  records: readonly QueueRecord[],
): { work: Work[]; ignored: IgnoredMessage[] } {
  const work: Work[] = [];
  const ignored: IgnoredMessage[] = [];
  for (const record of records) {
    const interpretation = interpretQueueMessage(record.body, { ownRoleArn: options.ownRoleArn });
    if (interpretation.kind === 'ignored' && interpretation.ownWrite) {
      log.debug({ messageId: record.messageId }, interpretation.reason);
      continue;
    }
    const item = toWork(record.messageId, interpretation);
    if ('reason' in item) {
      log.warn({ messageId: record.messageId, reason: item.reason }, `event ignored: ${item.reason}`);
      ignored.push(item);
    } else {
      log.info(
        { messageId: record.messageId, endpointIds: item.endpointIds, targetGroupArns: item.targetGroupArns },
        'event',
      );
      work.push(item);
    }
  }
  return { work, ignored };
}

/**
 * Looks up the sites the batch names. A transient AWS failure answers 'retry' (every message of the
 * batch is retried); any other failure is rethrown, failing the whole batch.
 */
async function findEventNamedSitesOrRetry(
  deps: ReconcileDeps,
  work: readonly Work[],
): Promise<Named | 'retry'> {
  try {
    return await findEventNamedSites(
      deps,
      [...new Set(work.flatMap((w) => w.endpointIds))],
      [...new Set(work.flatMap((w) => w.targetGroupArns))],
    );
  } catch (error) {
    if (!isTransient(error)) throw error;
    deps.log.error(
      { errorCode: awsErrorCode(error) },
      `discovery failed, messages will be retried: ${describeAwsError(error)}`,
    );
    return 'retry';
  }
}

/** The messages that named a site whose failure is transient: SQS redelivers them. */
function messagesToRetry(work: readonly Work[], report: RunReport): Set<string> {
  const failed = new Set<string>();
  for (const site of report.sites.filter((s) => s.status === 'error' && s.retryable)) {
    for (const w of work) if (names(w, site)) failed.add(w.messageId);
  }
  return failed;
}

/**
 * Re-queues each waiting site with back-off, one message per site; past the last delay the site is
 * left to the scheduled pass. When a send fails, the messages that named the site are retried.
 */
async function requeueWaiting(
  deps: ReconcileDeps,
  requeuer: Requeuer,
  options: EventsOptions,
  work: readonly Work[],
  report: RunReport,
  failed: Set<string>,
): Promise<RequeueRequest[]> {
  const requeued: RequeueRequest[] = [];
  for (const site of report.sites.filter((s) => s.status === 'waiting')) {
    const naming = work.filter((w) => names(w, site));
    const request = await requeueWaitingSite(deps, requeuer, options, site, naming);
    if (request === 'failed') for (const w of naming) failed.add(w.messageId);
    else if (request) requeued.push(request);
  }
  return requeued;
}

async function requeueWaitingSite(
  deps: ReconcileDeps,
  requeuer: Requeuer,
  options: EventsOptions,
  site: SiteReport,
  naming: readonly Work[],
): Promise<RequeueRequest | 'failed' | null> {
  const { log } = deps;
  const attemptsSoFar = Math.max(0, ...naming.map((w) => w.attempt));
  const delaySeconds = nextDelay(attemptsSoFar);
  if (delaySeconds === undefined) {
    log.warn(
      { site: site.targetGroupName, attempts: attemptsSoFar },
      'still waiting; left to the scheduled pass',
    );
    return null;
  }
  const request: RequeueRequest = {
    targetGroupArn: site.targetGroupArn,
    endpointId: site.endpointId,
    attempt: attemptsSoFar + 1,
    delaySeconds,
    reason: site.message,
  };
  const message = buildRequeueMessage({
    targetGroupArns: [site.targetGroupArn],
    attempt: request.attempt,
    reason: site.message,
  });
  try {
    if (!options.dryRun) await requeuer.send(message, delaySeconds);
    log.info({ site: site.targetGroupName, attempt: request.attempt, delaySeconds }, 're-queued');
    return request;
  } catch (error) {
    log.error(
      { site: site.targetGroupName, errorCode: awsErrorCode(error) },
      `re-queue failed: ${describeAwsError(error)}`,
    );
    return 'failed';
  }
}

/**
 * Sends the sites the batch deferred at its deadline back to the queue, for the next invocation.
 * When the send fails, the messages that named those sites are retried instead.
 */
async function sendDeferred(
  deps: ReconcileDeps,
  requeuer: Requeuer,
  options: EventsOptions,
  work: readonly Work[],
  report: RunReport,
  failed: Set<string>,
): Promise<void> {
  const arns = (report.deferred ?? []).map((d) => d.targetGroupArn);
  if (arns.length === 0) return;
  try {
    if (!options.dryRun) await requeueDeferred(requeuer, arns);
    deps.log.info({ sites: arns.length, reason: DEFERRED_REASON }, 're-queued');
  } catch (error) {
    deps.log.error(
      { sites: arns.length, errorCode: awsErrorCode(error) },
      `re-queue failed: ${describeAwsError(error)}`,
    );
    for (const w of work) if (w.targetGroupArns.some((a) => arns.includes(a))) failed.add(w.messageId);
  }
}

/** What discovery made of the names a batch carries. */
interface Named {
  readonly candidates: Candidate[];
  /** ARNs ELBv2 no longer knows (a DeleteTargetGroup, or a group deleted since the event). */
  readonly gone: ReadonlySet<string>;
  /** ARN -> name of target groups without the opt-in tag. */
  readonly notOptedIn: ReadonlyMap<string, string>;
}

/**
 * Sorts out the names that reach no site. A message whose every name is a target group that no
 * longer exists is ignored, as docs/operations.md, "Event path" says (logged at warn, counted in
 * EventsIgnored, acknowledged); endpoints no opted-in group names and groups that are not opted in
 * are said (at info: most endpoint events in an account are not about a site) and returned for the
 * CLI to print.
 */
function outOfScope(
  deps: ReconcileDeps,
  work: Work[],
  named: Named,
  ignored: IgnoredMessage[],
): NotInScope[] {
  const endpointsNamed = new Set(
    named.candidates.flatMap((c) => (c.kind === 'site' ? [c.tags[ENDPOINT_ID_TAG]] : [])),
  );
  const notInScope: NotInScope[] = [];
  for (const w of [...work]) {
    const gone = w.targetGroupArns.filter((arn) => named.gone.has(arn));
    if (gone.length > 0 && gone.length === w.targetGroupArns.length && w.endpointIds.length === 0) {
      const reason = `the event names target group ${gone.join(', ')}, which no longer exists; nothing to reconcile`;
      deps.log.warn({ messageId: w.messageId, reason }, `event ignored: ${reason}`);
      ignored.push({ messageId: w.messageId, reason });
      work.splice(work.indexOf(w), 1);
      continue;
    }
    for (const arn of gone) {
      deps.log.warn(
        { messageId: w.messageId, targetGroupArn: arn },
        'target group no longer exists: nothing to reconcile',
      );
    }
    for (const id of w.endpointIds.filter((e) => !endpointsNamed.has(e))) {
      const reason = `the event names ${id}; no opted-in target group names it (no ${ENDPOINT_ID_TAG}=${id} tag)`;
      deps.log.info({ messageId: w.messageId, endpointId: id }, reason);
      notInScope.push({ messageId: w.messageId, named: id, reason });
    }
    for (const arn of w.targetGroupArns.filter((a) => named.notOptedIn.has(a))) {
      const reason = `the event names target group ${named.notOptedIn.get(arn)}, which did not opt in (no ${ENDPOINT_ID_TAG} tag): left alone`;
      notInScope.push({ messageId: w.messageId, named: arn, reason });
    }
  }
  return notInScope;
}

/**
 * Finds the opted-in sites events name (unlike discovery of the sites a user names, a name that
 * reaches no site is no error row: it is said and left alone): by endpoint through the tagging API's tag filter (one
 * call, whatever the fleet's size), by target group directly; then every one's own tags, fresh
 * (DescribeTags), decide. Target groups that are gone or no longer opted in are left alone.
 */
async function findEventNamedSites(
  deps: ReconcileDeps,
  endpointIds: readonly string[],
  targetGroupArns: readonly string[],
): Promise<Named> {
  const targetGroups: TargetGroups = deps.targetGroups;
  const byEndpoint = endpointIds.length ? await targetGroups.listOptedIn(endpointIds) : new Map();
  const arns = [...new Set([...byEndpoint.keys(), ...targetGroupArns])];
  if (arns.length === 0) return { candidates: [], gone: new Set(), notOptedIn: new Map() };
  const facts = await targetGroups.find(arns);
  const candidates = await withFreshTags(targetGroups, facts);
  const notOptedIn = new Map(
    facts
      .filter((f) => !candidates.some((c) => c.kind === 'site' && c.targetGroup.arn === f.arn))
      .map((tg) => [tg.arn, tg.name] as const),
  );
  for (const [arn, name] of notOptedIn) {
    deps.log.info(
      { site: name, targetGroupArn: arn },
      `not opted in (no ${ENDPOINT_ID_TAG} tag): left alone`,
    );
  }
  const missing = arns.filter((a) => !facts.some((f) => f.arn === a));
  // The tagging index can still list a group that was just deleted; the ARNs events name are
  // judged per message (outOfScope), those only the index found are noted here.
  for (const arn of missing.filter((a) => !targetGroupArns.includes(a))) {
    deps.log.info({ targetGroupArn: arn }, 'target group no longer exists: nothing to reconcile');
  }
  return { candidates, gone: new Set(missing.filter((a) => targetGroupArns.includes(a))), notOptedIn };
}

async function publishIgnored(deps: ReconcileDeps, count: number): Promise<void> {
  try {
    await deps.metrics.publish(
      [{ name: METRIC.EventsIgnored, value: count }],
      (deps.now ?? (() => new Date()))(),
    );
  } catch (error) {
    deps.log.error(
      { errorCode: awsErrorCode(error) },
      `publishing metrics failed: ${describeAwsError(error)}`,
    );
  }
}

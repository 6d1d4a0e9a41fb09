import {
  canDeregisterFirst,
  chunk,
  desiredTargets,
  type EndpointFacts,
  formatTarget,
  isWholeFleet,
  type NetworkInterfaceFacts,
  type Plan,
  plan,
  type RegisteredTarget,
  readSiteTags,
  runMetricData,
  type Shard,
  type SiteSpec,
  shardFor,
  shareOf,
  type Target,
  type TargetGroupFacts,
  validateTargetGroup,
} from '@vpce-target-sync/shared';
import type { Logger } from 'pino';
import type { EndpointSource } from '../aws/endpoints.ts';
import { awsErrorCode, awsRequestId, describeAwsError, isTransient } from '../aws/errors.ts';
import type { MetricsSink } from '../aws/metrics.ts';
import type { TargetGroups } from '../aws/target-groups.ts';
import { mapConcurrent } from './concurrency.ts';
import { type Candidate, discover, discoverFleet, listFleet, type Scope, withFreshTags } from './discover.ts';
import {
  type DeferredSite,
  type RunReport,
  type SiteReport,
  siteFigures,
  summarize,
  updateWatch,
} from './report.ts';

/** How a report names the state of an endpoint EC2 does not list. */
export const ENDPOINT_NOT_FOUND = 'not found';

/** DescribeTargetHealth calls in flight at once; the SDK's adaptive retry absorbs any throttling. */
export const HEALTH_CONCURRENCY = 8;
/** Sites written at once. */
export const APPLY_CONCURRENCY = 4;
/**
 * Sites read and planned together. A loop concern, not an AWS limit (the adapters batch their own
 * calls): large enough that one chunk's writes overlap the next chunk's reads, small enough that
 * the first writes start after a few seconds of reads, not after the whole fleet's.
 */
export const CHUNK_SITES = 200;

export interface ReconcileDeps {
  readonly targetGroups: TargetGroups;
  readonly endpoints: EndpointSource;
  readonly metrics: MetricsSink;
  readonly log: Logger;
  readonly now?: () => Date;
}

export interface ReconcileOptions {
  /** Plan and report, change nothing. */
  readonly dryRun: boolean;
  readonly scope?: Scope;
  /** Publish the run's metrics to CloudWatch. */
  readonly publishMetrics: boolean;
  /** Publish the per-site (TargetGroup dimension) metrics too. */
  readonly perSiteMetrics: boolean;
  /** Told as the run advances, site by site (the CLI's progress line). */
  readonly progress?: RunProgress;
  /**
   * True once the run must start no new site (a scheduled tick near the Lambda deadline): sites
   * not yet started are deferred, writes in flight finish, the metrics and report still go out.
   */
  readonly shouldStop?: () => boolean;
  /**
   * Spread a full pass over consecutive ticks when more than `sitesPerRun` sites are opted in
   * (the scheduled path, over the whole fleet); absent, a run takes every site in scope.
   */
  readonly sharding?: {
    readonly sitesPerRun: number;
    readonly tick: number;
    /** What a warm function carries from tick to tick (see WarmState). */
    readonly warm?: WarmState;
  };
}

/** What a warm function keeps between invocations; a cold start begins again with none of it. */
export interface WarmState {
  /** The fleet's listing, from the tick that began the pass, for the pass's later ticks (see fleetShare). */
  fleet?: readonly string[];
  /**
   * Sites a run left in drift or in error (report.ts, updateWatch): every tick checks them first,
   * whatever its share, until a run finds them clean (docs/DESIGN.md, "Alarms at every fleet size").
   */
  readonly watch: Set<string>;
  /**
   * What DescribeTargetGroups said of the fleet's target groups. None of it can change: a target
   * group's name, VPC, target type, IP address type and port are set when it is created
   * (ModifyTargetGroup changes only health checks:
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroup.html),
   * so a pass describes each group once per warm function; its tags are still read fresh every time.
   */
  readonly facts: Map<string, TargetGroupFacts>;
}

/** A fresh warm state: what a cold function starts with. */
export const coldState = (): WarmState => ({ watch: new Set(), facts: new Map() });

/** Told how a long run advances: the CLI prints progress from it. */
export interface RunProgress {
  start(sites: number): void;
  siteDone(site: SiteReport): void;
}

/** A site that passed its tag and target-type checks, with the targets it holds now. */
interface ObservedSite {
  readonly targetGroup: TargetGroupFacts;
  readonly spec: SiteSpec;
  readonly registered: RegisteredTarget[];
}

const blankReport = (tg: { arn: string; name: string }, spec: SiteSpec | null) => ({
  targetGroupArn: tg.arn,
  targetGroupName: tg.name,
  endpointId: spec?.endpointId ?? null,
  policy: spec?.policy ?? null,
  desired: [],
  registered: [],
  toRegister: [],
  toDeregister: [],
  driftTargets: 0,
  unresolvedDriftTargets: 0,
  registeredCount: 0,
  deregisteredCount: 0,
});

const errorReport = (
  tg: { arn: string; name: string },
  spec: SiteSpec | null,
  message: string,
  errorCode?: string,
): SiteReport => ({
  ...blankReport(tg, spec),
  status: 'error',
  message,
  ...(errorCode ? { errorCode } : {}),
});

/**
 * One reconcile run: discover -> validate -> observe targets -> read endpoints and ENIs -> plan
 * -> apply -> publish metrics -> report, the middle steps in chunks of 200 sites so that one
 * chunk's writes overlap the next chunk's reads. Targets are read before endpoints: an IP that another
 * writer registered after reading the ENIs is then still among the ENIs this run reads, so it is
 * never taken for stale. One site's failure never stops the others.
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions): Promise<RunReport> {
  const { sharding, scope } = options;
  if (!sharding) return reconcileCandidates(deps, options, await discover(deps.targetGroups, scope));
  const warm = sharding.warm ?? coldState();
  const { fleet, shard, relisting } = await fleetShare(deps, sharding.sitesPerRun, sharding.tick, warm);
  const watched = new Set(warm.watch);
  const extra = { rechecked: watched };
  let report: RunReport;
  if (isWholeFleet(shard)) {
    report = await reconcileCandidates(
      deps,
      options,
      await discoverFleet(deps.targetGroups, fleet),
      extra,
      shard,
    );
  } else {
    deps.log.info({ shard, watched: watched.size }, 'full pass spread over ticks');
    // The watched sites first, so a deadline never leaves them out of the tick.
    const share = shareOf(fleet, shard);
    const arns = [...[...watched].filter((arn) => !share.has(arn)), ...share];
    const discovered = discoverInChunks(deps.targetGroups, arns, warm.facts);
    report = await runInChunks(deps, options, arns.length, discovered, extra, shard);
  }
  forgetVanished(warm.watch, watched, report);
  updateWatch(warm.watch, report.sites);
  await relisting;
  return report;
}

/** Watched sites the run looked for and no longer found among the opted-in target groups. */
function forgetVanished(watch: Set<string>, looked: ReadonlySet<string>, report: RunReport): void {
  const seen = new Set([...report.sites, ...(report.deferred ?? [])].map((s) => s.targetGroupArn));
  for (const arn of looked) if (!seen.has(arn)) watch.delete(arn);
}

/**
 * This tick's share of the fleet. A tick that takes the whole fleet, or a cold function, lists the
 * fleet first. A warm one spreading a pass over ticks takes its share of the listing it carries, and
 * when a pass begins (the share holds the first site of the hash
 * order) it lists the fleet again while the tick runs, for the ticks after it: the listing draws on
 * the tagging API's rate, the tick's sites on ELBv2's, so neither waits for the other. Listing
 * 10,000 sites takes 100 tagging pages, about 50 s at the polite rate, which a tick that lists first
 * would spend on no site. A site opted in meanwhile joins the shares at the next pass (its own
 * tagging event reconciles it at once).
 */
async function fleetShare(
  deps: ReconcileDeps,
  sitesPerRun: number,
  tick: number,
  warm: WarmState,
): Promise<{ fleet: readonly string[]; shard: Shard; relisting?: Promise<void> }> {
  const known = warm.fleet;
  const carried = known && shardFor(known.length, sitesPerRun, tick);
  if (known && carried && !isWholeFleet(carried)) {
    if (carried.start >= carried.size) return { fleet: known, shard: carried };
    const relisting = listFleet(deps.targetGroups).then(
      (fleet) => keepListing(warm, fleet),
      (error: unknown) =>
        deps.log.error(
          { errorCode: awsErrorCode(error), awsRequestId: awsRequestId(error) },
          `listing the fleet failed; the next ticks keep the listing they have: ${describeAwsError(error)}`,
        ),
    );
    return { fleet: known, shard: carried, relisting };
  }
  const fleet = await listFleet(deps.targetGroups);
  keepListing(warm, fleet);
  return { fleet, shard: shardFor(fleet.length, sitesPerRun, tick) };
}

/** Carries a new listing; the facts of groups no longer listed are dropped. */
function keepListing(warm: WarmState, fleet: readonly string[]): void {
  warm.fleet = fleet;
  const listed = new Set(fleet);
  for (const arn of warm.facts.keys()) if (!listed.has(arn)) warm.facts.delete(arn);
}

/** What the event path adds to a run's metrics. */
export interface RunExtras {
  readonly eventsIgnored?: number;
  /** The sites watched when the run began: those it finds clean publish an all-clear (zeros). */
  readonly rechecked?: ReadonlySet<string>;
}

/** The run after discovery: the event path and the CLI bring their own candidates. */
export function reconcileCandidates(
  deps: ReconcileDeps,
  options: Omit<ReconcileOptions, 'scope'>,
  candidates: readonly Candidate[],
  extra: RunExtras = {},
  shard?: Shard,
): Promise<RunReport> {
  return runInChunks(deps, options, candidates.length, () => chunk(candidates, CHUNK_SITES), extra, shard);
}

/**
 * Candidates a chunk at a time: all known at once, or discovered as the run reaches them (a tick's
 * share of a spread-out pass), so a tick never looks up sites its deadline then leaves.
 */
type CandidateChunks = (run: Run) => AsyncIterable<readonly Candidate[]> | Iterable<readonly Candidate[]>;

/**
 * A share's sites, looked up by ARN a chunk at a time until the deadline comes: their tags fresh
 * (one DescribeTags call per 20 sites), their facts from `facts` or, for groups not described yet,
 * one DescribeTargetGroups call per 20. The rest are deferred by ARN, never looked up here.
 */
const discoverInChunks = (
  targetGroups: TargetGroups,
  arns: readonly string[],
  facts: Map<string, TargetGroupFacts>,
): CandidateChunks =>
  async function* (run) {
    for (const [i, part] of chunk(arns, CHUNK_SITES).entries()) {
      if (run.stopping()) {
        for (const arn of arns.slice(i * CHUNK_SITES)) run.defer({ arn, name: nameOfArn(arn) });
        return;
      }
      for (const tg of await targetGroups.find(part.filter((arn) => !facts.has(arn)))) facts.set(tg.arn, tg);
      yield await withFreshTags(
        targetGroups,
        part.flatMap((arn) => facts.get(arn) ?? []),
      );
    }
  };

/** A target group's name, from its ARN (`…:targetgroup/<name>/<id>`). */
const nameOfArn = (arn: string): string => arn.split('/').at(-2) ?? arn;

async function runInChunks(
  deps: ReconcileDeps,
  options: Omit<ReconcileOptions, 'scope'>,
  total: number,
  candidates: CandidateChunks,
  extra: RunExtras,
  shard: Shard | undefined,
): Promise<RunReport> {
  options.progress?.start(total);
  const run = startRun(deps, options);
  // Sites go through in chunks: a chunk's writes run while the next chunk's targets are read, so
  // a pass with drift takes about as long as its slowest API family, not the sum of them.
  const writing: Promise<(SiteReport | null)[]>[] = [];
  try {
    for await (const part of candidates(run)) {
      const sites = await observeChunk(run, validateCandidates(run, part));
      if (sites.length === 0) continue;
      const read = await readEndpoints(run, sites);
      if (read) writing.push(applyChunk(run, sites, read));
    }
  } catch (error) {
    // A failed lookup fails the run, as discovery does; the writes in flight finish first.
    await Promise.allSettled(writing);
    throw error;
  }
  for (const written of await Promise.all(writing))
    run.reports.push(...written.filter((r): r is SiteReport => r !== null));
  const report = summariseRun(run, shard);
  if (options.publishMetrics) await publish(deps, options, report, extra);
  return report;
}

/** A run's progress: the reports so far and the sites deferred at the deadline. */
interface Run {
  readonly deps: ReconcileDeps;
  readonly options: Omit<ReconcileOptions, 'scope'>;
  readonly reports: SiteReport[];
  readonly deferred: DeferredSite[];
  /** Records a site's report as done (the progress line hears of it). */
  readonly settle: (report: SiteReport) => SiteReport;
  /** True once no new site may start. */
  readonly stopping: () => boolean;
  /** Leaves a site to the next run. */
  readonly defer: (tg: Pick<TargetGroupFacts, 'arn' | 'name'>) => null;
}

type ValidSite = { targetGroup: TargetGroupFacts; spec: SiteSpec };

/** The endpoints of a chunk's sites and their network interfaces. */
interface EndpointReads {
  readonly endpoints: ReadonlyMap<string, EndpointFacts>;
  readonly interfaces: ReadonlyMap<string, NetworkInterfaceFacts>;
}

function startRun(deps: ReconcileDeps, options: Omit<ReconcileOptions, 'scope'>): Run {
  const deferred: DeferredSite[] = [];
  return {
    deps,
    options,
    reports: [],
    deferred,
    settle: (report) => (options.progress?.siteDone(report), report),
    stopping: () => options.shouldStop?.() ?? false,
    defer: (tg) => {
      deferred.push({ targetGroupArn: tg.arn, targetGroupName: tg.name });
      return null;
    },
  };
}

/** The candidates whose tags and target type pass; the others are reported as errors now. */
function validateCandidates(run: Run, candidates: readonly Candidate[]): ValidSite[] {
  const valid: ValidSite[] = [];
  for (const candidate of candidates) {
    const checked = check(candidate);
    if ('status' in checked) {
      run.deps.log.error(
        { site: checked.targetGroupName, targetGroupArn: checked.targetGroupArn },
        checked.message,
      );
      run.reports.push(run.settle(checked));
    } else valid.push(checked);
  }
  return valid;
}

/** Reads the targets each site of a chunk holds; a site whose read fails is reported at once. */
async function observeChunk(run: Run, part: readonly ValidSite[]): Promise<ObservedSite[]> {
  const { deps } = run;
  const observed = await mapConcurrent(
    part,
    HEALTH_CONCURRENCY,
    async (site): Promise<ObservedSite | SiteReport | null> => {
      if (run.stopping()) return run.defer(site.targetGroup);
      try {
        return { ...site, registered: await deps.targetGroups.health(site.targetGroup.arn) };
      } catch (error) {
        return failed(deps.log, site.targetGroup, site.spec, 'DescribeTargetHealth', error);
      }
    },
  );
  const sites: ObservedSite[] = [];
  for (const o of observed) {
    if (o === null) continue;
    if ('status' in o) run.reports.push(run.settle(o));
    else sites.push(o);
  }
  return sites;
}

/**
 * Reads the chunk's endpoints, then their network interfaces. The reads are shared by the chunk's
 * sites: when one fails, each site reports the failure, and the answer is null.
 */
async function readEndpoints(run: Run, sites: readonly ObservedSite[]): Promise<EndpointReads | null> {
  let operation = 'DescribeVpcEndpoints';
  try {
    const endpoints = await run.deps.endpoints.endpoints(sites.map((s) => s.spec.endpointId));
    operation = 'DescribeNetworkInterfaces';
    const interfaces = await run.deps.endpoints.networkInterfaces(
      [...endpoints.values()].flatMap((e) => e.networkInterfaceIds),
    );
    return { endpoints, interfaces };
  } catch (error) {
    run.reports.push(
      ...sites.map((site) => run.settle(failed(run.deps.log, site.targetGroup, site.spec, operation, error))),
    );
    return null;
  }
}

/** Plans and writes the chunk's sites, not awaited: the next chunk is read meanwhile. */
function applyChunk(
  run: Run,
  sites: readonly ObservedSite[],
  { endpoints, interfaces }: EndpointReads,
): Promise<(SiteReport | null)[]> {
  const written = mapConcurrent(sites, APPLY_CONCURRENCY, async (site) => {
    const report = await reconcileSite(run, site, endpoints.get(site.spec.endpointId), interfaces);
    return report && run.settle(report);
  });
  // Awaited by the caller; a rejection must not count as unhandled while later chunks are read.
  written.catch(() => {});
  return written;
}

/** The run's report: its sites in name order, their totals, and the sites deferred. */
function summariseRun(run: Run, shard: Shard | undefined): RunReport {
  const { reports, deferred, options } = run;
  if (deferred.length)
    run.deps.log.warn({ deferred: deferred.length }, 'deadline near: sites deferred to the next run');
  reports.sort(
    (a, b) =>
      a.targetGroupName.localeCompare(b.targetGroupName) || a.targetGroupArn.localeCompare(b.targetGroupArn),
  );
  const summary = {
    ...summarize(reports, options.dryRun),
    ...(shard ? { shard } : {}),
    ...(deferred.length ? { sitesDeferred: deferred.length } : {}),
  };
  return { sites: reports, summary, ...(deferred.length ? { deferred } : {}) };
}

function check(candidate: Candidate): ValidSite | SiteReport {
  if (candidate.kind === 'rejected')
    return { ...errorReport(candidate, null, candidate.message), endpointId: candidate.endpointId ?? null };
  const tg = candidate.targetGroup;
  const spec = readSiteTags(candidate.tags);
  if (!spec.ok) return errorReport(tg, null, spec.error);
  const typed = validateTargetGroup(tg);
  if (!typed.ok) return errorReport(tg, spec.value, typed.error);
  return { targetGroup: tg, spec: spec.value };
}

/**
 * Plans one observed site and writes its changes. Near the deadline a site that needs writes is
 * deferred instead (null), its writes left to the next run; one that needs none is reported: its
 * reads are done, and redoing them elsewhere would cost the describe rate twice.
 */
async function reconcileSite(
  run: Run,
  site: ObservedSite,
  endpoint: EndpointFacts | undefined,
  interfaces: ReadonlyMap<string, NetworkInterfaceFacts>,
): Promise<SiteReport | null> {
  const { deps, options } = run;
  const { targetGroup: tg, spec, registered } = site;
  const endpointState = endpoint?.state ?? ENDPOINT_NOT_FOUND;
  const desired = desiredTargets(tg, spec.endpointId, endpoint, interfaces);
  if (!desired.ok) {
    deps.log.error({ site: tg.name, targetGroupArn: tg.arn, endpointId: spec.endpointId }, desired.error);
    return { ...errorReport(tg, spec, desired.error), registered, endpointState };
  }

  const p = plan(desired.value, registered, spec.policy);
  const base = {
    ...blankReport(tg, spec),
    endpointState,
    desired: desired.value.targets,
    registered,
    toRegister: p.register,
    toDeregister: p.deregister,
    driftTargets: p.missing.length + p.stale.length,
    unresolvedDriftTargets: p.unresolved,
  };
  if (p.status === 'waiting' || p.status === 'refused') return held(deps.log, site, p, base);
  if (p.status === 'in-sync') return { ...base, status: 'in-sync', message: 'targets match the endpoint' };
  if (p.register.length + p.deregister.length === 0) {
    if (p.status === 'draining') return { ...base, status: 'waiting', message: drainingNote(p) };
    return { ...base, status: 'drift', message: `${describePlan(p)}; left by policy ${spec.policy}` };
  }
  if (options.dryRun) {
    return {
      ...base,
      status: 'drift',
      unresolvedDriftTargets: base.driftTargets,
      message: `dry run: ${describePlan(p)}`,
    };
  }
  if (run.stopping()) return run.defer(tg);
  return apply(deps, site, p, base);
}

/** A plan the safety rules hold back: waiting is logged at info, a refusal at error (the site is an error). */
function held(
  log: Logger,
  site: ObservedSite,
  p: Plan,
  base: Omit<SiteReport, 'status' | 'message'>,
): SiteReport {
  const { targetGroup: tg, spec } = site;
  const message = p.refusal?.message ?? p.status;
  const fields = {
    site: tg.name,
    targetGroupArn: tg.arn,
    endpointId: spec.endpointId,
    reason: p.refusal?.reason,
  };
  if (p.status === 'refused') log.error(fields, message);
  else log.info(fields, message);
  return { ...base, status: p.status === 'refused' ? 'error' : 'waiting', message };
}

/** What is left of a plan once applied: by policy, or desired targets still draining. */
function outcome(p: Plan, policy: string): Pick<SiteReport, 'status' | 'message'> {
  if (p.status === 'converge') return { status: 'converged', message: describePlan(p) };
  if (p.status === 'draining')
    return { status: 'waiting', message: `${describePlan(p)}; ${drainingNote(p)}` };
  return { status: 'drift', message: `${describePlan(p)}; ${p.unresolved} left by policy ${policy}` };
}

/** AWS's TooManyTargets: the group is at its targets quota, so no registration goes through. */
const atQuota = (error: unknown): boolean => awsErrorCode(error) === 'TooManyTargets';

/**
 * Make before break: register, then deregister. When the group is at its targets quota
 * (TooManyTargets), registering first can never succeed; the stale targets are then deregistered
 * first, but only while the group keeps a healthy desired target (canDeregisterFirst), else the
 * site is an error that says what to do. Longer than 50 lines on purpose: the order of the writes,
 * and the one fallback, read as one sequence; split up, the counts of what was done would travel
 * between the parts.
 */
async function apply(
  deps: ReconcileDeps,
  site: ObservedSite,
  p: Plan,
  base: Omit<SiteReport, 'status' | 'message'>,
): Promise<SiteReport> {
  const { targetGroup: tg, spec, registered } = site;
  const done = { registered: 0, deregistered: 0 };
  const register = async () => {
    await deps.targetGroups.register(tg.arn, p.register);
    done.registered = p.register.length;
  };
  const deregister = async () => {
    await deps.targetGroups.deregister(tg.arn, p.deregister);
    done.deregistered = p.deregister.length;
  };
  const withCounts = (report: Pick<SiteReport, 'status' | 'message'> & Partial<SiteReport>): SiteReport => ({
    ...base,
    ...report,
    registeredCount: done.registered,
    deregisteredCount: done.deregistered,
    unresolvedDriftTargets:
      report.status === 'converged' ? 0 : base.driftTargets - done.registered - done.deregistered,
  });
  let step = 'RegisterTargets';
  try {
    try {
      await register();
    } catch (error) {
      if (!atQuota(error)) throw error;
      if (!canDeregisterFirst(p, registered)) {
        const message = quotaMessage(p, error);
        deps.log.error({ site: tg.name, targetGroupArn: tg.arn, errorCode: 'TooManyTargets' }, message);
        return withCounts({ status: 'error', message, errorCode: 'TooManyTargets', retryable: false });
      }
      step = 'DeregisterTargets';
      await deregister();
      deps.log.warn(
        { site: tg.name, targetGroupArn: tg.arn, deregistered: p.deregister.map(formatTarget) },
        'target group at its targets quota: stale targets deregistered first (a healthy desired target stays)',
      );
      step = 'RegisterTargets';
      try {
        await register();
      } catch (again) {
        if (!atQuota(again)) throw again;
        return withCounts({
          status: 'waiting',
          message: `deregistered ${list(p.deregister)} first: the target group is at its targets quota (TooManyTargets) until they finish draining; ${list(p.register)} will be registered by a later run`,
        });
      }
    }
    step = 'DeregisterTargets';
    if (done.deregistered === 0) await deregister();
  } catch (error) {
    // The failure's status, message and code over the site's plan and drift: an error report
    // alone would blank what the site wanted and held, and drop its DriftTargets.
    const { status, message, errorCode, retryable } = failed(deps.log, tg, spec, step, error);
    return withCounts({
      status,
      message,
      ...(errorCode ? { errorCode } : {}),
      ...(retryable === undefined ? {} : { retryable }),
    });
  }
  deps.log.info(
    {
      site: tg.name,
      targetGroupArn: tg.arn,
      endpointId: spec.endpointId,
      policy: spec.policy,
      before: registered.map(formatTarget),
      registered: p.register.map(formatTarget),
      deregistered: p.deregister.map(formatTarget),
    },
    'site changed',
  );
  return withCounts(outcome(p, spec.policy));
}

const list = (targets: readonly Target[]): string => targets.map(formatTarget).join(', ');

/** Every target with its port and its own sign: `+10.1.1.4:443, -10.1.1.4:8443`. */
function describePlan(p: Plan): string {
  const parts = [];
  if (p.register.length) parts.push(`register ${p.register.map((t) => `+${formatTarget(t)}`).join(', ')}`);
  if (p.deregister.length)
    parts.push(`deregister ${p.deregister.map((t) => `-${formatTarget(t)}`).join(', ')}`);
  if (!parts.length) {
    const missing = p.missing.length
      ? `missing ${p.missing.map((t) => `+${formatTarget(t)}`).join(', ')}`
      : '';
    const stale = p.stale.length ? `stale ${p.stale.map((t) => `-${formatTarget(t)}`).join(', ')}` : '';
    parts.push([missing, stale].filter(Boolean).join('; '));
  }
  return parts.join('; ');
}

/** Desired targets that are draining: AWS registers an IP again only after its deregistration delay. */
function drainingNote(p: Plan): string {
  const held =
    p.deregister.length < p.stale.length
      ? `; ${list(p.stale)} kept until then, so the group is never empty`
      : '';
  return `${list(p.draining)} draining: an IP target can be registered again only once its deregistration delay ends, so it is registered by a later run${held}`;
}

function quotaMessage(p: Plan, error: unknown): string {
  return `RegisterTargets failed: the target group is at its targets quota (${describeAwsError(error)}); ${p.register.length} missing target(s) cannot be registered before the ${p.stale.length} stale one(s) are deregistered (make before break), and deregistering first is unsafe because the group holds no healthy desired target. Deregister the stale targets (${list(p.stale)}) by hand, or raise the quota "Targets per target group per Region" in Service Quotas`;
}

function failed(
  log: Logger,
  tg: TargetGroupFacts,
  spec: SiteSpec,
  operation: string,
  error: unknown,
): SiteReport {
  const errorCode = awsErrorCode(error);
  const message = `${operation} failed: ${describeAwsError(error)}`;
  log.error(
    { site: tg.name, targetGroupArn: tg.arn, operation, errorCode, awsRequestId: awsRequestId(error) },
    message,
  );
  return { ...errorReport(tg, spec, message, errorCode), retryable: isTransient(error) };
}

async function publish(
  deps: ReconcileDeps,
  options: Omit<ReconcileOptions, 'scope'>,
  report: RunReport,
  { eventsIgnored, rechecked }: RunExtras,
): Promise<void> {
  const cleared = report.sites
    .filter((s) => rechecked?.has(s.targetGroupArn) && s.status !== 'error' && s.unresolvedDriftTargets === 0)
    .map((s) => s.targetGroupName);
  const totals = { ...report.summary, ...(eventsIgnored === undefined ? {} : { eventsIgnored }) };
  const data = runMetricData(totals, report.sites.map(siteFigures), {
    perSite: options.perSiteMetrics,
    cleared,
  });
  try {
    await deps.metrics.publish(data, (deps.now ?? (() => new Date()))());
  } catch (error) {
    deps.log.error(
      { errorCode: awsErrorCode(error), awsRequestId: awsRequestId(error) },
      `publishing metrics failed: ${describeAwsError(error)}`,
    );
  }
}

import {
  awsErrorCode,
  type EventsResult,
  handleMessages,
  type ReconcileDeps,
  type RunReport,
  reconcile,
  type SiteReport,
} from '@vpce-target-sync/functions';
import { buildRequeueMessage, METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { expect } from 'vitest';
import type { CallRecord, MetricDatum } from '../../sim/index.ts';
import { trail } from '../../support/cloudtrail.ts';
import { DISCOVERY_OPERATIONS, type PlannedFault, type Tampering } from './fault-plan.ts';
import { currentEniIps, type Fleet, noteEnis, PORT } from './fleet.ts';
import type { LogCapture, LogLine } from './logs.ts';
import { type GroupSnapshot, isWrite, reconcilerCalls, snapshot, targetsOf } from './observe.ts';

/** How a run enters the product: the scheduled full pass, or the event path on a batch naming every site. */
export type Path = 'schedule' | 'events';

export interface RunOutcome {
  readonly label: string;
  readonly path: Path;
  readonly before: Map<string, GroupSnapshot>;
  readonly after: Map<string, GroupSnapshot>;
  /** ENI IPs current at the start of the run, per endpoint. */
  readonly enisBefore: Map<string, string[]>;
  readonly calls: CallRecord[];
  readonly logs: LogLine[];
  readonly metrics: MetricDatum[];
  readonly report: RunReport | null;
  readonly events: EventsResult | null;
  readonly thrown: unknown;
}

/** What the suite exercised, printed once at the end so a reader can see the faults really bit. */
export const stats = {
  runs: 0,
  faultedRuns: 0,
  eventPathRuns: 0,
  runsFailedInDiscovery: 0,
  siteErrorsByCode: new Map<string, number>(),
  faultsByKind: new Map<string, number>(),
  writes: 0,
};

const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);

export function count(run: RunOutcome, faults: readonly PlannedFault[]): void {
  stats.runs += 1;
  if (faults.length) stats.faultedRuns += 1;
  if (run.path === 'events') stats.eventPathRuns += 1;
  if (run.thrown !== undefined || (run.events && !run.report)) stats.runsFailedInDiscovery += 1;
  for (const f of faults) bump(stats.faultsByKind, f.kind);
  for (const s of run.report?.sites ?? [])
    if (s.status === 'error') bump(stats.siteErrorsByCode, s.errorCode ?? '(validation)');
  stats.writes += run.calls.filter(isWrite).length;
}

/** One line per call and per site, for VTS_DEBUG=1. */
export function describeRun(run: RunOutcome, faults: readonly PlannedFault[]): string {
  return [
    `${run.label} (${run.path}): ${faults.map((f) => f.describe).join('; ') || 'no faults'}`,
    `  calls: ${run.calls.map((c) => `${c.operation}=${c.status}${c.faults.length ? `[${c.faults.join(',')}]` : ''}`).join(' ')}`,
    ...(run.thrown !== undefined ? [`  threw: ${String(run.thrown)}`] : []),
    ...(run.report?.sites ?? []).map((s) => `  ${s.targetGroupName}: ${s.status}: ${s.message}`),
  ].join('\n');
}

const OPTIONS = { dryRun: false, publishMetrics: true, perSiteMetrics: true } as const;

/** The batch the event path gets: a change to every endpoint, and a tag change on every other site. */
export function eventsNamingEverySite(fleet: Fleet): { messageId: string; body: string }[] {
  const endpoints = Object.values(fleet.endpoints);
  const bodies: unknown[] = endpoints.map((id) => trail.modifyVpcEndpoint(id, { add: ['subnet-0'] }));
  const others = fleet.sites.filter((s) => !endpoints.includes(s.endpointId));
  if (others.length)
    bodies.push(
      buildRequeueMessage({ targetGroupArns: others.map((s) => s.arn), attempt: 1, reason: 'test' }),
    );
  return bodies.map((body, i) => ({ messageId: `m${i + 1}`, body: JSON.stringify(body) }));
}

/** One reconcile (or event batch) with everything the checks need recorded around it. */
export async function runOnce(
  fleet: Fleet,
  deps: ReconcileDeps,
  logs: LogCapture,
  path: Path,
  label: string,
): Promise<RunOutcome> {
  const { sim } = fleet;
  noteEnis(fleet);
  const enisBefore = new Map(
    [...sim.state().ec2.endpoints.keys()].map((id) => [id, currentEniIps(sim, id)] as const),
  );
  const before = snapshot(sim);
  const callsFrom = sim.calls.length;
  const logsFrom = logs.mark();
  const metricsFrom = sim.metricData().length;
  let report: RunReport | null = null;
  let events: EventsResult | null = null;
  let thrown: unknown;
  try {
    if (path === 'schedule') report = await reconcile(deps, OPTIONS);
    else {
      events = await handleMessages(
        deps,
        { send: async () => {} },
        { ...OPTIONS, ownRoleArn: undefined },
        eventsNamingEverySite(fleet),
      );
      report = events.report;
    }
  } catch (error) {
    thrown = error;
  }
  noteEnis(fleet);
  return {
    label,
    path,
    before,
    after: snapshot(sim),
    enisBefore,
    calls: reconcilerCalls(sim, callsFrom),
    logs: logs.since(logsFrom),
    metrics: sim.metricData().slice(metricsFrom),
    report,
    events,
    thrown,
  };
}

const siteOf = (report: RunReport, arn: string): SiteReport | undefined =>
  report.sites.find((s) => s.targetGroupArn === arn);

/** A call that failed from the client's side: an error status, a reset, or an answer later than the timeout. */
const failedCall = (c: CallRecord): boolean => c.status !== 200 || c.faults.includes('delay');

/** Codes a failed call shows the client: the AWS code, or the SDK's name for a reset or a timeout. */
const clientCodes = (c: CallRecord): string[] =>
  c.faults.includes('delay')
    ? ['ETIMEDOUT', 'TimeoutError']
    : c.status === 0
      ? ['ECONNRESET', 'Error']
      : [c.errorCode ?? ''];

export interface Context {
  readonly fleet: Fleet;
  readonly tampering: Tampering;
  /** Active targets of each group when the scenario began. */
  readonly initial: Map<string, GroupSnapshot>;
}

/**
 * The invariants (listed in docs/reliability.md), checked after every run (faulted or not):
 * safety (never emptied, only current ENI IPs registered, policies honoured, make before break),
 * honesty (a site reported in sync or converged is), and visibility (every failure is a per-site
 * error with its AWS code in the log and in SiteErrors; a metrics failure never fails the run).
 */
export function checkRun(ctx: Context, run: RunOutcome, faults: readonly PlannedFault[]): void {
  const { fleet, tampering } = ctx;
  const where = `${run.label} [${run.path}; faults: ${faults.map((f) => f.describe).join('; ') || 'none'}]`;
  const writes = run.calls.filter(isWrite);

  // A run fails as a whole only when discovery fails; it says which AWS error stopped it.
  if (run.thrown !== undefined) {
    const lastDiscovery = run.calls.filter((c) => DISCOVERY_OPERATIONS.has(c.operation)).at(-1);
    expect(
      lastDiscovery && failedCall(lastDiscovery),
      `${where}: the run threw ${String(run.thrown)}, but discovery went through`,
    ).toBe(true);
    expect(awsErrorCode(run.thrown), `${where}: the run's error names no AWS code`).not.toBe('Error');
    expect(writes, `${where}: a run that failed in discovery wrote targets`).toEqual([]);
  }

  for (const site of fleet.sites) {
    const before = run.before.get(site.arn);
    const after = run.after.get(site.arn);
    const siteWrites = writes.filter((c) => c.params.TargetGroupArn === site.arn);
    const report = run.report ? siteOf(run.report, site.arn) : undefined;
    const label = `${where}: ${site.name} (${site.state}, ${site.policy}${site.misconfig ? `, ${site.misconfig}` : ''})`;

    // Never emptied: a group that held a current, healthy target still holds a target.
    const enis = new Set(run.enisBefore.get(site.endpointId) ?? []);
    if (before?.healthy.some((ip) => enis.has(ip)) && !tampering.deletedTargetGroups.has(site.arn)) {
      expect(
        after?.active.length ?? 0,
        `${label}: emptied (before: ${before.active.join(' ')})`,
      ).toBeGreaterThan(0);
    }

    // Only current ENI IPs of the site's own endpoint are ever registered, on the group's port.
    const ever = fleet.everEniIps.get(site.endpointId) ?? new Set<string>();
    for (const call of siteWrites.filter((c) => c.operation === 'RegisterTargets')) {
      for (const t of targetsOf(call)) {
        expect(ever.has(t.id), `${label}: registered ${t.id}, never an ENI IP of ${site.endpointId}`).toBe(
          true,
        );
        expect(t.port, `${label}: registered ${t.id} on port ${t.port}`).toBe(PORT);
      }
    }
    if (site.misconfig) expect(siteWrites, `${label}: a misconfigured site was written`).toEqual([]);
    if (site.policy === 'observe') expect(siteWrites, `${label}: an observe site was written`).toEqual([]);
    if (site.policy === 'upsert-only') {
      expect(
        siteWrites.filter((c) => c.operation === 'DeregisterTargets'),
        `${label}: an upsert-only site was deregistered from`,
      ).toEqual([]);
      if (after) {
        const lost = (before?.active ?? []).filter((ip) => !after.active.includes(ip));
        expect(lost, `${label}: an upsert-only site lost targets`).toEqual([]);
      }
    }

    // Make before break: nothing is deregistered before every planned registration went through.
    const firstDeregister = siteWrites.findIndex((c) => c.operation === 'DeregisterTargets');
    if (firstDeregister >= 0 && report && report.toRegister.length > 0) {
      const registered = siteWrites
        .slice(0, firstDeregister)
        .filter((c) => c.operation === 'RegisterTargets');
      expect(
        registered.some((c) => !failedCall(c)),
        `${label}: DeregisterTargets before a successful RegisterTargets`,
      ).toBe(true);
    }
    if (report) {
      const desired = new Set(report.desired.map((t) => t.id));
      for (const call of siteWrites.filter((c) => c.operation === 'DeregisterTargets'))
        for (const t of targetsOf(call))
          expect(desired.has(t.id), `${label}: deregistered desired target ${t.id}`).toBe(false);
    }

    if (!run.report) continue;
    if (tampering.deletedTargetGroups.has(site.arn) && !report) continue;
    expect(report, `${label}: missing from the report`).toBeDefined();
    if (!report) continue;

    // Honest figures: drift left never exceeds drift seen, and nothing is counted that was not planned.
    expect(report.unresolvedDriftTargets, `${label}: unresolved drift`).toBeGreaterThanOrEqual(0);
    expect(report.unresolvedDriftTargets, `${label}: unresolved drift above drift`).toBeLessThanOrEqual(
      report.driftTargets,
    );
    expect(report.registeredCount, label).toBeLessThanOrEqual(report.toRegister.length);
    expect(report.deregisteredCount, label).toBeLessThanOrEqual(report.toDeregister.length);

    // Honest: a site reported in sync or converged holds exactly the desired targets.
    if ((report.status === 'in-sync' || report.status === 'converged') && after) {
      expect(after.active, `${label}: reported ${report.status}`).toEqual(
        report.desired.map((t) => t.id).sort(),
      );
    }

    // No silent failure: a site call that failed for good makes the site an error naming it.
    for (const op of ['DescribeTargetHealth', 'RegisterTargets', 'DeregisterTargets']) {
      const calls = run.calls.filter((c) => c.operation === op && c.params.TargetGroupArn === site.arn);
      const last = calls.at(-1);
      if (!last || !failedCall(last)) continue;
      expect(
        report.status,
        `${label}: ${op} failed (${clientCodes(last)[0]}) but the site is ${report.status}`,
      ).toBe('error');
      expect(report.message, label).toMatch(new RegExp(`^${op} failed: `));
      expect(clientCodes(last), `${label}: errorCode ${report.errorCode}`).toContain(report.errorCode);
    }

    // The endpoint reads are shared: when one fails for good, every site reports it.
    for (const op of ['DescribeVpcEndpoints', 'DescribeNetworkInterfaces']) {
      const last = run.calls.filter((c) => c.operation === op).at(-1);
      if (last && failedCall(last))
        expect(report.status, `${label}: ${op} failed but the site is ${report.status}`).toBe('error');
    }

    // Visible: every error has a log line naming the site (and the AWS code, when AWS failed).
    if (report.status === 'error') {
      const lines = run.logs.filter(
        (l) => l.level === 'error' && (l.site === site.name || l.targetGroupArn === site.arn),
      );
      expect(lines.length, `${label}: error "${report.message}" was not logged`).toBeGreaterThan(0);
      if (report.errorCode) {
        const coded = lines.find((l) => l.errorCode === report.errorCode);
        expect(coded, `${label}: no log line with errorCode ${report.errorCode}`).toBeDefined();
        expect(coded?.msg, label).toContain(report.errorCode);
        expect(report.message, label).toContain(report.errorCode);
      }
      if (run.events && report.retryable) {
        // The message that named the site is failed, so SQS delivers it again.
        const endpoints = Object.values(fleet.endpoints);
        const naming = endpoints.includes(site.endpointId)
          ? `m${endpoints.indexOf(site.endpointId) + 1}`
          : `m${endpoints.length + 1}`;
        expect(
          run.events.failedMessageIds,
          `${label}: a retryable error, but ${naming} is not retried`,
        ).toContain(naming);
      }
    }
  }

  // A transient discovery failure on the event path fails every message, so SQS redelivers them.
  if (
    run.events &&
    !run.report &&
    run.calls.some((c) => DISCOVERY_OPERATIONS.has(c.operation) && failedCall(c))
  ) {
    expect(
      run.events.failedMessageIds.length,
      `${where}: discovery failed but no message will be retried`,
    ).toBe(eventsNamingEverySite(fleet).length);
  }

  // SiteErrors carries every site error; when publishing fails, the run still completes and says so.
  if (run.report) {
    const errors = run.report.sites.filter((s) => s.status === 'error');
    const puts = run.calls.filter((c) => c.operation === 'PutMetricData');
    const published = puts.length > 0 && !failedCall(puts.at(-1) as CallRecord);
    if (published) {
      const runWide = run.metrics.filter(
        (d) =>
          d.namespace === METRIC_NAMESPACE && d.metricName === METRIC.SiteErrors && d.dimensions.length === 0,
      );
      // Run-wide figures other than the heartbeat are published only when non-zero: absent means 0.
      expect(runWide.at(-1)?.sum ?? 0, `${where}: SiteErrors`).toBe(errors.length);
      if (errors.length === 0) expect(runWide, `${where}: SiteErrors published at 0`).toEqual([]);
      for (const e of errors.filter((s) => s.targetGroupName)) {
        const perSite = run.metrics.find(
          (d) =>
            d.metricName === METRIC.SiteErrors && d.dimensions.some((x) => x.Value === e.targetGroupName),
        );
        expect(perSite?.sum, `${where}: SiteErrors for ${e.targetGroupName}`).toBe(1);
      }
    } else if (puts.length > 0) {
      const line = run.logs.find((l) => l.level === 'error' && /publishing metrics failed/.test(l.msg));
      expect(line, `${where}: a metrics failure was not logged`).toBeDefined();
      // The code logged is the one the last PutMetricData answered (or the SDK's name for it).
      expect(clientCodes(puts.at(-1) as CallRecord), where).toContain(line?.errorCode);
    }
  }
}

const MISCONFIG_MESSAGES: Record<string, RegExp> = {
  'bad-tag': /tag vpce-target-sync:endpoint-id is ".*"/,
  'bad-policy': /tag vpce-target-sync:policy is ".*"; expected one of sync, upsert-only, observe/,
  'instance-type': /target type "instance"; expected "ip"/,
  'other-vpc': /they must be in the same VPC/,
  'unknown-endpoint': /vpce-0123456789abcdef0 .*is deleted or does not exist/,
  'gateway-endpoint': /is of type Gateway; expected Interface/,
};

/** Once faults stop: where every site must be after (at most) two runs. */
export function checkConverged(ctx: Context, run: RunOutcome): void {
  const { fleet, tampering } = ctx;
  expect(run.thrown, `${run.label}: the run failed without faults`).toBeUndefined();
  const report = run.report as RunReport;
  for (const site of fleet.sites) {
    const label = `${run.label}: ${site.name} (${site.state}, ${site.policy}${site.misconfig ? `, ${site.misconfig}` : ''})`;
    const s = siteOf(report, site.arn);
    const after = run.after.get(site.arn);
    if (tampering.deletedTargetGroups.has(site.arn)) {
      expect(s, `${label}: a deleted target group is still reported`).toBeUndefined();
      continue;
    }
    expect(s, `${label}: missing from the report`).toBeDefined();
    if (!s || !after) continue;
    if (site.misconfig) {
      expect(s.status, label).toBe('error');
      expect(s.message, label).toMatch(MISCONFIG_MESSAGES[site.misconfig] as RegExp);
      continue;
    }
    if (tampering.deletedEndpoints.has(site.endpointId)) {
      expect(s.status, label).toBe('error');
      expect(s.message, label).toMatch(/is (deleted or does not exist|deleting:)/);
      if ((ctx.initial.get(site.arn)?.active.length ?? 0) > 0)
        expect(after.active.length, `${label}: emptied after its endpoint was deleted`).toBeGreaterThan(0);
      continue;
    }
    const enis = currentEniIps(fleet.sim, site.endpointId);
    const initial = ctx.initial.get(site.arn)?.active ?? [];
    if (site.policy === 'sync') {
      expect(after.active, `${label}: not converged to the ENI IPs`).toEqual(enis);
      expect(['in-sync', 'converged'], `${label}: status ${s.status}: ${s.message}`).toContain(s.status);
    } else if (site.policy === 'upsert-only') {
      expect(
        enis.filter((ip) => !after.active.includes(ip)),
        `${label}: ENI IPs still missing`,
      ).toEqual([]);
      expect(
        initial.filter((ip) => !after.active.includes(ip)),
        `${label}: lost targets`,
      ).toEqual([]);
      expect(['in-sync', 'converged', 'drift'], `${label}: status ${s.status}: ${s.message}`).toContain(
        s.status,
      );
    } else {
      expect(after.active, `${label}: an observe site changed`).toEqual(initial);
      expect(['in-sync', 'drift'], `${label}: status ${s.status}: ${s.message}`).toContain(s.status);
    }
  }
}

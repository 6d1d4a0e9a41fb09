/**
 * The alarm timings of a virtual deployment (deployment.ts), measured with the simulator's alarm
 * evaluator over the synthesised template's alarms, in simulated time:
 *
 * 1. healthy: the fleet runs untouched (at least one full pass); no alarm goes to ALARM;
 * 2. at t0 one site drifts in a way the product cannot fix (policy `observe`, one ENI IP
 *    deregistered) and another site's endpoint is deleted (a site error); measured: seconds from
 *    the first look at the site after t0 (its DescribeTargetHealth) to the unresolved-drift alarm's
 *    and the errors alarm's ALARM;
 * 3. at t1 both are fixed as an operator would (policy back to `sync`; a new endpoint and the tag
 *    pointed at it): seconds from t1 to each alarm's OK;
 * 4. the function fails on every invocation: seconds to the not-running alarm's ALARM; repaired:
 *    seconds to its OK;
 * 5. the schedule rule is disabled, then enabled: the same, reported apart (`scheduleOff`), since
 *    the function keeps running (and beating) while the events queue holds work.
 *
 * Requirements (issue 14 item 1): ALARM within 30 minutes of the first pass that saw the problem,
 * OK within 15 minutes of the fix.
 */
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ENDPOINT_ID_TAG, POLICY_TAG } from '@vpce-target-sync/shared';
import { type AlarmDefinition, alarmsFromTemplate, alarmTimes } from '../sim/alarms.ts';
import type { Simulator } from '../sim/index.ts';
import type { FullPass, VirtualDeployment } from './deployment.ts';

/** ALARM within this long of the first pass that saw the problem (issue 14 item 1). */
export const ALARM_WITHIN_S = 1800;
/** OK within this long of the fix. */
export const OK_WITHIN_S = 900;

export type AlarmKind = 'unresolved-drift' | 'errors' | 'not-running';

/** The template's alarm for each kind (a part of its logical id). */
export const ALARM_IDS: Readonly<Record<AlarmKind, string>> = {
  'unresolved-drift': 'UnresolvedDrift',
  errors: 'SiteErrors',
  'not-running': 'NotRunning',
};

export interface AlarmMeasurement {
  readonly sites: number;
  readonly alarm: AlarmKind;
  /** Seconds from the first pass that saw the problem (not-running: from the function failing) to ALARM; null if it never fired. */
  readonly secondsToAlarm: number | null;
  /** Seconds from the fix (not-running: from the repair) to OK; null if it never returned. */
  readonly secondsToOk: number | null;
  /** Seconds from the change itself (drift, deletion) to the first look at it (0 for not-running). */
  readonly secondsToFirstLook: number | null;
}

/** A site of the fleet, as the bench's Seeder builds them. */
export interface ScenarioSite {
  readonly arn: string;
  readonly endpointId: string;
  readonly vpc: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  readonly ips: readonly string[];
}

export interface ScenarioOptions {
  /** Simulated time the healthy fleet runs after its first full pass. Default 2 h. */
  readonly healthyMs?: number;
  /** How long after the first look at a site (not-running: after the failure) to wait for an ALARM. Default 45 minutes. */
  readonly alarmCapMs?: number;
  /** How long to wait for an OK before giving up. Default 30 minutes. */
  readonly okCapMs?: number;
  /** Progress lines (simulated time, phase). */
  readonly log?: (line: string) => void;
}

/** Phase 1: the first full pass, then a healthy window. */
export interface HealthyWindow {
  /** The end of the first full pass: the start of the healthy window (simulated ms). */
  readonly fromMs: number;
  readonly toMs: number;
  readonly pass: FullPass | undefined;
  /** Alarms that went to ALARM in the window: none expected. */
  readonly alarms: readonly string[];
  /** Alarms that went to ALARM between the deployment and the end of the first full pass. */
  readonly alarmsAtDeploy: readonly string[];
}

export interface ScenarioResult {
  readonly sites: number;
  readonly measurements: readonly AlarmMeasurement[];
  /** Alarms that went to ALARM while the fleet was healthy (phase 1, after the first full pass): none expected. */
  readonly healthyAlarms: readonly string[];
  readonly healthy: HealthyWindow;
  /** The not-running alarm when the schedule rule is disabled, then enabled (the queue's work still runs). */
  readonly scheduleOff: { readonly secondsToAlarm: number | null; readonly secondsToOk: number | null };
  /** The most messages the events queue held (not yet deleted) when a batch was taken. */
  readonly maxQueued: number;
  readonly healthyMinutes: number;
  /** The first full pass from the first tick: simulated minutes, and the calls it made. */
  readonly fullPass:
    | { readonly minutes: number; readonly calls: Readonly<Record<string, number>> }
    | undefined;
  /** Invocations that ran past the function timeout (Lambda would have stopped them). */
  readonly timedOut: number;
  /** Calls the simulator's buckets turned away. */
  readonly throttled: number;
  /** Real time invocations waited with no call answered, counted as simulated time (deployment.ts StallMeter). */
  readonly stalledMs: number;
  readonly deadLetters: number;
  readonly invocations: number;
  readonly simulatedMinutes: number;
}

const MINUTE = 60_000;
const PORT = 443;

export class AlarmScenarios {
  readonly alarms: AlarmDefinition[];
  private readonly ec2: EC2Client;
  private readonly elbv2: ElasticLoadBalancingV2Client;

  constructor(
    private readonly sim: Simulator,
    private readonly deployment: VirtualDeployment,
    template: object,
  ) {
    this.alarms = alarmsFromTemplate(template);
    const config = { ...sim.clientConfig(), maxAttempts: 10 };
    this.ec2 = new EC2Client(config);
    this.elbv2 = new ElasticLoadBalancingV2Client(config);
  }

  /** When `kind`'s alarm first went to ALARM at or after `afterMs`, and to OK at or after `okAfterMs`. */
  times(kind: AlarmKind, afterMs: number, okAfterMs = afterMs): { alarmAt?: number; okAt?: number } {
    const t = alarmTimes(this.sim, this.alarms, ALARM_IDS[kind], {
      alarmAfterMs: afterMs,
      okAfterMs,
      fromMs: this.deployment.startedAt,
      untilMs: this.deployment.now(),
    });
    return {
      ...(t.alarmAtMs === undefined ? {} : { alarmAt: t.alarmAtMs }),
      ...(t.okAtMs === undefined ? {} : { okAt: t.okAtMs }),
    };
  }

  /** Alarms (by logical id) that went to ALARM between two simulated times. */
  alarmsBetween(fromMs: number, toMs: number): string[] {
    return this.sim
      .alarmHistory(this.alarms, { fromMs: this.deployment.startedAt, toMs })
      .filter((e) => e.transitions.some((t) => t.state === 'ALARM' && t.atMs >= fromMs))
      .map((e) => e.alarm.logicalId);
  }

  /**
   * Phase 1: the fleet runs untouched through its first full pass (from the first tick), then
   * `healthyMs` more. The not-running alarm is in ALARM from its creation until the first run's
   * heartbeat (missing data is breaching), so the healthy window starts once the first pass is done.
   */
  async healthy(
    sites: readonly ScenarioSite[],
    healthyMs: number,
    log: (line: string) => void = () => {},
  ): Promise<HealthyWindow> {
    const d = this.deployment;
    const arns = sites.map((s) => s.arn);
    const passDone = () => {
      const first = d.invocations.find((i) => i.kind === 'scheduled');
      return first && d.fullPass(arns, first.startedAt);
    };
    await d.runFor(4 * 60 * MINUTE, { stop: () => passDone() !== undefined });
    const pass = passDone();
    const fromMs = pass?.endMs ?? d.now();
    await d.runUntil(fromMs + healthyMs);
    const toMs = d.now();
    const window: HealthyWindow = {
      fromMs,
      toMs,
      pass,
      alarms: this.alarmsBetween(fromMs, toMs),
      alarmsAtDeploy: this.alarmsBetween(d.startedAt, fromMs),
    };
    log(
      `+${((toMs - d.startedAt) / MINUTE).toFixed(1)} min first full pass ${pass ? `${(pass.periodMs / MINUTE).toFixed(1)} min` : 'not done in 4 h'}; then healthy for ${((toMs - fromMs) / MINUTE).toFixed(0)} min; alarms: ${window.alarms.join(', ') || 'none'} (before the first pass ended: ${window.alarmsAtDeploy.join(', ') || 'none'})`,
    );
    return window;
  }

  async run(sites: readonly ScenarioSite[], options: ScenarioOptions = {}): Promise<ScenarioResult> {
    const d = this.deployment;
    const log = options.log ?? (() => {});
    const alarmCap = options.alarmCapMs ?? 45 * MINUTE;
    const okCap = options.okCapMs ?? 30 * MINUTE;
    const stamp = () => `+${((d.now() - d.startedAt) / MINUTE).toFixed(1)} min`;
    const drifted = sites[Math.floor(sites.length / 2) + 1];
    const broken = sites[sites.length - 1];
    if (!drifted || !broken || drifted === broken) throw new Error('the scenarios need at least three sites');

    // 1. Healthy.
    const healthy = await this.healthy(sites, options.healthyMs ?? 120 * MINUTE, log);

    // 2. A drift the product may not fix, and a site error.
    const t0 = d.now();
    await this.elbv2.send(
      new AddTagsCommand({ ResourceArns: [drifted.arn], Tags: [{ Key: POLICY_TAG, Value: 'observe' }] }),
    );
    await this.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: drifted.arn,
        Targets: [{ Id: drifted.ips[0] as string, Port: PORT }],
      }),
    );
    await this.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [broken.endpointId] }));
    log(`${stamp()} drift (observe, ${drifted.ips[0]} deregistered) and a deleted endpoint`);
    // Until each alarm has fired, or `alarmCap` has passed since the first look at its site (a
    // large fleet may first look at a site long after t0), and at most three caps in all.
    const settled = (kind: AlarmKind, arn: string): boolean => {
      if (this.times(kind, t0).alarmAt !== undefined) return true;
      const seen = d.firstCheck(arn, t0);
      return seen !== undefined && d.now() >= seen + alarmCap;
    };
    await d.runUntil(t0 + 3 * alarmCap, {
      stop: () => settled('unresolved-drift', drifted.arn) && settled('errors', broken.arn),
    });
    const driftSeen = d.firstCheck(drifted.arn, t0);
    const errorSeen = d.firstCheck(broken.arn, t0);
    const driftAlarm = this.times('unresolved-drift', t0).alarmAt;
    const errorAlarm = this.times('errors', t0).alarmAt;
    log(
      `${stamp()} drift seen ${seconds(driftSeen, t0)} s after, ALARM ${seconds(driftAlarm, driftSeen)} s after that; error seen ${seconds(errorSeen, t0)} s, ALARM ${seconds(errorAlarm, errorSeen)} s`,
    );

    // 3. Both fixed as an operator would.
    const t1 = d.now();
    await this.elbv2.send(
      new AddTagsCommand({ ResourceArns: [drifted.arn], Tags: [{ Key: POLICY_TAG, Value: 'sync' }] }),
    );
    const created = await this.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: broken.vpc.vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.s3',
        SubnetIds: [...broken.vpc.subnetIds],
      }),
    );
    await this.elbv2.send(
      new AddTagsCommand({
        ResourceArns: [broken.arn],
        Tags: [{ Key: ENDPOINT_ID_TAG, Value: created.VpcEndpoint?.VpcEndpointId ?? '' }],
      }),
    );
    log(`${stamp()} fixed: policy sync, a new endpoint tagged`);
    await d.runUntil(t1 + okCap, {
      stop: () =>
        this.times('unresolved-drift', t0, t1).okAt !== undefined &&
        this.times('errors', t0, t1).okAt !== undefined,
    });
    const driftOk = this.times('unresolved-drift', t0, t1).okAt;
    const errorOk = this.times('errors', t0, t1).okAt;
    log(`${stamp()} OK ${seconds(driftOk, t1)} s (drift), ${seconds(errorOk, t1)} s (errors) after the fix`);

    // 4. Not running: the function fails on every invocation (a bad configuration, lost
    // permissions), then is repaired.
    const b = d.now();
    d.breakFunction('vpce-target-sync configuration error (a virtual deployment scenario)');
    await d.runUntil(b + alarmCap, { stop: () => this.times('not-running', b).alarmAt !== undefined });
    const brokenAlarm = this.times('not-running', b).alarmAt;
    const r = d.now();
    d.repairFunction();
    await d.runUntil(r + okCap, { stop: () => this.times('not-running', b, r).okAt !== undefined });
    const repairedOk = this.times('not-running', b, r).okAt;
    log(
      `${stamp()} function failing: ALARM ${seconds(brokenAlarm, b)} s; repaired: OK ${seconds(repairedOk, r)} s`,
    );

    // 5. The schedule rule disabled, then enabled again. Queued work (deferred sites) still runs and
    // beats, but the queue empties within a tick's worth of batches, so the alarm follows.
    const p = d.now();
    d.pauseSchedule();
    await d.runUntil(p + alarmCap, { stop: () => this.times('not-running', p).alarmAt !== undefined });
    const stoppedAlarm = this.times('not-running', p).alarmAt;
    const q = d.now();
    d.resumeSchedule();
    await d.runUntil(q + okCap, { stop: () => this.times('not-running', p, q).okAt !== undefined });
    const runningOk = this.times('not-running', p, q).okAt;
    log(
      `${stamp()} schedule off: ALARM ${seconds(stoppedAlarm, p)} s (${d.queued()} messages queued); on again: OK ${seconds(runningOk, q)} s`,
    );

    const invocations = d.invocations;
    return {
      sites: sites.length,
      measurements: [
        {
          sites: sites.length,
          alarm: 'unresolved-drift',
          secondsToAlarm: seconds(driftAlarm, driftSeen),
          secondsToOk: seconds(driftOk, t1),
          secondsToFirstLook: seconds(driftSeen, t0),
        },
        {
          sites: sites.length,
          alarm: 'errors',
          secondsToAlarm: seconds(errorAlarm, errorSeen),
          secondsToOk: seconds(errorOk, t1),
          secondsToFirstLook: seconds(errorSeen, t0),
        },
        {
          sites: sites.length,
          alarm: 'not-running',
          secondsToAlarm: seconds(brokenAlarm, b),
          secondsToOk: seconds(repairedOk, r),
          secondsToFirstLook: 0,
        },
      ],
      scheduleOff: { secondsToAlarm: seconds(stoppedAlarm, p), secondsToOk: seconds(runningOk, q) },
      maxQueued: d.maxQueued,
      healthy,
      healthyAlarms: healthy.alarms,
      healthyMinutes: (healthy.toMs - healthy.fromMs) / MINUTE,
      fullPass: healthy.pass && { minutes: healthy.pass.periodMs / MINUTE, calls: healthy.pass.calls },
      timedOut: invocations.filter((i) => i.timedOut).length,
      throttled: invocations.reduce((n, i) => n + i.throttled, 0),
      stalledMs: invocations.reduce((n, i) => n + i.stalledMs, 0),
      deadLetters: d.deadLetters(),
      invocations: invocations.length,
      simulatedMinutes: (d.now() - d.startedAt) / MINUTE,
    };
  }

  close(): void {
    this.ec2.destroy();
    this.elbv2.destroy();
  }
}

/** Whole seconds from `from` to `to`, or null when either is unknown. */
function seconds(to: number | undefined, from: number | undefined): number | null {
  return to === undefined || from === undefined ? null : Math.round((to - from) / 1000);
}

/** A small table of the measured times, with the requirement each is held to. */
export function alarmTable(measurements: readonly AlarmMeasurement[]): string {
  const head = [
    'sites',
    'alarm',
    'first look s',
    'to ALARM s',
    `(<= ${ALARM_WITHIN_S})`,
    'to OK s',
    `(<= ${OK_WITHIN_S})`,
  ];
  const show = (n: number | null) => (n === null ? 'never' : String(n));
  const ok = (n: number | null, limit: number) => (n !== null && n <= limit ? 'ok' : 'MISSED');
  const rows = measurements.map((m) => [
    String(m.sites),
    m.alarm,
    show(m.secondsToFirstLook),
    show(m.secondsToAlarm),
    ok(m.secondsToAlarm, ALARM_WITHIN_S),
    show(m.secondsToOk),
    ok(m.secondsToOk, OK_WITHIN_S),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

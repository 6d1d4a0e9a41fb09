/**
 * `pnpm bench`: the real reconcile (real adapters, real SDK clients over HTTP) against the local
 * simulator with AWS's documented rate limits, at several fleet sizes. See docs/performance.md.
 *
 *   pnpm bench [--sizes 10,100,1000] [--full] [--latency MS] [--json [FILE]] [--no-bundle] [--no-deployment]
 *
 * Per size S: a fresh simulator with S opted-in sites and 3 x S target groups that did not opt in;
 * 10 % of the sites are put out of sync and one full pass converges them (the drifted run), then a
 * second full pass finds everything in sync (the steady state); then one endpoint event goes
 * through the event path. From S = 10,000 the runs go through the deployed scheduled handler, which
 * shards the full pass over schedule ticks (one tick is measured; the period follows from it).
 * Then, on the same fleet, a virtual deployment (test/support/deployment.ts) runs the handler as
 * Lambda would in simulated time: its first full pass (the measured period, next to the bound of
 * its calls), two healthy hours, and the alarm scenarios (alarms.ts): seconds to ALARM and to OK
 * for unresolved drift, errors and not running. The standing cost of 100 in-sync sites comes from
 * the healthy hours at S = 100 (or a deployment of its own when 100 is not among the sizes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { THROTTLING_CODES } from '@vpce-target-sync/functions';
import { ENV } from '@vpce-target-sync/shared';
import { DESCRIBE_CALLS_PER_SITE, sitesPerRun } from '../../functions/src/handlers/scheduled-budget.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { alarmTable } from '../support/alarm-scenarios.ts';
import { benchDeployment, costOf, type DeploymentFigures, deployedMemoryMb, healthyFleet } from './alarms.ts';
import { type Bound, rateBound } from './bound.ts';
import { type BundleFigure, buildRunner, measureBundle } from './bundle.ts';
import { countCalls, type EventPathResult, measureEventPath } from './event-path.ts';
import { type Fleet, Seeder } from './fleet.ts';
import {
  CLIENT_RATES,
  DEFAULT_LATENCY_MS,
  DRIFTED_FRACTION,
  FULL_SIZES,
  LAMBDA_TIMEOUT_MS,
  NON_OPTED_PER_SITE,
  QUICK_SIZES,
  SCHEDULE_MINUTES,
  SHARDED_FROM,
  SIM_BUCKETS,
} from './settings.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunFigure {
  readonly sites: number;
  readonly nonOpted: number;
  readonly mode: 'full' | 'scheduled';
  readonly drifted: number;
  /** Sites this run checked: all of them, or the tick's shard. */
  readonly sitesChecked: number;
  readonly shard: { index: number; count: number } | undefined;
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  /** Calls per site checked. */
  readonly callsPerSite: number;
  readonly throttled: number;
  readonly throttleErrors: number;
  readonly siteErrors: number;
  readonly statuses: Record<string, number> | undefined;
  readonly wallMs: number;
  readonly boundMs: number;
  readonly wallOverBound: number;
  readonly bound: Bound;
  readonly peakRssMb: number;
}

interface ChildResult {
  readonly summary: {
    readonly statuses?: Record<string, number>;
    readonly shard?: { index: number; count: number };
    readonly sitesReconciled?: number;
    readonly siteErrors?: number;
  };
  readonly wallMs: number;
  readonly peakRssMb: number;
}

function runChild(
  sim: Simulator,
  mode: 'full' | 'scheduled',
  runner: string,
): Promise<ChildResult & { throttleErrors: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'vts-bench-run-'));
  const out = join(dir, 'result.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, mode, out], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...sim.env,
        [ENV.logLevel]: 'error',
        [ENV.scheduleMinutes]: String(SCHEDULE_MINUTES),
        BENCH_LAMBDA_TIMEOUT_MS: String(LAMBDA_TIMEOUT_MS),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let logs = '';
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`reconcile child exited with ${code}: ${logs.slice(-2000)}`);
        const result = JSON.parse(readFileSync(out, 'utf8')) as ChildResult;
        // Site errors are logged at error level with the AWS error code.
        const throttleErrors = logs
          .split('\n')
          .filter((line) => line.trim())
          .map((line) => {
            try {
              return JSON.parse(line) as { errorCode?: string };
            } catch {
              return {};
            }
          })
          .filter((entry) => entry.errorCode && THROTTLING_CODES.has(entry.errorCode)).length;
        resolve({ ...result, throttleErrors });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

async function measuredRun(
  sim: Simulator,
  fleet: Fleet,
  mode: 'full' | 'scheduled',
  drifted: number,
  latencyMs: number,
  runner: string,
): Promise<RunFigure> {
  sim.resetCalls();
  const child = await runChild(sim, mode, runner);
  const calls = countCalls(sim);
  const throttled = sim.calls.filter((c) => c.throttled).length;
  const totalCalls = Object.values(calls).reduce((a, b) => a + b, 0);
  const sitesChecked = calls.DescribeTargetHealth ?? 0;
  const bound = rateBound(calls, CLIENT_RATES, SIM_BUCKETS, latencyMs, mode === 'scheduled');
  return {
    sites: fleet.sites.length,
    nonOpted: fleet.nonOpted,
    mode,
    drifted,
    sitesChecked: child.summary.sitesReconciled ?? sitesChecked,
    shard: child.summary.shard,
    calls,
    totalCalls,
    callsPerSite: totalCalls / Math.max(1, child.summary.sitesReconciled ?? sitesChecked),
    throttled,
    throttleErrors: child.throttleErrors,
    siteErrors: child.summary.siteErrors ?? 0,
    statuses: child.summary.statuses,
    wallMs: child.wallMs,
    boundMs: bound.ms,
    wallOverBound: child.wallMs / bound.ms,
    bound,
    peakRssMb: child.peakRssMb,
  };
}

interface SizeResult {
  readonly runs: RunFigure[];
  readonly eventPath: EventPathResult & { sites: number };
  readonly seedMs: number;
  readonly deployment: DeploymentFigures | undefined;
}

/** Simulated time the virtual deployment runs healthy after its first full pass. */
const HEALTHY_MS = 2 * 3_600_000;
/** The standing cost is quoted for this many in-sync sites. */
const COST_SITES = 100;

async function benchSize(
  sites: number,
  latencyMs: number,
  runner: string,
  log: (line: string) => void,
  deploy: boolean,
): Promise<SizeResult> {
  const sim = await startSimulator({ latencyMs, rateLimits: SIM_BUCKETS });
  try {
    const seeder = new Seeder(sim, log);
    const fleet = await seeder.build(sites, sites * NON_OPTED_PER_SITE);
    log(
      `  seeded ${sites} sites + ${fleet.nonOpted} other target groups in ${(fleet.seedMs / 1000).toFixed(1)} s`,
    );
    const mode = sites >= SHARDED_FROM ? 'scheduled' : 'full';
    const drifted = fleet.sites.filter((_, i) => i % Math.round(1 / DRIFTED_FRACTION) === 0);
    await seeder.drift(drifted);
    const runs: RunFigure[] = [];
    const driftRun = await measuredRun(sim, fleet, mode, drifted.length, latencyMs, runner);
    runs.push(driftRun);
    log(`  ${describeRun(driftRun)}`);
    if (mode === 'full') {
      const steady = await measuredRun(sim, fleet, mode, 0, latencyMs, runner);
      runs.push(steady);
      log(`  ${describeRun(steady)}`);
    }
    const eventSite = fleet.sites[fleet.sites.length - 1];
    if (!eventSite) throw new Error('no site for the event path');
    const eventPath = { sites, ...(await measureEventPath(sim, seeder, eventSite)) };
    log(`  event path: ${eventPath.total} calls ${JSON.stringify(eventPath.calls)} -> ${eventPath.status}`);
    let deployment: DeploymentFigures | undefined;
    if (deploy) {
      log('  virtual deployment:');
      deployment = await benchDeployment(sim, fleet.sites, { latencyMs, healthyMs: HEALTHY_MS, log });
      log(`  ${describeDeployment(deployment)}`);
    }
    return { runs, eventPath, seedMs: fleet.seedMs, deployment };
  } finally {
    await sim.stop();
  }
}

function describeRun(r: RunFigure): string {
  const shard = r.shard && r.shard.count > 1 ? ` shard ${r.shard.index}/${r.shard.count}` : '';
  return `${r.mode}${shard} drifted=${r.drifted}: ${r.totalCalls} calls for ${r.sitesChecked} sites (${r.callsPerSite.toFixed(3)}/site), wall ${(r.wallMs / 1000).toFixed(1)} s / bound ${(r.boundMs / 1000).toFixed(1)} s = ${r.wallOverBound.toFixed(3)}, throttled ${r.throttled}, errors ${r.siteErrors}, RSS ${r.peakRssMb.toFixed(0)} MB`;
}

function describeDeployment(d: DeploymentFigures): string {
  const pass = d.fullPass
    ? `first full pass ${d.fullPass.measuredMinutes} min (bound ${d.fullPass.boundMinutes} min, ${d.fullPass.measuredOverBound}x; DescribeTargetHealth alone ${d.fullPass.healthBoundMinutes} min, ${d.fullPass.measuredOverHealthBound}x)`
    : 'no full pass';
  return `${d.simulatedMinutes.toFixed(0)} simulated minutes in ${d.realSeconds.toFixed(0)} s: ${d.invocations} invocations, ${pass}; alarms while healthy: ${d.healthy.alarms.join(', ') || 'none'}; timed out ${d.timedOut}, throttled ${d.throttled}, stalled ${(d.stalledMs / 1000).toFixed(1)} s, dead letters ${d.deadLetters}`;
}

function table(runs: readonly RunFigure[]): string {
  const head = [
    'sites',
    'mode',
    'drifted',
    'checked',
    'calls',
    'calls/site',
    'throttled',
    'errors',
    'wall s',
    'bound s',
    'wall/bound',
    'peak RSS MB',
  ];
  const rows = runs.map((r) => [
    String(r.sites),
    r.mode + (r.shard && r.shard.count > 1 ? ` (1/${r.shard.count})` : ''),
    String(r.drifted),
    String(r.sitesChecked),
    String(r.totalCalls),
    r.callsPerSite.toFixed(3),
    String(r.throttled),
    String(r.siteErrors),
    (r.wallMs / 1000).toFixed(1),
    (r.boundMs / 1000).toFixed(1),
    r.wallOverBound.toFixed(3),
    r.peakRssMb.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] as number)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      full: { type: 'boolean', default: false },
      latency: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-bundle': { type: 'boolean', default: false },
      'no-deployment': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(
      'pnpm bench [--sizes 10,100,1000] [--full] [--latency MS] [--json [FILE]] [--no-bundle] [--no-deployment]\n' +
        `  default sizes ${QUICK_SIZES.join(',')}; --full runs ${FULL_SIZES.join(',')} (about 70 minutes)`,
    );
    return;
  }
  const sizes = values.sizes
    ? values.sizes.split(',').map((s) => Number(s.trim()))
    : values.full
      ? [...FULL_SIZES]
      : [...QUICK_SIZES];
  if (sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`--sizes ${values.sizes}: whole numbers`);
  const latencyMs = values.latency === undefined ? DEFAULT_LATENCY_MS : Number(values.latency);
  // `--json FILE`: node's parseArgs has no optional values, so a path right after --json is taken.
  const jsonIndex = process.argv.indexOf('--json');
  const next = jsonIndex >= 0 ? process.argv[jsonIndex + 1] : undefined;
  const jsonFile = values.json ? (next && !next.startsWith('--') ? next : 'bench-results.json') : undefined;

  const log = (line: string) => console.error(line);
  const runs: RunFigure[] = [];
  const eventPath: (EventPathResult & { sites: number })[] = [];
  const seeding: { sites: number; seedMs: number }[] = [];
  const deployments: DeploymentFigures[] = [];
  const deploy = !values['no-deployment'];
  const started = performance.now();
  const runnerDir = mkdtempSync(join(tmpdir(), 'vts-bench-runner-'));
  const runner = buildRunner(runnerDir);
  for (const sites of sizes) {
    log(`S = ${sites}`);
    const result = await benchSize(sites, latencyMs, runner, log, deploy);
    runs.push(...result.runs);
    if (result.deployment) deployments.push(result.deployment);
    eventPath.push(result.eventPath);
    seeding.push({ sites, seedMs: result.seedMs });
  }
  rmSync(runnerDir, { recursive: true, force: true });
  const bundle: BundleFigure[] = values['no-bundle'] ? [] : [measureBundle()];
  let costFleet = deployments.find((d) => d.sites === COST_SITES);
  if (deploy && !costFleet) {
    log(`S = ${COST_SITES} (standing cost: a healthy hour of a virtual deployment)`);
    costFleet = await healthyFleet(COST_SITES, latencyMs, log);
  }
  // A healthy tick over 100 sites is one steady full pass: its measured wall time is the billed duration.
  const steady = runs.find((r) => r.sites === COST_SITES && r.mode === 'full' && r.drifted === 0);
  const standing = costFleet && {
    sites: COST_SITES,
    ...costOf(costFleet, deployedMemoryMb(), steady && Number((steady.wallMs / 1000).toFixed(1))),
  };

  // The scheduled path's full-pass period, as scheduled.ts shares the fleet out, next to the
  // rate-limit bounds: every ELBv2 Describe call a pass makes (health, by-ARN lookups, fresh tags),
  // and DescribeTargetHealth alone.
  const describeRate = CLIENT_RATES['elbv2-describe'].ratePerSecond;
  const fullPass = sizes.map((sites) => {
    const perRun = sitesPerRun(describeRate, SCHEDULE_MINUTES);
    const ticks = Math.max(1, sites / perRun);
    const periodMinutes = ticks * SCHEDULE_MINUTES;
    const boundMinutes = (sites * DESCRIBE_CALLS_PER_SITE) / describeRate / 60;
    const healthBoundMinutes = sites / describeRate / 60;
    const measured = deployments.find((d) => d.sites === sites)?.fullPass;
    return {
      sites,
      sitesPerRun: perRun,
      ticks: Number(ticks.toFixed(2)),
      periodMinutes: Number(periodMinutes.toFixed(1)),
      boundMinutes: Number(boundMinutes.toFixed(1)),
      periodOverBound: Number((periodMinutes / Math.max(boundMinutes, SCHEDULE_MINUTES)).toFixed(3)),
      healthBoundMinutes: Number(healthBoundMinutes.toFixed(1)),
      periodOverHealthBound: Number(
        (periodMinutes / Math.max(healthBoundMinutes, SCHEDULE_MINUTES)).toFixed(3),
      ),
      // Measured by the virtual deployment: from its first tick until every site was reconciled once.
      measuredPeriodMinutes: measured?.measuredMinutes,
      measuredBoundMinutes: measured?.boundMinutes,
      measuredOverBound: measured?.measuredOverBound,
      measuredOverHealthBound: measured?.measuredOverHealthBound,
      measuredCalls: measured?.calls,
    };
  });

  console.log(table(runs));
  console.log('');
  console.log(
    `event path (one endpoint event): ${eventPath.map((e) => `S=${e.sites}: ${e.total} calls`).join(', ')}`,
  );
  for (const b of bundle) {
    console.log(
      `bundle: ${b.bytes} bytes read at cold start (bare three-client bundle ${b.bareBytes}), ${b.assetBytes} in all ${b.files} files; cold import ${b.coldImportMs.toFixed(0)} ms vs bare ${b.bareColdImportMs.toFixed(0)} ms = ${b.coldImportRatio.toFixed(3)} (median of ${b.runs})`,
    );
  }
  console.log(
    `scheduled full pass (${SCHEDULE_MINUTES}-minute schedule, ${LAMBDA_TIMEOUT_MS / 1000} s timeout): ${fullPass.map((p) => `S=${p.sites}: ${p.sitesPerRun}/tick, ${p.ticks} tick(s) = ${p.periodMinutes} min (bound ${p.boundMinutes} min, ${p.periodOverBound}x; DescribeTargetHealth alone ${p.healthBoundMinutes} min, ${p.periodOverHealthBound}x)`).join('; ')}`,
  );
  for (const d of deployments) {
    if (d.fullPass)
      console.log(
        `virtual deployment S=${d.sites}: first full pass ${d.fullPass.measuredMinutes} min, bound of its calls ${d.fullPass.boundMinutes} min (${d.fullPass.measuredOverBound}x), DescribeTargetHealth alone ${d.fullPass.healthBoundMinutes} min (${d.fullPass.measuredOverHealthBound}x)`,
      );
  }
  const alarms = deployments.flatMap((d) => d.alarms);
  if (alarms.length)
    console.log(`alarms (seconds from the first look to ALARM, from the fix to OK):\n${alarmTable(alarms)}`);
  if (standing) {
    console.log(
      `standing cost, ${standing.sites} in-sync sites: $${standing.usdPerMonth.toFixed(2)} a month`,
    );
    for (const item of standing.items)
      console.log(`  ${item.item}: ${item.arithmetic} = $${item.usdPerMonth.toFixed(3)}`);
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);

  if (jsonFile) {
    const doc = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      settings: {
        latencyMs,
        buckets: SIM_BUCKETS,
        clientRates: CLIENT_RATES,
        nonOptedPerSite: NON_OPTED_PER_SITE,
        driftedFraction: DRIFTED_FRACTION,
        scheduleMinutes: SCHEDULE_MINUTES,
        lambdaTimeoutMs: LAMBDA_TIMEOUT_MS,
        shardedFrom: SHARDED_FROM,
      },
      runs,
      eventPath: eventPath.map((e) => ({
        sites: e.sites,
        calls: e.total,
        byOperation: e.calls,
        status: e.status,
      })),
      bundle,
      fullPass,
      alarms: alarms.map(({ sites, alarm, secondsToAlarm, secondsToOk, secondsToFirstLook }) => ({
        sites,
        alarm,
        secondsToAlarm,
        secondsToOk,
        secondsToFirstLook,
      })),
      standingCost: standing,
      deployments: deployments.map(({ healthy, alarms: _, ...d }) => ({
        ...d,
        healthyAlarms: healthy.alarms,
        alarmsAtDeploy: healthy.alarmsAtDeploy,
        healthyMinutes: (healthy.toMs - healthy.fromMs) / 60_000,
      })),
      seeding,
    };
    writeFileSync(jsonFile, `${JSON.stringify(doc, null, 2)}\n`);
    log(`wrote ${jsonFile}`);
  }
}

await main();

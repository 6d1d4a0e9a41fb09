/**
 * The bench's virtual deployment (test/support/deployment.ts) on the fleet a size has seeded: the
 * alarm timings (test/support/alarm-scenarios.ts), the measured period of the first full pass next
 * to its rate-limit bound, and what a healthy fleet uses, for the standing cost (cost.ts).
 *
 * The bench's simulator keeps its buckets (the deployment's calls stay inside them: simulated time
 * is what the slower client-side rates allow) but its real latency is turned off: the deployment
 * counts latency in simulated time, per serial call, as the bound does.
 */

import type { Simulator } from '../sim/index.ts';
import { startSimulator } from '../sim/index.ts';
import {
  type AlarmMeasurement,
  AlarmScenarios,
  type HealthyWindow,
  type ScenarioResult,
  type ScenarioSite,
} from '../support/alarm-scenarios.ts';
import { type Usage, VirtualDeployment } from '../support/deployment.ts';
import { deployedSettings, reconcilerTemplate } from '../support/reconciler-template.ts';
import { rateBound } from './bound.ts';
import { MONTH_MS, type StandingCost, standingCost } from './cost.ts';
import { Seeder } from './fleet.ts';
import { CLIENT_RATES, NON_OPTED_PER_SITE, SIM_BUCKETS } from './settings.ts';

const MINUTE = 60_000;

/**
 * The first full pass of a virtual deployment, from its first tick, next to its bounds. Inside an
 * invocation simulated time is the bound of its calls, so a pass done in one invocation is 1x by
 * construction; over several, the ratio is the time between invocations (ticks waiting for the
 * schedule, messages for their delay) that the pass could not use.
 */
export interface MeasuredPass {
  readonly sites: number;
  /** Simulated minutes from the first tick until every opted-in site had been reconciled once. */
  readonly measuredMinutes: number;
  /** The rate-limit bound of the calls that pass made (test/bench/bound.ts, listing first). */
  readonly boundMinutes: number;
  readonly measuredOverBound: number;
  /** DescribeTargetHealth alone: one a site at the ELBv2 Describe rate. */
  readonly healthBoundMinutes: number;
  readonly measuredOverHealthBound: number;
  readonly calls: Readonly<Record<string, number>>;
}

export interface DeploymentFigures
  extends Pick<
    ScenarioResult,
    'timedOut' | 'throttled' | 'stalledMs' | 'deadLetters' | 'invocations' | 'simulatedMinutes'
  > {
  readonly sites: number;
  readonly alarms: readonly AlarmMeasurement[];
  /** The not-running alarm with the schedule rule disabled, then enabled (the queue's work still runs). */
  readonly scheduleOff: ScenarioResult['scheduleOff'] | undefined;
  readonly maxQueued: number;
  readonly fullPass: MeasuredPass | undefined;
  readonly healthy: HealthyWindow;
  /** What the function used in the healthy window. */
  readonly usage: Usage;
  readonly realSeconds: number;
}

let template: Record<string, unknown> | undefined;

export function measuredPass(
  sites: number,
  pass: { readonly periodMs: number; readonly calls: Readonly<Record<string, number>> },
  latencyMs: number,
): MeasuredPass {
  const bound = rateBound(pass.calls, CLIENT_RATES, SIM_BUCKETS, latencyMs, true);
  const health = sites / CLIENT_RATES['elbv2-describe'].ratePerSecond / 60;
  const measuredMinutes = pass.periodMs / MINUTE;
  const boundMinutes = bound.ms / MINUTE;
  const r = (n: number, d = 3) => Number(n.toFixed(d));
  return {
    sites,
    measuredMinutes: r(measuredMinutes, 2),
    boundMinutes: r(boundMinutes, 2),
    measuredOverBound: r(measuredMinutes / boundMinutes),
    healthBoundMinutes: r(health, 2),
    measuredOverHealthBound: r(measuredMinutes / health),
    calls: pass.calls,
  };
}

/**
 * Deploys onto `sim` (whose fleet is `sites`), runs the alarm scenarios (or, with `scenarios:
 * false`, only the first full pass and the healthy window) and stops the deployment.
 */
export async function benchDeployment(
  sim: Simulator,
  sites: readonly ScenarioSite[],
  options: {
    readonly latencyMs: number;
    readonly healthyMs: number;
    readonly scenarios?: boolean;
    readonly log: (line: string) => void;
  },
): Promise<DeploymentFigures> {
  template ??= reconcilerTemplate();
  const started = performance.now();
  sim.setLatency(0);
  // A quiet minute: the simulator's buckets refill after the bench's own runs.
  sim.clock.advance(MINUTE);
  const deployment = await VirtualDeployment.start({ sim, template, latencyMs: options.latencyMs });
  const scenarios = new AlarmScenarios(sim, deployment, template);
  const log = (line: string) =>
    options.log(`    ${line} (${((performance.now() - started) / 1000).toFixed(0)} s real)`);
  try {
    let alarms: readonly AlarmMeasurement[] = [];
    let scheduleOff: ScenarioResult['scheduleOff'] | undefined;
    let healthy: HealthyWindow;
    if (options.scenarios === false) {
      healthy = await scenarios.healthy(sites, options.healthyMs, log);
    } else {
      const result = await scenarios.run(sites, { healthyMs: options.healthyMs, log });
      alarms = result.measurements;
      scheduleOff = result.scheduleOff;
      healthy = result.healthy;
    }
    const invocations = deployment.invocations;
    return {
      sites: sites.length,
      alarms,
      scheduleOff,
      maxQueued: deployment.maxQueued,
      fullPass: healthy.pass && measuredPass(sites.length, healthy.pass, options.latencyMs),
      healthy,
      usage: deployment.usage(healthy.fromMs, healthy.toMs),
      timedOut: invocations.filter((i) => i.timedOut).length,
      throttled: invocations.reduce((n, i) => n + i.throttled, 0),
      stalledMs: invocations.reduce((n, i) => n + i.stalledMs, 0),
      deadLetters: deployment.deadLetters(),
      invocations: invocations.length,
      simulatedMinutes: (deployment.now() - deployment.startedAt) / MINUTE,
      realSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    deployment.stop();
    scenarios.close();
  }
}

/**
 * The standing cost of a healthy fleet, from a deployment's healthy window: its invocations, custom
 * metrics and PutMetricData calls a month, and the mean duration of an invocation. The duration is
 * the measured wall time of a steady pass over the same fleet when the bench has one (real SDK
 * clients, latency and rate limits: what Lambda would bill), else the simulated duration (the rate
 * bound of the invocation's calls, which the wall time exceeds by a few per cent).
 */
export function costOf(
  figures: Pick<DeploymentFigures, 'usage'>,
  memoryMb: number,
  measuredSteadySeconds?: number,
): StandingCost & {
  readonly simulatedDurationSeconds: number;
  readonly durationFrom: 'measured' | 'simulated';
} {
  const { usage } = figures;
  const perMonth = MONTH_MS / usage.windowMs;
  const simulated = usage.invocations ? usage.durationMs / usage.invocations / 1000 : 0;
  const cost = standingCost({
    invocationsPerMonth: usage.invocations * perMonth,
    meanDurationSeconds: measuredSteadySeconds ?? simulated,
    memoryMb,
    metrics: usage.metrics,
    putMetricDataPerMonth: usage.putMetricData * perMonth,
  });
  return {
    ...cost,
    simulatedDurationSeconds: Number(simulated.toFixed(2)),
    durationFrom: measuredSteadySeconds === undefined ? 'simulated' : 'measured',
  };
}

/** A healthy fleet of `sites` on a simulator of its own, for the standing cost when the bench does not run that size. */
export async function healthyFleet(
  sites: number,
  latencyMs: number,
  log: (line: string) => void,
): Promise<DeploymentFigures> {
  const sim = await startSimulator({ rateLimits: SIM_BUCKETS });
  try {
    const fleet = await new Seeder(sim).build(sites, sites * NON_OPTED_PER_SITE);
    return await benchDeployment(sim, fleet.sites, {
      latencyMs,
      healthyMs: 60 * MINUTE,
      scenarios: false,
      log,
    });
  } finally {
    await sim.stop();
  }
}

/** The function's memory, as synthesised. */
export function deployedMemoryMb(): number {
  template ??= reconcilerTemplate();
  return deployedSettings(template).memoryMb;
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Seeder } from '../bench/fleet.ts';
import { CLIENT_RATES, NON_OPTED_PER_SITE, SIM_BUCKETS } from '../bench/settings.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import {
  ALARM_WITHIN_S,
  AlarmScenarios,
  alarmTable,
  OK_WITHIN_S,
  type ScenarioResult,
} from '../support/alarm-scenarios.ts';
import { VirtualDeployment } from '../support/deployment.ts';
import { reconcilerTemplate } from '../support/reconciler-template.ts';

/**
 * The synthesised Reconciler's alarms, evaluated over what the real handler publishes when it runs
 * as deployed (schedule, SQS event source, reserved concurrency 1, the function timeout) in
 * simulated time (test/support/deployment.ts): a healthy fleet never alarms; a site whose drift
 * the product may not fix, and a site in error, raise their alarms within 30 minutes of the first
 * pass that saw them and clear within 15 minutes of the fix; a disabled schedule raises the
 * not-running alarm, and enabling it clears it. The measured times are printed.
 *
 * Simulated time is what AWS's rate limits allow for the calls made, so the 1,000- and 10,000-site
 * fleets are as slow here as they would be in an account (their full pass spreads over ticks and
 * the events queue), while the test takes about three minutes of real time for all three sizes.
 */
const MINUTE = 60_000;
let template: Record<string, unknown> | undefined;

let sim: Simulator | undefined;
let deployment: VirtualDeployment | undefined;
let scenarios: AlarmScenarios | undefined;

afterEach(async () => {
  deployment?.stop();
  scenarios?.close();
  await sim?.stop();
  deployment = undefined;
  scenarios = undefined;
  sim = undefined;
});

async function measure(
  sites: number,
  healthyMs: number,
): Promise<{ result: ScenarioResult; d: VirtualDeployment }> {
  // A fresh function (a cold start) per deployment: the handlers read their configuration at load.
  vi.resetModules();
  sim = await startSimulator({ rateLimits: SIM_BUCKETS });
  const fleet = await new Seeder(sim).build(sites, sites * NON_OPTED_PER_SITE);
  template ??= reconcilerTemplate();
  const d = await VirtualDeployment.start({ sim, template });
  deployment = d;
  scenarios = new AlarmScenarios(sim, d, template);
  const started = performance.now();
  const result = await scenarios.run(fleet.sites, { healthyMs });
  console.log(
    `${sites} sites: ${result.simulatedMinutes.toFixed(0)} simulated minutes, ${result.invocations} invocations, at most ${result.maxQueued} messages queued, schedule off: ALARM ${result.scheduleOff.secondsToAlarm ?? 'never'} s, on again: OK ${result.scheduleOff.secondsToOk ?? 'never'} s, first full pass ${result.fullPass?.minutes.toFixed(1) ?? '-'} min, healthy ${result.healthyMinutes.toFixed(0)} min, stalled ${(result.stalledMs / 1000).toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(0)} s real)\n${alarmTable(result.measurements)}`,
  );
  return { result, d };
}

function expectRequirements(result: ScenarioResult): void {
  expect.soft(result.healthyAlarms, 'alarms while healthy').toEqual([]);
  expect.soft(result.timedOut, 'invocations past the function timeout').toBe(0);
  expect.soft(result.throttled, 'calls the AWS-like buckets turned away').toBe(0);
  expect.soft(result.deadLetters, 'dead letters').toBe(0);
  for (const m of result.measurements) {
    expect.soft(m.secondsToAlarm, `${m.alarm} at ${m.sites} sites: seconds to ALARM`).not.toBeNull();
    expect
      .soft(m.secondsToAlarm ?? Infinity, `${m.alarm} at ${m.sites} sites: seconds to ALARM`)
      .toBeLessThanOrEqual(ALARM_WITHIN_S);
    expect.soft(m.secondsToOk, `${m.alarm} at ${m.sites} sites: seconds to OK`).not.toBeNull();
    expect
      .soft(m.secondsToOk ?? Infinity, `${m.alarm} at ${m.sites} sites: seconds to OK`)
      .toBeLessThanOrEqual(OK_WITHIN_S);
  }
  // A disabled schedule rule is not running too, whatever the events queue still holds.
  expect
    .soft(result.scheduleOff.secondsToAlarm ?? Infinity, 'schedule off: ALARM')
    .toBeLessThanOrEqual(ALARM_WITHIN_S);
  expect
    .soft(result.scheduleOff.secondsToOk ?? Infinity, 'schedule on again: OK')
    .toBeLessThanOrEqual(OK_WITHIN_S);
}

describe('alarms of a virtual deployment in simulated time [simulator]', () => {
  it('10 sites: healthy for 2 hours without an alarm; drift, errors and not running alarm in time and clear in time', async () => {
    const { result, d } = await measure(10, 120 * MINUTE);
    expectRequirements(result);
    // As Lambda runs it: one invocation at a time, batches of at most the mapping's size, and the
    // simulator's clock and the process's Date are the same simulated time.
    const invocations = d.invocations;
    for (const [i, inv] of invocations.entries()) {
      if (i > 0) expect(inv.startedAt).toBeGreaterThanOrEqual((invocations[i - 1] as typeof inv).endedAt);
      expect(inv.messages).toBeLessThanOrEqual(d.settings.batchSize);
    }
    expect(sim?.clock.now()).toBe(Date.now());
  }, 300_000);

  it('a throttled call does not hang the deployment: what the SDK then waits in real time counts as simulated time', async () => {
    vi.resetModules();
    sim = await startSimulator({ rateLimits: SIM_BUCKETS });
    await new Seeder(sim).build(10, 0);
    template ??= reconcilerTemplate();
    const d = await VirtualDeployment.start({ sim, template });
    deployment = d;
    // The SDK's adaptive retry, once throttled, paces its calls by Date.now(): simulated time.
    sim.faults.add({ operation: 'DescribeTargetHealth', fault: { kind: 'throttle' } });
    await d.runFor(6 * MINUTE);
    const [tick] = d.invocations;
    expect(tick?.kind).toBe('scheduled');
    expect(tick?.error).toBeUndefined();
    expect(tick?.throttled).toBe(1);
    expect(tick?.result).toMatchObject({ sitesReconciled: 10 });
    console.log(
      `throttled once: the tick took ${((tick?.durationMs ?? 0) / 1000).toFixed(1)} simulated s, ${((tick?.stalledMs ?? 0) / 1000).toFixed(1)} of them waited in real time`,
    );
  }, 120_000);

  it('1,000 sites: the same requirements when the full pass spreads over ticks and the events queue', async () => {
    const { result } = await measure(1000, 20 * MINUTE);
    expectRequirements(result);
  }, 600_000);

  it('10,000 sites: the same requirements, and the first full pass within 1.25x the time its DescribeTargetHealth calls take at the describe rate', async () => {
    const { result } = await measure(10_000, 20 * MINUTE);
    expectRequirements(result);
    // Simulated minutes, which follow from the calls and the rates alone (issue 14, item 7).
    const healthBoundMinutes = 10_000 / CLIENT_RATES['elbv2-describe'].ratePerSecond / 60;
    expect(result.fullPass?.minutes ?? Infinity).toBeLessThanOrEqual(1.25 * healthBoundMinutes);
  }, 600_000);
});

import { handleMessages, type ReconcileDeps, reconcile } from '@vpce-target-sync/functions';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { type CallRecord, type Simulator, startSimulator } from '../sim/index.ts';
import { trail } from '../support/cloudtrail.ts';
import { RECONCILER_KEY, RECONCILER_ROLE, reconcilerDeps } from './support/clients.ts';
import { SITE_OPERATIONS } from './support/fault-plan.ts';
import { buildFleet, currentEniIps, type Fleet, noteEnis, PENDING_MS, SETTLE_MS } from './support/fleet.ts';
import { LogCapture } from './support/logs.ts';
import { type GroupSnapshot, isWrite, snapshot, targetsOf } from './support/observe.ts';
import { SeededScheduler } from './support/scheduler.ts';
import { Rng, seeds, withSeed } from './support/seed.ts';

const SEEDS = seeds(25, 1001);

/** What the races exercised, printed at the end. */
const tally = { changesDuringRace: 0, sitesWrittenByBoth: 0 };

/** The event path calls as a second principal (same code, same role in AWS), so the call log tells the two runs apart. */
const EVENTS_KEY = 'AKIDRECONCILEREVENTS';
const EVENTS_ROLE = `${RECONCILER_ROLE}-events`;
const reconcilerRoles = new Set([RECONCILER_ROLE, EVENTS_ROLE]);
const OPTIONS = { dryRun: false, publishMetrics: true, perSiteMetrics: true } as const;

/** A change someone else makes to the account while the reconciler works. */
interface Change {
  readonly describe: string;
  /** The CloudTrail event it causes (the event path's input). */
  readonly event: object;
  apply(): Promise<void>;
}

/**
 * The changes of one scenario, the same on both simulators. A subnet is added or removed at most
 * once per endpoint, so an ENI IP never comes back and a re-registration would be a real flap.
 */
function drawChanges(fleet: Fleet, rng: Rng): Change[] {
  const { account, vpc, endpoints } = fleet;
  const subnets = vpc.subnets.map((s) => s.subnetId);
  const changes: Change[] = [];
  if (rng.chance(0.7)) {
    const add = subnets[2] as string;
    changes.push({
      describe: `${endpoints.two} gains ${add}`,
      event: trail.modifyVpcEndpoint(endpoints.two, { add: [add] }),
      apply: () => account.addSubnet(endpoints.two, add),
    });
  }
  if (rng.chance(0.7)) {
    // Not the subnet the other endpoint gains: the simulator gives a new ENI the lowest free
    // address, so the two changes' order would change the IPs, not only the reconciler's work.
    const remove = subnets[1] as string;
    changes.push({
      describe: `${endpoints.three} loses ${remove}`,
      event: trail.modifyVpcEndpoint(endpoints.three, { remove: [remove] }),
      apply: () => account.removeSubnet(endpoints.three, remove),
    });
  }
  const syncSites = fleet.sites.filter((s) => !s.misconfig && s.state !== 'pending');
  for (let n = rng.int(0, 2); n > 0 && syncSites.length; n--) {
    const site = rng.pick(syncSites);
    if (rng.chance(0.5)) {
      const stale = `10.1.${rng.int(1, 3)}.${rng.int(200, 250)}`;
      changes.push({
        describe: `someone registers ${stale} in ${site.name}`,
        event: trail.targets('RegisterTargets', site.arn, [stale]),
        apply: () => account.register(site.arn, [stale]),
      });
    } else {
      changes.push({
        describe: `someone deregisters a target of ${site.name}`,
        event: trail.targets('DeregisterTargets', site.arn, []),
        apply: async () => {
          const [first] = await account.targets(site.arn);
          if (first) await account.deregister(site.arn, [first]);
        },
      });
    }
  }
  return rng.shuffle(changes);
}

/** The event batch: one event per change, plus tag changes on random other sites, in random order. */
function batch(fleet: Fleet, rng: Rng, changes: readonly Change[]) {
  const events: object[] = changes.map((c) => c.event);
  for (const site of fleet.sites) {
    if (!site.misconfig && rng.chance(0.7))
      events.push(trail.addTags(site.arn, { [ENDPOINT_ID_TAG]: site.endpointId }));
  }
  return rng.shuffle(events).map((body, i) => ({ messageId: `m${i + 1}`, body: JSON.stringify(body) }));
}

/** Reconciler calls that registered `ip` in `arn` after having deregistered it: a flap. */
function flaps(calls: readonly CallRecord[]): string[] {
  const found: string[] = [];
  const deregistered = new Set<string>();
  for (const call of calls.filter((c) => isWrite(c) && c.status === 200)) {
    for (const t of targetsOf(call)) {
      const key = `${String(call.params.TargetGroupArn).split('/')[1]} ${t.id}`;
      if (call.operation === 'DeregisterTargets') deregistered.add(key);
      else if (deregistered.has(key)) found.push(key);
    }
  }
  return found;
}

interface World {
  readonly sim: Simulator;
  readonly fleet: Fleet;
  readonly changes: Change[];
  readonly schedule: ReconcileDeps;
  readonly events: ReconcileDeps;
  readonly scheduler: SeededScheduler;
}

/**
 * One of the twin worlds: the same fleet and the same changes, from the same seed. Both
 * reconcilers' calls go through one SeededScheduler, so the order in which they interleave comes
 * from `schedulerSeed` (the seed itself, unless a test asks for another).
 */
async function world(seed: number, schedulerSeed: number): Promise<World> {
  const rng = new Rng(seed);
  const sim = await startSimulator({
    endpointPendingMs: PENDING_MS,
    principals: { [RECONCILER_KEY]: RECONCILER_ROLE, [EVENTS_KEY]: EVENTS_ROLE },
    idSeed: seed,
  });
  const fleet = await buildFleet(sim, rng);
  const logs = new LogCapture();
  const scheduler = new SeededScheduler(new Rng(schedulerSeed * 104_729 + 3));
  return {
    sim,
    fleet,
    changes: drawChanges(fleet, rng),
    schedule: reconcilerDeps(sim, logs.logger('silent'), { scheduler }),
    events: reconcilerDeps(sim, logs.logger('silent'), { accessKeyId: EVENTS_KEY, scheduler }),
    scheduler,
  };
}

/** What a race did, to compare two races: every reconciler call of the concurrent world, in order. */
interface RaceLog {
  readonly calls: readonly string[];
  readonly order: readonly string[];
}

/** A call as the comparison sees it: metric timestamps are the wall clock's, so they are left out. */
const callLine = (c: CallRecord): string =>
  `${c.principal === EVENTS_ROLE ? 'events' : 'schedule'} ${c.operation} ${JSON.stringify(c.params, (key, value) => (key === 'Timestamp' ? undefined : value))} ${c.status}`;

const byName = (fleet: Fleet, groups: Map<string, GroupSnapshot>) =>
  Object.fromEntries(fleet.sites.map((s) => [s.name, groups.get(s.arn)?.active ?? []]));

/**
 * Twin worlds from one seed. Serial: every change, then the scheduled pass and the event batch one
 * after the other. Concurrent: some changes first, the rest at seeded moments during the race
 * (before hooks on a call), the scheduled pass and the event batch at once, their calls
 * interleaved in the order the seeded scheduler picks. Then, in both, endpoints settle and one
 * more scheduled pass runs. Both must end the same, and the concurrent world must never deregister
 * an IP and register it again.
 */
async function race(seed: number, schedulerSeed = seed): Promise<RaceLog> {
  const serial = await world(seed, schedulerSeed);
  const concurrent = await world(seed, schedulerSeed);
  try {
    const rng = new Rng(seed * 7919 + 1);
    const messages = batch(serial.fleet, rng, serial.changes);

    for (const change of serial.changes) await change.apply();
    if (rng.chance(0.5)) {
      await reconcile(serial.schedule, OPTIONS);
      await handleMessages(serial.events, { send: async () => {} }, OPTIONS, messages);
    } else {
      await handleMessages(serial.events, { send: async () => {} }, OPTIONS, messages);
      await reconcile(serial.schedule, OPTIONS);
    }

    const { sim, fleet } = concurrent;
    const pending: Change[] = [];
    for (const change of concurrent.changes) {
      if (rng.chance(0.5)) await change.apply();
      else pending.push(change);
    }
    const hooked = new Set<Change>();
    const operations = [
      ...SITE_OPERATIONS,
      'GetResources',
      'DescribeVpcEndpoints',
      'DescribeNetworkInterfaces',
    ];
    for (const change of pending) {
      sim.faults.add({
        operation: rng.pick(operations),
        fault: {
          kind: 'before',
          run: async () => {
            noteEnis(fleet);
            hooked.add(change);
            await change.apply();
            noteEnis(fleet);
          },
        },
      });
    }
    const from = sim.calls.length;
    const [scheduled, handled] = await Promise.all([
      reconcile(concurrent.schedule, OPTIONS),
      handleMessages(concurrent.events, { send: async () => {} }, OPTIONS, messages),
    ]);
    sim.faults.clear();
    // Changes whose moment never came (their call was not made) happen after the race.
    for (const change of pending.filter((c) => !hooked.has(c))) await change.apply();
    noteEnis(fleet);
    const settledFrom = sim.calls.length;

    for (const w of [serial, concurrent]) {
      w.sim.clock.advance(SETTLE_MS);
      noteEnis(w.fleet);
      const settle = await reconcile(w.schedule, OPTIONS);
      expect(settle.summary.siteErrors, 'the settling pass').toBe(
        w.fleet.sites.filter((s) => s.misconfig).length,
      );
    }

    const where = `changes: ${concurrent.changes.map((c) => `${c.describe}${pending.includes(c) ? ' (during the race)' : ''}`).join('; ') || 'none'}; statuses: ${[...scheduled.sites, ...(handled.report?.sites ?? [])].map((s) => `${s.targetGroupName}=${s.status}`).join(' ')}`;
    const calls = sim.calls.slice(from).filter((c) => reconcilerRoles.has(c.principal));
    tally.changesDuringRace += hooked.size;
    const raceWrites = sim.calls.slice(from, settledFrom).filter(isWrite);
    for (const site of fleet.sites) {
      const writers = new Set(
        raceWrites.filter((c) => c.params.TargetGroupArn === site.arn).map((c) => c.principal),
      );
      if (writers.has(RECONCILER_ROLE) && writers.has(EVENTS_ROLE)) tally.sitesWrittenByBoth += 1;
    }
    expect(flaps(calls), `${where}: flapping (deregistered, then registered again)`).toEqual([]);
    expect(
      flaps(serial.sim.calls.filter((c) => reconcilerRoles.has(c.principal))),
      `${where}: flapping in the serial world`,
    ).toEqual([]);

    const finalSerial = byName(serial.fleet, snapshot(serial.sim));
    const finalConcurrent = byName(fleet, snapshot(sim));
    for (const site of fleet.sites) {
      const label = `${where}: ${site.name} (${site.policy})`;
      const ever = fleet.everEniIps.get(site.endpointId) ?? new Set();
      for (const call of calls.filter(
        (c) => c.operation === 'RegisterTargets' && c.params.TargetGroupArn === site.arn,
      ))
        for (const t of targetsOf(call)) expect(ever.has(t.id), `${label}: registered ${t.id}`).toBe(true);
      if (site.policy === 'observe' || site.misconfig)
        expect(
          calls.filter((c) => isWrite(c) && c.params.TargetGroupArn === site.arn),
          label,
        ).toEqual([]);
      if (site.policy === 'upsert-only') {
        // A change during the race may let one run register an ENI IP that is gone by the end;
        // upsert-only keeps it, so the concurrent world may hold more, all of them ENI IPs.
        const serialTargets = finalSerial[site.name] ?? [];
        const extra = (finalConcurrent[site.name] ?? []).filter((ip) => !serialTargets.includes(ip));
        expect(
          serialTargets.filter((ip) => !finalConcurrent[site.name]?.includes(ip)),
          label,
        ).toEqual([]);
        expect(
          extra.filter((ip) => !ever.has(ip)),
          label,
        ).toEqual([]);
      } else {
        expect(finalConcurrent[site.name], `${label}: differs from the serial run`).toEqual(
          finalSerial[site.name],
        );
      }
      if (site.policy === 'sync' && !site.misconfig)
        expect(finalConcurrent[site.name], label).toEqual(currentEniIps(sim, site.endpointId));
    }
    return { calls: calls.map(callLine), order: [...concurrent.scheduler.order] };
  } finally {
    await serial.sim.stop();
    await concurrent.sim.stop();
  }
}

afterAll(() =>
  console.log(
    `concurrency: ${SEEDS.length} seeds, ${tally.changesDuringRace} account changes during a race, ${tally.sitesWrittenByBoth} sites written by both runs of a race`,
  ),
);

describe('the flap detector', () => {
  it('flags an IP deregistered and then registered again in the same group, and nothing else', () => {
    const call = (operation: string, id: string, arn = 'arn:x:targetgroup/a/1') =>
      ({
        operation,
        status: 200,
        params: { TargetGroupArn: arn, Targets: [{ Id: id, Port: '443' }] },
      }) as never;
    expect(flaps([call('RegisterTargets', '10.0.0.1'), call('DeregisterTargets', '10.0.0.1')])).toEqual([]);
    expect(
      flaps([
        call('DeregisterTargets', '10.0.0.1'),
        call('RegisterTargets', '10.0.0.1', 'arn:x:targetgroup/b/2'),
      ]),
    ).toEqual([]);
    expect(flaps([call('DeregisterTargets', '10.0.0.1'), call('RegisterTargets', '10.0.0.1')])).toEqual([
      'a 10.0.0.1',
    ]);
  });
});

describe(`a scheduled pass and an event batch at once (${SEEDS.length} seeds; rerun one with VTS_SEED=<seed>)`, () => {
  it.each(SEEDS)('seed %i ends as the serial run does, without flapping', async (seed) => {
    await withSeed('concurrency', seed, () => race(seed));
  });
});

describe('the seeded scheduler', () => {
  const seed = SEEDS[0] as number;

  it('replays a seed exactly: the same seed interleaves the same calls in the same order twice', async () => {
    const first = await race(seed);
    const second = await race(seed);
    expect(second.calls).toEqual(first.calls);
    expect(second.order).toEqual(first.order);
    // The two runs really do interleave: the events path's calls are not all before or all after
    // the scheduled pass's.
    const whose = first.order.map((label) => label.split(' ')[0]);
    const switches = whose.filter((who, i) => i > 0 && who !== whose[i - 1]).length;
    expect(switches, first.order.join('\n')).toBeGreaterThan(2);
  });

  it('takes the order from the seed: another scheduler seed over the same world interleaves differently', async () => {
    const first = await race(seed);
    const other = await race(seed, seed + 1);
    expect(other.order).not.toEqual(first.order);
  });
});

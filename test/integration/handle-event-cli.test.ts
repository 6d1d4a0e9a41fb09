import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ENDPOINT_ID_TAG, METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { sqsBatch, trail } from '../support/cloudtrail.ts';
import { type Harness, requireSimulator, runCli, startHarness, untilAvailable } from '../support/harness.ts';

const PENDING_MS = 30_000;
let h: Harness;
let vpc: Vpc;
let dir: string;

beforeAll(async () => {
  h = await startHarness({ endpointPendingMs: PENDING_MS });
  vpc = await h.account.vpc(4);
  dir = await mkdtemp(join(tmpdir(), 'vts-events-'));
});
afterAll(() => h.stop());

async function saved(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('vpce-target-sync handle-event', () => {
  it('runs the event path on a saved event file, and --dry-run changes nothing', async () => {
    const endpointId = await h.account.endpoint(vpc, 2);
    await untilAvailable(h, endpointId, PENDING_MS);
    const arn = await h.account.site('cli-event', vpc, { endpointId });
    const file = await saved('add-tags.json', trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId }));

    const dry = await runCli(h, ['handle-event', file, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.sites).toMatchObject([{ targetGroupArn: arn, status: 'drift' }]);
    expect(await h.account.targets(arn)).toEqual([]);

    const real = await runCli(h, ['handle-event', file]);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/cli-event\s+vpce-\w+\s+sync\s+converged/);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
  });

  it('reads an SQS batch from stdin, prints the ignored events and reconciles the rest', async () => {
    const endpointId = await h.account.endpoint(vpc, 1);
    await untilAvailable(h, endpointId, PENDING_MS);
    const arn = await h.account.site('cli-stdin', vpc, { endpointId });
    const batch = sqsBatch([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId }), { hello: 'world' }]);
    const result = await runCli(h, ['handle-event', '-'], { stdin: JSON.stringify(batch) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ignored msg-2: .*detail-type/m);
    expect(result.stdout).toMatch(/cli-stdin\s+vpce-\w+\s+sync\s+converged/);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
  });

  it('prints the sites it re-queues while their endpoint is pending, and sends nothing itself [simulator]', async () => {
    const sim = requireSimulator(h);
    const endpointId = await h.account.endpoint(vpc, 1);
    sim.clock.advance(PENDING_MS);
    const arn = await h.account.site('cli-pending', vpc, { endpointId });
    await h.account.addSubnet(endpointId, vpc.subnets[1]?.subnetId as string);
    const batch = sqsBatch([
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[1]?.subnetId as string] }),
      { hello: 'world' },
    ]);
    const result = await runCli(h, ['handle-event', '-'], { stdin: JSON.stringify(batch) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ignored msg-2: .*detail-type/m);
    expect(result.stdout).toContain(`re-queued ${arn} (attempt 1, in 15 s)`);
    expect(sim.sentMessages('vpce-target-sync-events')).toEqual([]);
  });

  it('says what the event named when no opted-in target group answers to it, in the table and in --json', async () => {
    const stranger = 'vpce-0fedcba9876543210';
    const file = await saved(
      'stranger.json',
      trail.modifyVpcEndpoint(stranger, { add: ['subnet-0b7f2a4c8e1d39655'] }),
    );
    const table = await runCli(h, ['handle-event', file]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(
      `not in scope event-1: the event names ${stranger}; no opted-in target group names it (no ${ENDPOINT_ID_TAG}=${stranger} tag)\n`,
    );
    const json = await runCli(h, ['handle-event', file, '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.sites).toEqual([]);
    expect(doc.notInScope).toEqual([
      {
        messageId: 'event-1',
        named: stranger,
        reason: expect.stringMatching(`^the event names ${stranger}; no opted-in target group names it`),
      },
    ]);
    expect(doc.ignored).toEqual([]);

    // A target group the event names that did not opt in is said too.
    const untagged = await h.account.site('cli-untagged', vpc);
    const register = await runCli(h, ['handle-event', '-', '--json'], {
      stdin: JSON.stringify(trail.targets('RegisterTargets', untagged, ['10.4.0.9'])),
    });
    expect(register.code).toBe(0);
    expect(JSON.parse(register.stdout).notInScope).toEqual([
      {
        messageId: 'event-1',
        named: untagged,
        reason: expect.stringContaining('cli-untagged, which did not opt in'),
      },
    ]);
  });

  it('an event for a deleted target group is ignored: logged at warn, counted in EventsIgnored, acknowledged; the rest of the batch goes on', async () => {
    const endpointId = await h.account.endpoint(vpc, 1);
    await untilAvailable(h, endpointId, PENDING_MS);
    const live = await h.account.site('cli-live', vpc, { endpointId });
    const doomed = await h.account.site('cli-doomed', vpc, { endpointId });
    await h.account.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: doomed }));
    const batch = sqsBatch([
      trail.deleteTargetGroup(doomed),
      trail.addTags(live, { [ENDPOINT_ID_TAG]: endpointId }),
    ]);

    const result = await runCli(h, ['handle-event', '-', '--json', '--publish-metrics'], {
      stdin: JSON.stringify(batch),
      env: { LOG_LEVEL: 'warn' },
    });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.ignored).toEqual([
      {
        messageId: 'msg-1',
        reason: `the event names target group ${doomed}, which no longer exists; nothing to reconcile`,
      },
    ]);
    expect(doc.failedMessageIds).toEqual([]);
    expect(doc.sites).toMatchObject([{ targetGroupArn: live, status: 'converged' }]);
    const warned = result.stderr.split('\n').filter((l) => l.includes('no longer exists'));
    expect(warned, result.stderr).toHaveLength(1);
    expect(warned[0]).toMatch(/warn/i);
    expect(warned[0]).toContain(doomed);

    const cw = new CloudWatchClient(h.settings);
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 3_600_000),
        MetricDataQueries: [
          {
            Id: 'ignored',
            MetricStat: {
              Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.EventsIgnored },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(data.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('gives a usage error, not a stack trace, for a file that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ nope');
    const result = await runCli(h, ['handle-event', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /broken\.json is not JSON .*expected an EventBridge event, an array of events or an SQS batch/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

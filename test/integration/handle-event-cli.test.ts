import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
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

  it('reads an SQS batch from stdin, prints ignored events and re-queued sites [simulator]', async () => {
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

import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHandler, type Handler } from '@vpce-target-sync/functions/handlers';
import { ENV, METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledEvent } from '../support/cloudtrail.ts';
import { type Harness, requireSimulator, startHarness } from '../support/harness.ts';

/**
 * A scheduled tick that runs out of time (it must still publish its metrics, heartbeat included, and
 * its report, and hand the sites it did not reach to the events queue), through the real handler on the
 * simulator. The tick's remaining time shrinks with every AWS call it makes, so the deadline comes
 * at the same point of the run whatever the machine's speed.
 */
const QUEUE = 'vpce-target-sync-deadline';
const SITES = 30;
let h: Harness;
let handler: Handler;

beforeAll(async () => {
  h = await startHarness();
  const sqs = new SQSClient(h.settings);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  handler = createHandler({
    env: { ...h.env, [ENV.queueUrl]: queueUrl, [ENV.logLevel]: 'silent' },
    clientConfig: h.settings,
  });
}, 120_000);
afterAll(() => h.stop());

describe('a scheduled tick near its deadline [simulator]', () => {
  it('stops starting sites, publishes its heartbeat and report, counts and re-queues the deferred sites', async () => {
    const sim = requireSimulator(h);
    const vpc = await h.account.vpc(5);
    const endpointId = await h.account.endpoint(vpc, 2);
    const arns: string[] = [];
    for (let i = 0; i < SITES; i++) arns.push(await h.account.site(`deadline-${i}`, vpc, { endpointId }));
    sim.resetCalls();
    // 16 s left at the start, 100 ms less per AWS call: the 15 s margin is reached after 10 calls.
    const context = {
      awsRequestId: 'req-deadline',
      getRemainingTimeInMillis: () => 16_000 - sim.calls.length * 100,
    } as unknown as Context;

    const summary = (await handler(scheduledEvent() as unknown as ScheduledEvent, context)) as {
      sitesReconciled: number;
      sitesDeferred?: number;
    };
    expect(summary.sitesDeferred).toBeGreaterThan(0);
    expect(summary.sitesReconciled + (summary.sitesDeferred ?? 0)).toBe(SITES);

    const metric = (name: string) =>
      sim
        .metricData({ namespace: METRIC_NAMESPACE, metricName: name })
        .filter((d) => d.dimensions.length === 0);
    expect(metric(METRIC.RunsCompleted).map((d) => d.sum)).toEqual([1]);
    expect(metric(METRIC.SitesDeferred).map((d) => d.sum)).toEqual([summary.sitesDeferred]);

    const requeued = sim
      .sentMessages(QUEUE)
      .flatMap((m) => (JSON.parse(m.body) as { targetGroupArns: string[] }).targetGroupArns);
    expect(requeued).toHaveLength(summary.sitesDeferred ?? 0);
    for (const arn of requeued) expect(arns).toContain(arn);
    // Every site started before the deadline was finished: it holds exactly the endpoint's IPs.
    const writes = sim.calls.filter((c) => /^(Register|Deregister)Targets$/.test(c.operation));
    const ips = await h.account.endpointIps(endpointId);
    for (const arn of arns.filter((a) => !requeued.includes(a)))
      expect(await h.account.targets(arn)).toEqual(ips);
    // Only sites that were reconciled were written: a deferred site was never touched.
    for (const arn of requeued) expect(writes.filter((c) => c.params.TargetGroupArn === arn)).toEqual([]);
  });
});

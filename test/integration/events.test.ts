import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHandler, type Handler } from '@vpce-target-sync/functions/handlers';
import { ENDPOINT_ID_TAG, ENV, METRIC, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { scheduledEvent, sqsBatch, trail } from '../support/cloudtrail.ts';
import {
  type Harness,
  requireSimulator,
  startHarness,
  untilAvailable,
  untilDeleted,
} from '../support/harness.ts';

/** Simulated time an endpoint stays `pending` after a change. */
const PENDING_MS = 20_000;
const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-Reconciler';

let h: Harness;
let vpc: Vpc;
let queueUrl: string;
let sqs: SQSClient;
let handler: Handler;
let invocation = 0;

beforeAll(async () => {
  h = await startHarness({ endpointPendingMs: PENDING_MS });
  sqs = new SQSClient(h.settings);
  queueUrl =
    (await sqs.send(new CreateQueueCommand({ QueueName: 'vpce-target-sync-events' }))).QueueUrl ?? '';
  handler = createHandler({
    env: { ...h.env, [ENV.roleArn]: OWN_ROLE, [ENV.queueUrl]: queueUrl, [ENV.logLevel]: 'silent' },
    clientConfig: h.settings,
  });
  vpc = await h.account.vpc(3);
});
afterAll(() => h.stop());

const context = (): Context =>
  ({ awsRequestId: `req-${++invocation}`, getRemainingTimeInMillis: () => 120_000 }) as unknown as Context;
const handle = (events: unknown[]): Promise<SQSBatchResponse> =>
  handler(sqsBatch(events) as unknown as SQSEvent, context()) as Promise<SQSBatchResponse>;

/** Creates an endpoint and waits (simulated time on the simulator) until it is available. */
async function availableEndpoint(subnets: number): Promise<string> {
  const id = await h.account.endpoint(vpc, subnets);
  await untilAvailable(h, id, PENDING_MS);
  return id;
}

async function receiveAll(): Promise<{ body: unknown }[]> {
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  return (received.Messages ?? []).map((m) => ({ body: JSON.parse(m.Body ?? 'null') }));
}

/** The RegisterTargets and DeregisterTargets calls since `h.resetCalls()`. */
const writes = async () =>
  (await h.calls()).filter((c) => /^(Register|Deregister)Targets$/.test(c.operation));

describe('the event path, through the real handler', () => {
  it('converges a site to the new ENI IPs once an endpoint that gained a subnet is available', async () => {
    const endpointId = await availableEndpoint(1);
    const arn = await h.account.site('ev-grown', vpc, { endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(await h.account.targets(arn)).toHaveLength(1);

    await h.account.addSubnet(endpointId, vpc.subnets[1]?.subnetId as string);
    await untilAvailable(h, endpointId, PENDING_MS);
    const done = await handle([
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[1]?.subnetId as string] }),
    ]);
    expect(done.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
    expect(await h.account.targets(arn)).toHaveLength(2);
  });

  it('re-queues a site while its endpoint is pending, and converges once it is available [simulator]', async () => {
    const sim = requireSimulator(h);
    const endpointId = await availableEndpoint(1);
    const arn = await h.account.site('ev-growing', vpc, { endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(await h.account.targets(arn)).toHaveLength(1);

    await h.account.addSubnet(endpointId, vpc.subnets[1]?.subnetId as string);
    const pending = await handle([
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[1]?.subnetId as string] }),
    ]);
    expect(pending.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toHaveLength(1);
    expect(await receiveAll()).toEqual([]); // delayed: not visible yet
    sim.clock.advance(15_000);
    const requeued = await receiveAll();
    expect(requeued).toHaveLength(1);
    expect(requeued[0]?.body).toMatchObject({
      kind: 'vpce-target-sync/requeue',
      targetGroupArns: [arn],
      attempt: 1,
    });

    sim.clock.advance(PENDING_MS);
    const done = await handle(requeued.map((m) => m.body));
    expect(done.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
    expect(await h.account.targets(arn)).toHaveLength(2);
  });

  it('acknowledges the event and keeps the targets when the endpoint is deleted', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-gone', vpc, { endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    const before = await h.account.targets(arn);
    expect(before).toHaveLength(2);

    await h.account.deleteEndpoint(endpointId);
    const result = await handle([trail.deleteVpcEndpoints([endpointId])]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('makes no write once the endpoint is deleted, and keeps the targets', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-deleted', vpc, { endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    const before = await h.account.targets(arn);
    expect(before).toHaveLength(2);

    await h.account.deleteEndpoint(endpointId);
    await untilDeleted(h, endpointId, PENDING_MS);
    await h.resetCalls();
    const result = await handle([trail.deleteVpcEndpoints([endpointId])]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await writes()).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('fills a target group as soon as it opts in, and keeps its targets once it opts out', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-optin-out', vpc);
    await h.account.tag(arn, { [ENDPOINT_ID_TAG]: endpointId });
    const filled = await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(filled.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));

    await h.account.untag(arn, [ENDPOINT_ID_TAG]);
    await h.account.register(arn, ['10.3.3.34']);
    const left = await handle([trail.removeTags(arn, [ENDPOINT_ID_TAG])]);
    expect(left.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(
      [...(await h.account.endpointIps(endpointId)), '10.3.3.34'].sort(),
    );
  });

  it('leaves a group alone once it opts out: no write, not even DescribeTargetHealth', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-optin', vpc);
    await h.account.tag(arn, { [ENDPOINT_ID_TAG]: endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));

    await h.account.untag(arn, [ENDPOINT_ID_TAG]);
    await h.account.register(arn, ['10.3.3.33']);
    await h.resetCalls();
    await handle([trail.removeTags(arn, [ENDPOINT_ID_TAG])]);
    const calls = await h.calls();
    expect(calls.filter((c) => /^(Register|Deregister)Targets$/.test(c.operation))).toEqual([]);
    expect(calls.filter((c) => c.operation === 'DescribeTargetHealth')).toEqual([]);
    expect(await h.account.targets(arn)).toContain('10.3.3.33');
  });

  it('undoes a manual DeregisterTargets by another principal once the drain ends, re-queueing until then [simulator]', async () => {
    const sim = requireSimulator(h);
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-manual', vpc, { endpointId });
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    const ips = await h.account.targets(arn);
    await h.account.deregister(arn, [ips[0] as string]);
    expect(await h.account.targets(arn)).toHaveLength(1);

    // AWS registers an IP target again only once its deregistration delay (300 s) has ended.
    await handle([trail.targets('DeregisterTargets', arn, [ips[0] as string])]);
    expect(await h.account.targets(arn)).toHaveLength(1);
    sim.clock.advance(301_000);
    const requeued = (await receiveAll()).filter((m) => JSON.stringify(m.body).includes(arn));
    expect(requeued).toHaveLength(1);
    await handle(requeued.map((m) => m.body));
    expect(await h.account.targets(arn)).toEqual(ips);
  });

  it("ignores the reconciler's own RegisterTargets: the group it names is not reconciled", async () => {
    const endpointId = await availableEndpoint(1);
    const arn = await h.account.site('ev-own-event', vpc, { endpointId });
    const result = await handle([trail.targets('RegisterTargets', arn, ['10.3.1.10'], OWN_ROLE)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual([]);
  });

  it("ignores the reconciler's own RegisterTargets with zero AWS calls", async () => {
    const endpointId = await availableEndpoint(1);
    const arn = await h.account.site('ev-own', vpc, { endpointId });
    await h.resetCalls();
    const result = await handle([trail.targets('RegisterTargets', arn, ['10.3.1.10'], OWN_ROLE)]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.calls()).toEqual([]);
  });

  it('acknowledges an event for a new endpoint that no site names, and leaves the groups beside it alone', async () => {
    const endpointId = await availableEndpoint(2);
    const bystander = await h.account.site('ev-bystander', vpc);
    const result = await handle([
      trail.createVpcEndpoint(endpointId, vpc.vpcId, [vpc.subnets[0]?.subnetId as string]),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.account.targets(bystander)).toEqual([]);
  });

  it('makes no writes for a new endpoint that no site names', async () => {
    const endpointId = await availableEndpoint(2);
    await h.resetCalls();
    const result = await handle([
      trail.createVpcEndpoint(endpointId, vpc.vpcId, [vpc.subnets[0]?.subnetId as string]),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await writes()).toEqual([]);
  });

  it('converges a site that several events of one batch name', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-named-thrice', vpc, { endpointId });
    const result = await handle([
      trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId }),
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[2]?.subnetId as string] }),
      trail.targets('DeregisterTargets', arn, ['10.3.1.99']),
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
  });

  it('reconciles a site once however many events in the batch name it', async () => {
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('ev-dupes', vpc, { endpointId });
    await h.resetCalls();
    await handle([
      trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId }),
      trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[2]?.subnetId as string] }),
      trail.targets('DeregisterTargets', arn, ['10.3.1.99']),
    ]);
    const calls = await h.calls();
    expect(calls.filter((c) => c.operation === 'DescribeTargetHealth')).toHaveLength(1);
    expect(calls.filter((c) => c.operation === 'RegisterTargets')).toHaveLength(1);
  });
});

describe('the same function on a schedule', () => {
  it('runs the full pass for a scheduled event and publishes the run metrics', async () => {
    const startTime = new Date(Date.now() - 60_000);
    const endpointId = await availableEndpoint(2);
    const arn = await h.account.site('sched-site', vpc, { endpointId });
    const scheduled = scheduledEvent() as unknown as ScheduledEvent;
    const summary = (await handler(scheduled, context())) as { sitesReconciled: number; siteErrors: number };
    expect(summary.sitesReconciled).toBeGreaterThanOrEqual(1);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
    const runs = await new CloudWatchClient(h.settings).send(
      new GetMetricDataCommand({
        StartTime: startTime,
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          {
            Id: 'runs',
            MetricStat: {
              Metric: { Namespace: METRIC_NAMESPACE, MetricName: METRIC.RunsCompleted },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect((runs.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });
});

describe('event path cost does not grow with the fleet', () => {
  /** Opts `count` more target groups in, naming other endpoints. */
  async function optIn(count: number, prefix: string): Promise<void> {
    const other = await availableEndpoint(1);
    for (let i = 0; i < count; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, count - i) }, (_, j) =>
          h.account.site(`${prefix}-${i + j}`, vpc, { endpointId: other }),
        ),
      );
    }
  }

  async function callsForOneEndpointEvent(): Promise<number> {
    const endpointId = await availableEndpoint(1);
    const arn = await h.account.site(`cost-${++invocation}`, vpc, { endpointId });
    await h.account.register(arn, ['10.3.3.3']);
    await h.resetCalls();
    await handle([trail.modifyVpcEndpoint(endpointId, { add: [vpc.subnets[1]?.subnetId as string] })]);
    const calls = (await h.calls()).length;
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
    return calls;
  }

  it('takes at most 9 API calls for one endpoint event (7 reads and metrics, 2 writes), with 10 or 1,000 target groups opted in', async () => {
    await optIn(10, 'few');
    const withTen = await callsForOneEndpointEvent();
    await optIn(990, 'many');
    const withThousand = await callsForOneEndpointEvent();
    // GetResources, DescribeTargetGroups, DescribeTags (fresh tags), DescribeTargetHealth,
    // DescribeVpcEndpoints, DescribeNetworkInterfaces, RegisterTargets, DeregisterTargets, PutMetricData.
    expect(withTen).toBeLessThanOrEqual(9);
    expect(withThousand).toBe(withTen);
  }, 120_000);
});

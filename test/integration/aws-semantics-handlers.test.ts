import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHandler, type Handler } from '@vpce-target-sync/functions/handlers';
import {
  ENDPOINT_ID_TAG,
  ENV,
  METRIC,
  METRIC_NAMESPACE,
  POLICY_TAG,
  SITE_DIMENSION,
} from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../sim/index.ts';
import type { Vpc } from '../support/account.ts';
import { scheduledEvent, sqsBatch, trail } from '../support/cloudtrail.ts';
import { type Call, type Harness, requireSimulator, startHarness } from '../support/harness.ts';

/**
 * What real AWS does that a naive simulator hides (final endpoint states, IP families, unknown tag
 * keys, the tagging index's lag, draining, quotas, foreign ARNs) through the deployed Lambda handler
 * (events and schedule). What an emulator without the simulator's controls can show runs everywhere,
 * the AWS calls the handler makes included (`h.calls()`); the cases the simulator's controls drive
 * (endpoint states, the tagging index's lag, draining, quotas, the clock) are `[simulator]`.
 */
const QUEUE = 'vpce-target-sync-semantics';
const OWN_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-Reconciler';
const TARGET_QUOTA = 4;

let h: Harness;
let sim: Simulator;
let vpc: Vpc;
let handler: Handler;
let invocation = 0;
let names = 0;

beforeAll(async () => {
  h = await startHarness({ targetsPerTargetGroup: TARGET_QUOTA, deletedEndpointVisibleMs: 60_000 });
  const sqs = new SQSClient(h.settings);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  handler = createHandler({
    env: { ...h.env, [ENV.roleArn]: OWN_ROLE, [ENV.queueUrl]: queueUrl, [ENV.logLevel]: 'silent' },
    clientConfig: h.settings,
  });
  vpc = await h.account.vpc(4);
});
afterAll(() => h.stop());

const context = (): Context =>
  ({ awsRequestId: `req-${++invocation}`, getRemainingTimeInMillis: () => 120_000 }) as unknown as Context;
const handle = (events: unknown[]): Promise<SQSBatchResponse> =>
  handler(sqsBatch(events) as unknown as SQSEvent, context()) as Promise<SQSBatchResponse>;
const scheduled = () => handler(scheduledEvent() as unknown as ScheduledEvent, context());
/** The RegisterTargets and DeregisterTargets calls since `h.resetCalls()`. */
const writes = async () =>
  (await h.calls()).filter((c) => /^(Register|Deregister)Targets$/.test(c.operation));
/** The SQS sends among these calls: a re-queue is one. */
const sends = (calls: readonly Call[]) =>
  calls.filter((c) => c.service === 'sqs' && c.operation.startsWith('SendMessage'));
const requeued = () => sim.sentMessages(QUEUE).length;
const name = (prefix: string) => `${prefix}-${++names}`;
/** The run-wide SiteErrors datum (no dimensions) of the last PutMetricData among these calls. */
const lastSiteErrors = (calls: readonly Call[]) =>
  calls
    .filter((c) => c.operation === 'PutMetricData' && c.params.Namespace === METRIC_NAMESPACE)
    .flatMap((c) => c.params.MetricData as { MetricName: string; Value: number; Dimensions?: unknown[] }[])
    .filter((d) => d.MetricName === METRIC.SiteErrors && !d.Dimensions?.length)
    .at(-1)?.Value;

/** The per-site SiteErrors the site `name` has had published, through GetMetricData. */
async function siteErrorsOf(name: string): Promise<number> {
  const data = await new CloudWatchClient(h.settings).send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000),
      MetricDataQueries: [
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: METRIC_NAMESPACE,
              MetricName: METRIC.SiteErrors,
              Dimensions: [{ Name: SITE_DIMENSION, Value: name }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (data.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}
const nameOf = (arn: string) => arn.split('/')[1] ?? '';

/** A site whose group holds the endpoint's IPs already. */
async function syncedSite(prefix: string, subnets = 2): Promise<{ arn: string; endpointId: string }> {
  const endpointId = await h.account.endpoint(vpc, subnets);
  const arn = await h.account.site(name(prefix), vpc, { endpointId });
  await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
  expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
  return { arn, endpointId };
}

describe('issue 9 through the Lambda handler', () => {
  it('a deleted endpoint is a site error: acknowledged, targets kept, SiteErrors counted for the site', async () => {
    const { arn, endpointId } = await syncedSite('ev-deleted');
    const before = await h.account.targets(arn);
    await h.account.deleteEndpoint(endpointId);
    const result = await handle([trail.deleteVpcEndpoints([endpointId])]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await h.account.targets(arn)).toEqual(before);
    expect(await siteErrorsOf(nameOf(arn))).toBe(1);
  });

  it('a deleted endpoint is a site error on the schedule too, counted in SiteErrors for the site', async () => {
    const { arn, endpointId } = await syncedSite('ev-sched-deleted');
    const before = await h.account.targets(arn);
    await h.account.deleteEndpoint(endpointId);
    const summary = (await scheduled()) as { siteErrors: number };
    expect(summary.siteErrors).toBeGreaterThanOrEqual(1);
    expect(await siteErrorsOf(nameOf(arn))).toBe(1);
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('an IPv6 group on an IPv4-only endpoint is a site error (SiteErrors 1), the group not written', async () => {
    const endpointId = await h.account.endpoint(vpc, 1);
    const arn = await h.account.site(name('ev-v6'), vpc, { endpointId, ipAddressType: 'ipv6' });
    const result = await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await siteErrorsOf(nameOf(arn))).toBe(1);
    expect(await h.account.targets(arn)).toEqual([]);
  });

  it('a misspelt key under our prefix is a site error (SiteErrors 1) and the group keeps its targets', async () => {
    const { arn, endpointId } = await syncedSite('ev-typo');
    await h.account.tag(arn, { 'vpce-target-sync:Policy': 'observe' });
    await h.account.register(arn, ['10.4.3.99']);
    await handle([trail.addTags(arn, { 'vpce-target-sync:Policy': 'observe' })]);
    expect(await siteErrorsOf(nameOf(arn))).toBe(1);
    expect(await h.account.targets(arn)).toEqual(
      [...(await h.account.endpointIps(endpointId)), '10.4.3.99'].sort(),
    );
  });

  it('the schedule leaves a group switched to observe as it is', async () => {
    const { arn } = await syncedSite('ev-observe');
    await h.account.register(arn, ['10.4.3.98']);
    await h.account.tag(arn, { [POLICY_TAG]: 'observe' });
    await scheduled();
    expect(await h.account.targets(arn)).toContain('10.4.3.98');
  });
});

describe('issue 9 through the Lambda handler: its AWS calls', () => {
  it('a deleted endpoint is a site error, not a wait: no re-queue, targets kept, SiteErrors counted', async () => {
    const { arn, endpointId } = await syncedSite('ev-deleted');
    const before = await h.account.targets(arn);
    await h.account.deleteEndpoint(endpointId);
    await h.resetCalls();

    const result = await handle([trail.deleteVpcEndpoints([endpointId])]);
    expect(result.batchItemFailures).toEqual([]);
    const calls = await h.calls();
    expect(sends(calls)).toEqual([]);
    expect(await writes()).toEqual([]);
    expect(lastSiteErrors(calls)).toBe(1);
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('an IPv6 group on an IPv4-only endpoint is a site error (SiteErrors 1), not a silent wait', async () => {
    const endpointId = await h.account.endpoint(vpc, 1);
    const arn = await h.account.site(name('ev-v6'), vpc, { endpointId, ipAddressType: 'ipv6' });
    await h.resetCalls();
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    const calls = await h.calls();
    expect(lastSiteErrors(calls)).toBe(1);
    expect(sends(calls)).toEqual([]);
  });

  it('a misspelt key under our prefix is a site error and the group is not written', async () => {
    const { arn, endpointId } = await syncedSite('ev-typo');
    await h.account.tag(arn, { 'vpce-target-sync:Policy': 'observe' });
    await h.account.register(arn, ['10.4.3.99']);
    await h.resetCalls();
    await handle([trail.addTags(arn, { 'vpce-target-sync:Policy': 'observe' })]);
    expect(await writes()).toEqual([]);
    expect(lastSiteErrors(await h.calls())).toBe(1);
    expect(await h.account.targets(arn)).toEqual(
      [...(await h.account.endpointIps(endpointId)), '10.4.3.99'].sort(),
    );
  });
});

describe('issue 9 through the Lambda handler [simulator]', () => {
  beforeEach(() => {
    sim = requireSimulator(h);
    sim.setTaggingLag(0);
  });

  it('a rejected endpoint is a site error on the schedule too', async () => {
    const { arn, endpointId } = await syncedSite('ev-rejected');
    sim.setEndpointState(endpointId, 'rejected');
    const summary = (await scheduled()) as { siteErrors: number };
    expect(summary.siteErrors).toBeGreaterThanOrEqual(1);
    expect(
      sim
        .metricData({ namespace: METRIC_NAMESPACE, metricName: METRIC.SiteErrors })
        .some((d) => d.dimensions.some((x) => x.Value === arn.split('/')[1])),
    ).toBe(true);
  });

  it('the schedule acts only on fresh tags while the tagging index lags', async () => {
    const { arn } = await syncedSite('ev-fresh');
    await h.account.register(arn, ['10.4.3.98']);
    sim.clock.advance(600_000);
    sim.setTaggingLag(300_000);
    await h.account.tag(arn, { [POLICY_TAG]: 'observe' });
    await h.resetCalls();
    await scheduled();
    expect((await writes()).filter((c) => JSON.stringify(c.params).includes(arn))).toEqual([]);
    expect(await h.account.targets(arn)).toContain('10.4.3.98');
  });

  it('a desired IP drained by hand is re-queued while draining and registered once the drain ends', async () => {
    const { arn, endpointId } = await syncedSite('ev-drain');
    const [first] = (await h.account.endpointIps(endpointId)) as [string];
    await h.account.deregister(arn, [first]);
    const queued = requeued();
    await handle([trail.targets('DeregisterTargets', arn, [first])]);
    expect(requeued()).toBe(queued + 1);
    expect(await h.account.targets(arn)).not.toContain(first);

    sim.clock.advance(301_000);
    const message = sim.sentMessages(QUEUE).at(-1);
    await handle([JSON.parse(message?.body ?? 'null')]);
    expect(await h.account.targets(arn)).toEqual(await h.account.endpointIps(endpointId));
  });

  it(`a group at its quota (${TARGET_QUOTA}) with a healthy desired target converges, stale ones removed first`, async () => {
    const endpointId = await h.account.endpoint(vpc, 2);
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    const arn = await h.account.site(name('ev-quota'), vpc, { endpointId });
    await h.account.attach(vpc, arn, 8000 + names);
    await h.account.register(arn, [first, '10.4.3.95', '10.4.3.96', '10.4.3.97']);
    sim.clock.advance(1_000);
    await h.resetCalls();
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect((await writes()).map((c) => c.operation)).toEqual([
      'RegisterTargets',
      'DeregisterTargets',
      'RegisterTargets',
    ]);
    sim.clock.advance(301_000);
    await handle([trail.addTags(arn, { [ENDPOINT_ID_TAG]: endpointId })]);
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
  });
});

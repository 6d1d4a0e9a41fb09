import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createHandler, type Handler } from '@vpce-target-sync/functions/handlers';
import {
  ENV,
  METRIC,
  METRIC_NAMESPACE,
  POLICY_TAG,
  REQUEUE_KIND,
  type RequeueMessage,
  shardFor,
  shareOf,
} from '@vpce-target-sync/shared';
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { scheduledEvent, sqsBatch } from '../support/cloudtrail.ts';
import { type Harness, startHarness } from '../support/harness.ts';

/**
 * A full pass spread over ticks keeps its alarms true (docs/DESIGN.md, "Alarms at every fleet
 * size"): the sites a run leaves in drift or in error are watched by the warm function, and every
 * tick checks them first, whatever its share, until a run finds them clean; that run publishes the
 * all-clear. The describe rate is set so low (0.01/s, with a burst that never makes a call wait)
 * that a tick's share is 2 sites: 6 sites take 3 ticks. Product time is simulated with a fake Date,
 * one tick per 5 minutes.
 */
const QUEUE = 'vpce-target-sync-recheck';
const INTERVAL_MS = 5 * 60_000;
const SITES_PER_TICK = 2;
let h: Harness;
let queueUrl: string;
let handler: Handler;
/** Every site the tests of this file opted in: the fleet the product lists. */
const optedIn: string[] = [];
const context = (remainingMs = 100_000) =>
  ({ awsRequestId: 'req-recheck', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

beforeAll(async () => {
  h = await startHarness();
  const sqs = new SQSClient(h.settings);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl ?? '';
  handler = createHandler({
    env: {
      ...h.env,
      [ENV.queueUrl]: queueUrl,
      [ENV.logLevel]: 'silent',
      [ENV.rateLimits]: 'elbv2-describe=0.01/100000',
    },
    clientConfig: h.settings,
  });
}, 120_000);
afterAll(() => h.stop());
afterEach(() => vi.useRealTimers());

interface Sent {
  readonly message: RequeueMessage;
  readonly delaySeconds: number;
}

/** The re-queue messages sent to the queue since `h.resetCalls()`, read off the call log's SendMessage calls. */
const sent = async (): Promise<Sent[]> =>
  (await h.calls())
    .filter((c) => c.operation === 'SendMessage' && c.params.QueueUrl === queueUrl)
    .map((c) => ({
      message: JSON.parse(c.params.MessageBody as string) as RequeueMessage,
      delaySeconds: Number(c.params.DelaySeconds ?? 0),
    }))
    .filter((s) => s.message.kind === REQUEUE_KIND);

/** The target groups looked at (DescribeTargetHealth) since `h.resetCalls()`. */
const looked = async (): Promise<string[]> =>
  (await h.calls())
    .filter((c) => c.operation === 'DescribeTargetHealth')
    .map((c) => c.params.TargetGroupArn as string)
    .sort();

/** The per-site UnresolvedDriftTargets published since `h.resetCalls()`: [site name, value]. */
const unresolvedPublished = async (): Promise<[string, number][]> =>
  (await h.calls())
    .filter((c) => c.operation === 'PutMetricData' && c.params.Namespace === METRIC_NAMESPACE)
    .flatMap(
      (c) =>
        c.params.MetricData as {
          MetricName: string;
          Value: number;
          Dimensions?: { Name: string; Value: string }[];
        }[],
    )
    .filter((d) => d.MetricName === METRIC.UnresolvedDriftTargets && d.Dimensions?.length)
    .map((d) => [d.Dimensions?.[0]?.Value ?? '', d.Value]);

const at = (ms: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
};

const tick = async (start: number) => {
  at(start);
  await handler(scheduledEvent() as unknown as ScheduledEvent, context());
};

describe('a spread-out pass watches what it leaves in drift or in error', () => {
  it('checks the watched sites on every tick whatever its share, until a run finds them clean, which publishes the all-clear; nothing goes through the queue', async () => {
    const vpc = await h.account.vpc(5);
    const endpointId = await h.account.endpoint(vpc, 2);
    const ips = await h.account.endpointIps(endpointId);
    const healthy: string[] = [];
    for (let i = 0; i < 4; i++) {
      const arn = await h.account.site(`recheck-ok-${i}`, vpc, { endpointId });
      await h.account.register(arn, ips);
      healthy.push(arn);
    }
    const observed = await h.account.site('recheck-observed', vpc, { endpointId, policy: 'observe' });
    await h.account.register(observed, ips.slice(0, 1));
    const broken = await h.account.site('recheck-broken', vpc, { endpointId: 'vpce-0123456789abcdef0' });
    const fleet = [...healthy, observed, broken];
    optedIn.push(...fleet);
    const shareAt = (start: number) =>
      shareOf(fleet, shardFor(fleet.length, SITES_PER_TICK, start / INTERVAL_MS));

    // Two passes, tick by tick: each tick looks at its share and at every site an earlier tick
    // left in drift or in error.
    const base = Math.ceil(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    const watched = new Set<string>();
    for (let n = 0; n < 6; n++) {
      const start = base + n * INTERVAL_MS;
      await h.resetCalls();
      await tick(start);
      const share = shareAt(start);
      expect(await looked()).toEqual([...new Set([...share, ...watched])].sort());
      expect(await sent()).toEqual([]);
      for (const arn of share) if (arn === observed || arn === broken) watched.add(arn);
    }
    expect([...watched].sort()).toEqual([observed, broken].sort());

    // Fixed (switched to sync): the next tick converges it, publishes its all-clear (zero), and
    // the tick after looks at it only when its share is due.
    await h.account.tag(observed, { [POLICY_TAG]: 'sync' });
    const fixedAt = base + 6 * INTERVAL_MS;
    await h.resetCalls();
    await tick(fixedAt);
    expect(await looked()).toContain(observed);
    expect(await unresolvedPublished()).toContainEqual(['recheck-observed', 0]);
    expect((await h.account.targets(observed)).sort()).toEqual([...ips].sort());
    const after = fixedAt + INTERVAL_MS;
    await h.resetCalls();
    await tick(after);
    expect(await looked()).toEqual([...new Set([...shareAt(after), broken])].sort());
  });

  it('watches a site the event path leaves in drift: the next tick looks at it though its share is not due', async () => {
    const vpc = await h.account.vpc(7);
    const endpointId = await h.account.endpoint(vpc, 2);
    const ips = await h.account.endpointIps(endpointId);
    const drifting = await h.account.site('recheck-by-event', vpc, { endpointId, policy: 'observe' });
    await h.account.register(drifting, ips.slice(0, 1));
    optedIn.push(drifting);
    const message = {
      kind: REQUEUE_KIND,
      version: 1,
      targetGroupArns: [drifting],
      endpointIds: [],
      attempt: 1,
      reason: 'deferred',
    };
    const base = Math.ceil(Date.now() / INTERVAL_MS) * INTERVAL_MS + 100 * INTERVAL_MS;
    at(base - 60_000);
    await handler(sqsBatch([message]) as unknown as SQSEvent, context());
    // A tick whose share does not hold the site still looks at it.
    let start = base;
    while (shareOf(optedIn, shardFor(optedIn.length, SITES_PER_TICK, start / INTERVAL_MS)).has(drifting))
      start += INTERVAL_MS;
    await h.resetCalls();
    await tick(start);
    expect(await looked()).toContain(drifting);
  });

  it('an event batch near its deadline starts no site and hands its sites on, visible at once', async () => {
    const vpc = await h.account.vpc(6);
    const endpointId = await h.account.endpoint(vpc, 2);
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push(await h.account.site(`deferred-${i}`, vpc, { endpointId }));
    const message = {
      kind: REQUEUE_KIND,
      version: 1,
      targetGroupArns: arns,
      endpointIds: [],
      attempt: 1,
      reason: 'deferred',
    };
    await h.resetCalls();
    const before = (await sent()).length;
    await handler(sqsBatch([message]) as unknown as SQSEvent, context(10_000));
    const handed = (await sent()).slice(before);
    expect(handed).toHaveLength(1);
    expect(handed[0]?.message).toMatchObject({ reason: expect.stringMatching(/^deferred/) });
    expect([...(handed[0]?.message.targetGroupArns ?? [])].sort()).toEqual([...arns].sort());
    expect(handed[0]?.delaySeconds).toBe(0);
    for (const arn of arns) expect(await h.account.targets(arn)).toEqual([]);
  });
});

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
 * size"): the sites a tick leaves in drift or in error are re-checked through the events queue
 * while their share is not due, and the event path hands on what it cannot finish. The describe
 * rate is set so low (0.01/s, with a burst that never makes a call wait) that a tick's share is 2
 * sites: 6 sites take 3 ticks. Product time is simulated with a fake Date, one tick per 5 minutes.
 */
const QUEUE = 'vpce-target-sync-recheck';
const INTERVAL_MS = 5 * 60_000;
const SITES_PER_TICK = 2;
let h: Harness;
let queueUrl: string;
let handler: Handler;
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

const at = (ms: number) => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(ms);
};

describe('a spread-out pass re-checks what it leaves in drift or in error', () => {
  it('re-queues drifted and failing sites with the time their share is due again, and the event path keeps them coming until then or until clean', async () => {
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

    await h.resetCalls();
    // Three ticks: one pass, each site in exactly one share.
    const base = Math.ceil(Date.now() / INTERVAL_MS) * INTERVAL_MS;
    const tickOf = new Map<string, number>();
    for (let tick = 0; tick < 3; tick++) {
      const start = base + tick * INTERVAL_MS;
      for (const arn of shareOf(fleet, shardFor(fleet.length, SITES_PER_TICK, start / INTERVAL_MS)))
        tickOf.set(arn, start);
      at(start);
      await handler(scheduledEvent() as unknown as ScheduledEvent, context());
    }
    expect(tickOf.size).toBe(fleet.length);

    const rechecks = (await sent()).filter((s) => s.message.reason.startsWith('recheck'));
    const named = rechecks.flatMap((s) => s.message.targetGroupArns);
    expect(named.sort()).toEqual([observed, broken].sort());
    for (const { message, delaySeconds } of rechecks) {
      expect(delaySeconds).toBe(90);
      const site = message.targetGroupArns[0] as string;
      // Due again one pass (3 ticks) after the tick that saw it, and two re-checks past that.
      expect(message.until).toBe((tickOf.get(site) as number) + 3 * INTERVAL_MS + 180_000);
      expect(message.recheck).toBe(true);
    }

    // The event path takes the re-check of the observed site 2 minutes later: still in drift (and
    // the broken one, when the same share held both, still in error), so it goes round again with
    // the same `until`.
    const recheckOf = (arn: string) =>
      rechecks.find((s) => s.message.targetGroupArns.includes(arn))?.message as RequeueMessage;
    const first = recheckOf(observed);
    const before = (await sent()).length;
    at((tickOf.get(observed) as number) + 2 * 60_000);
    await handler(sqsBatch([first]) as unknown as SQSEvent, context());
    const again = (await sent()).slice(before);
    expect(again).toHaveLength(1);
    expect(again[0]?.message).toMatchObject({ targetGroupArns: first.targetGroupArns, until: first.until });
    expect(again[0]?.delaySeconds).toBe(90);

    // Once its share is due (less than one re-check delay before `until`), the chain ends.
    const late = (await sent()).length;
    at((first.until as number) - 60_000);
    await handler(sqsBatch([first]) as unknown as SQSEvent, context());
    expect((await sent()).slice(late)).toEqual([]);

    // Fixed (switched to sync): the re-check converges it and it is sent no more.
    await h.account.tag(observed, { [POLICY_TAG]: 'sync' });
    const fixed = (await sent()).length;
    at((tickOf.get(observed) as number) + 4 * 60_000);
    await handler(sqsBatch([first]) as unknown as SQSEvent, context());
    const still = first.targetGroupArns.filter((a) => a !== observed);
    expect((await sent()).slice(fixed).flatMap((s) => s.message.targetGroupArns)).toEqual(still);
    expect((await h.account.targets(observed)).sort()).toEqual([...ips].sort());
  });

  it('an event batch near its deadline starts no site and hands its sites on with their `until`', async () => {
    const vpc = await h.account.vpc(6);
    const endpointId = await h.account.endpoint(vpc, 2);
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push(await h.account.site(`deferred-${i}`, vpc, { endpointId }));
    const until = Math.ceil(Date.now() / INTERVAL_MS) * INTERVAL_MS + 20 * 60_000;
    const message = {
      kind: REQUEUE_KIND,
      version: 1,
      targetGroupArns: arns,
      endpointIds: [],
      attempt: 1,
      reason: 'deferred',
      until,
    };
    await h.resetCalls();
    const before = (await sent()).length;
    await handler(sqsBatch([message]) as unknown as SQSEvent, context(10_000));
    const handed = (await sent()).slice(before);
    expect(handed).toHaveLength(1);
    expect(handed[0]?.message).toMatchObject({ until, reason: expect.stringMatching(/^deferred/) });
    expect([...(handed[0]?.message.targetGroupArns ?? [])].sort()).toEqual([...arns].sort());
    expect(handed[0]?.delaySeconds).toBe(60);
    for (const arn of arns) expect(await h.account.targets(arn)).toEqual([]);
  });
});

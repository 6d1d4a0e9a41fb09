import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import {
  type AwsClients,
  awsDeps,
  createClients,
  createLogger,
  REQUEST_TIMEOUT_MS,
  reconcile,
} from '@vpce-target-sync/functions';
import { METRIC, METRIC_NAMESPACE, SITE_DIMENSION } from '@vpce-target-sync/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
// The in-memory fakes are the functions package's test helpers; no package exports test code.
import { FakeAccount } from '../../functions/test/fakes.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { Account } from '../support/account.ts';

/**
 * Holds the simulator's next `operation` call until the test releases it: a response that never
 * comes unless the client gives up on it. The SDK's request timer then runs on vitest's fake clock,
 * so REQUEST_TIMEOUT_MS passes in no time and to the millisecond.
 */
function stallNext(sim: Simulator, operation: string) {
  let arrived = (): void => {};
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  let release = (): void => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  sim.faults.add({ operation, fault: { kind: 'before', run: () => (arrived(), released) } });
  return { arrival, release };
}

/** Lets every promise continuation that is ready run (setImmediate is not faked). */
const drain = () => new Promise((resolve) => setImmediate(resolve));

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Bugs the reliability suites found, each pinned by the smallest test that shows it. */
describe('regressions found by the reliability suites', () => {
  it('a site whose DeregisterTargets fails keeps its plan and its drift in the report and the metrics', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5', '10.0.2.5']);
    const arn = account.addGroup('web', 'vpce-0000000a', ['10.0.1.5', '10.0.9.9']);
    account.failing.set(
      'DeregisterTargets',
      Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }),
    );

    const report = await reconcile(account.deps(), {
      dryRun: false,
      publishMetrics: true,
      perSiteMetrics: true,
    });

    const site = report.sites[0];
    expect(site).toMatchObject({
      targetGroupArn: arn,
      status: 'error',
      errorCode: 'Throttling',
      message: 'DeregisterTargets failed: Throttling: Rate exceeded',
      desired: [
        { id: '10.0.1.5', port: 443 },
        { id: '10.0.2.5', port: 443 },
      ],
      toRegister: [{ id: '10.0.2.5', port: 443 }],
      toDeregister: [{ id: '10.0.9.9', port: 443 }],
      driftTargets: 2,
      unresolvedDriftTargets: 1,
      registeredCount: 1,
    });
    expect(site?.registered.map((t) => t.id)).toEqual(['10.0.1.5', '10.0.9.9']);
    expect(report.summary).toMatchObject({
      driftTargets: 2,
      unresolvedDriftTargets: 1,
      targetsRegistered: 1,
    });
    const data = account.published[0] ?? [];
    const perSite = (name: string) =>
      data.find((d) => d.name === name && d.dimensions?.some((x) => x.name === SITE_DIMENSION))?.value;
    expect(perSite(METRIC.DriftTargets)).toBe(2);
    expect(perSite(METRIC.UnresolvedDriftTargets)).toBe(1);
    expect(perSite(METRIC.SiteErrors)).toBe(1);
  });

  it.each([
    ['ec2', 'DescribeVpcs', (c: AwsClients) => c.ec2.send(new DescribeVpcsCommand({}))],
    ['elbv2', 'DescribeTargetGroups', (c: AwsClients) => c.elbv2.send(new DescribeTargetGroupsCommand({}))],
    ['cloudwatch', 'ListMetrics', (c: AwsClients) => c.cloudwatch.send(new ListMetricsCommand({}))],
    ['tagging', 'GetResources', (c: AwsClients) => c.tagging.send(new GetResourcesCommand({}))],
    [
      'sqs',
      'GetQueueUrl',
      async (c: AwsClients) => (await c.sqs()).send(new GetQueueUrlCommand({ QueueName: 'events' })),
    ],
  ])(
    'the %s client gives up on a stalled %s after exactly REQUEST_TIMEOUT_MS, with TimeoutError',
    async (_, operation, call) => {
      sim = await startSimulator();
      const stall = stallNext(sim, operation);
      // The product's own clients and settings, one attempt per call: the retries are the SDK's,
      // the timeout that ends each attempt is the product's.
      const clients = createClients({ ...sim.clientConfig(), maxAttempts: 1 });
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let settled = false;
      const outcome = call(clients).then(
        () => 'answered',
        (error: unknown) => error,
      );
      void outcome.finally(() => (settled = true));
      try {
        await stall.arrival;
        await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1);
        await drain();
        expect(settled, '1 ms before the timeout').toBe(false);
        await vi.advanceTimersByTimeAsync(1);
        await drain();
        expect(settled, 'at the timeout').toBe(true);
      } finally {
        stall.release();
        vi.useRealTimers();
      }
      expect(await outcome).toMatchObject({
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
        message: expect.stringContaining(`exceeded the configured ${REQUEST_TIMEOUT_MS} ms requestTimeout`),
      });
    },
  );

  it("a stalled DescribeTargetHealth is that site's ETIMEDOUT error, and the run still reports and publishes", async () => {
    sim = await startSimulator();
    const account = new Account(sim.clientConfig());
    const vpc = await account.vpc(1);
    const endpointId = await account.endpoint(vpc, 2);
    const arn = await account.site('stalled', vpc, { endpointId });
    const stall = stallNext(sim, 'DescribeTargetHealth');
    const deps = awsDeps(createLogger('silent'), createClients({ ...sim.clientConfig(), maxAttempts: 1 }));

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const run = reconcile(deps, { dryRun: false, publishMetrics: true, perSiteMetrics: true });
    try {
      await stall.arrival;
      await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    } finally {
      stall.release();
      vi.useRealTimers();
    }
    const report = await run;

    expect(report.sites).toEqual([
      expect.objectContaining({
        targetGroupArn: arn,
        status: 'error',
        errorCode: 'ETIMEDOUT',
        retryable: true,
      }),
    ]);
    expect(report.sites[0]?.message).toMatch(
      new RegExp(
        `^DescribeTargetHealth failed: ETIMEDOUT: .*exceeded the configured ${REQUEST_TIMEOUT_MS} ms requestTimeout`,
      ),
    );
    expect(report.summary.siteErrors).toBe(1);
    const published = sim.metricData({ namespace: METRIC_NAMESPACE, metricName: METRIC.SiteErrors });
    expect(published.filter((d) => d.dimensions.length === 0).map((d) => d.sum)).toEqual([1]);
    // Had the call been answered, the site would have converged on the endpoint's two IPs.
    expect(await account.targets(arn)).toEqual([]);
  });
});

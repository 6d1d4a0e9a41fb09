import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { METRIC, METRIC_NAMESPACE, SITE_DIMENSION } from '@vpce-target-sync/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { type Harness, type JsonReport, runCli, site, startHarness } from '../support/harness.ts';

let h: Harness;
let vpc: Vpc;
let endpointId: string;

beforeEach(async () => {
  h = await startHarness();
  vpc = await h.account.vpc(1);
  endpointId = await h.account.endpoint(vpc, 2);
});
afterEach(() => h.stop());

const reconcileJson = async (...args: string[]) => {
  const result = await runCli(h, ['reconcile', '--json', ...args]);
  return { ...result, report: JSON.parse(result.stdout) as JsonReport };
};

/** A site holding one of the endpoint's IPs and one stale IP. */
async function driftedSite(): Promise<{ arn: string; first: string; second: string }> {
  const arn = await h.account.site('drifted', vpc, { endpointId });
  const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
  await h.account.register(arn, [first, '10.1.3.99']);
  return { arn, first, second };
}

/** A site holding only a stale IP, for the dry runs. */
async function dryRunSite(): Promise<{ arn: string; ips: string[] }> {
  const arn = await h.account.site('dry', vpc, { endpointId });
  await h.account.register(arn, ['10.1.3.99']);
  return { arn, ips: await h.account.endpointIps(endpointId) };
}

/** A target group with a target and no opt-in tag, beside an opted-in one. */
async function untaggedBeside(): Promise<string> {
  const untagged = await h.account.site('untagged', vpc);
  await h.account.register(untagged, ['10.1.3.50']);
  await h.account.site('tagged', vpc, { endpointId });
  return untagged;
}

describe('reconcile through the CLI', () => {
  it('fills a new site (empty target group) with the endpoint ENI IPs', async () => {
    const arn = await h.account.site('new-site', vpc, { endpointId });
    const ips = await h.account.endpointIps(endpointId);
    expect(ips).toHaveLength(2);

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({ status: 'converged', endpointId, policy: 'sync' });
    expect(await h.account.targets(arn)).toEqual(ips);

    const again = await reconcileJson();
    expect(site(again.report, arn).status).toBe('in-sync');
  });

  it('converges a drifted site (one stale, one missing)', async () => {
    const { arn, first, second } = await driftedSite();
    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({
      status: 'converged',
      toRegister: [{ id: second, port: 443 }],
      toDeregister: [{ id: '10.1.3.99', port: 443 }],
    });
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
  });

  it('observe changes nothing and reports the drift; upsert-only registers but never deregisters', async () => {
    const [first, second] = await h.account.endpointIps(endpointId);
    const observed = await h.account.site('observed', vpc, { endpointId, policy: 'observe' });
    const upsert = await h.account.site('upsert', vpc, { endpointId, policy: 'upsert-only' });
    for (const arn of [observed, upsert]) await h.account.register(arn, [first as string, '10.1.3.99']);

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, observed)).toMatchObject({
      status: 'drift',
      policy: 'observe',
      toRegister: [],
      toDeregister: [],
    });
    expect(await h.account.targets(observed)).toEqual([first, '10.1.3.99'].sort());
    expect(site(report, upsert)).toMatchObject({ status: 'drift', policy: 'upsert-only', toDeregister: [] });
    expect(await h.account.targets(upsert)).toEqual([first, second, '10.1.3.99'].sort());
  });

  it('--dry-run changes nothing and prints the plan', async () => {
    const { arn, ips } = await dryRunSite();
    const table = await runCli(h, ['reconcile', '--dry-run']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^dry\s+vpce-\S+\s+sync\s+drift/m);
    for (const ip of ips) expect(table.stdout).toContain(ip);
    expect(table.stdout).toContain('-10.1.3.99');
    expect(table.stdout).toContain('dry run: nothing changed');

    const { report } = await reconcileJson('--dry-run');
    expect(site(report, arn)).toMatchObject({
      status: 'drift',
      toRegister: ips.map((id) => ({ id, port: 443 })),
      toDeregister: [{ id: '10.1.3.99', port: 443 }],
    });
    expect(await h.account.targets(arn)).toEqual(['10.1.3.99']);
  });

  it('reports each misconfigured site with a clear error and exit code 1, while the others converge', async () => {
    const other = await h.account.vpc(2);
    const foreignEndpoint = await h.account.endpoint(other, 1);
    const good = await h.account.site('good', vpc, { endpointId });
    const badTag = await h.account.site('bad-tag', vpc, { endpointId: 'vpce-NOT-AN-ID' });
    const unknown = await h.account.site('unknown-endpoint', vpc, { endpointId: 'vpce-0123456789abcdef0' });
    const foreign = await h.account.site('other-vpc', vpc, { endpointId: foreignEndpoint });
    const instance = await h.account.site('instance-type', vpc, { endpointId, targetType: 'instance' });
    const badPolicy = await h.account.site('bad-policy', vpc, { endpointId, policy: 'mirror' });

    const { code, report, stderr } = await reconcileJson();
    expect(code).toBe(1);
    expect(site(report, good).status).toBe('converged');
    expect(await h.account.targets(good)).toEqual(await h.account.endpointIps(endpointId));
    const expectations: [string, RegExp][] = [
      [
        badTag,
        /tag vpce-target-sync:endpoint-id is "vpce-NOT-AN-ID".*expected 'vpce-' followed by 8 or 17 lowercase hex digits/,
      ],
      [unknown, /endpoint vpce-0123456789abcdef0 .*is deleted or does not exist/],
      [
        foreign,
        new RegExp(
          `endpoint ${foreignEndpoint} is in vpc-\\w+ but target group other-vpc is in ${vpc.vpcId}`,
        ),
      ],
      [instance, /target type "instance"; expected "ip"/],
      [badPolicy, /tag vpce-target-sync:policy is "mirror"; expected one of sync, upsert-only, observe/],
    ];
    for (const [arn, message] of expectations) {
      expect(site(report, arn).status).toBe('error');
      expect(site(report, arn).message).toMatch(message);
      expect(await h.account.targets(arn)).toEqual([]);
    }
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('adds the new ENI IP on the next run when the endpoint gains a subnet', async () => {
    const arn = await h.account.site('growing', vpc, { endpointId });
    await reconcileJson();
    expect(await h.account.targets(arn)).toHaveLength(2);

    await h.account.addSubnet(endpointId, vpc.subnets[2]?.subnetId as string);
    const ips = await h.account.endpointIps(endpointId);
    expect(ips).toHaveLength(3);
    const { report } = await reconcileJson();
    expect(site(report, arn).status).toBe('converged');
    expect(await h.account.targets(arn)).toEqual(ips);
  });

  it('selects sites with --target-group and --endpoint', async () => {
    const a = await h.account.site('pick-a', vpc, { endpointId });
    const b = await h.account.site('pick-b', vpc, { endpointId });
    const byName = await reconcileJson('--target-group', 'pick-a');
    expect(byName.report.sites.map((s) => s.targetGroupArn)).toEqual([a]);
    const byArn = await reconcileJson('--target-group', b, '--dry-run');
    expect(byArn.report.sites.map((s) => s.targetGroupArn)).toEqual([b]);
    const byEndpoint = await reconcileJson('--endpoint', endpointId, '--dry-run');
    expect(byEndpoint.report.sites.map((s) => s.targetGroupArn).sort()).toEqual([a, b].sort());
    const untagged = await h.account.site('not-opted', vpc);
    const refused = await reconcileJson('--target-group', 'not-opted');
    expect(refused.code).toBe(1);
    expect(site(refused.report, untagged).message).toMatch(/did not opt in/);
  });

  it('--json output has the contract shape and statuses', async () => {
    const arn = await h.account.site('shape', vpc, { endpointId });
    const { report } = await reconcileJson();
    const s = site(report, arn);
    for (const key of [
      'targetGroupArn',
      'targetGroupName',
      'endpointId',
      'policy',
      'desired',
      'registered',
      'toRegister',
      'toDeregister',
      'status',
      'message',
    ]) {
      expect(s).toHaveProperty(key);
    }
    expect(['in-sync', 'converged', 'drift', 'waiting', 'error']).toContain(s.status);
    expect(report.summary).toMatchObject({
      sitesReconciled: expect.any(Number),
      siteErrors: 0,
      dryRun: false,
    });
  });
});

describe('untagged target groups', () => {
  it('keeps the targets of a group that did not opt in', async () => {
    const untagged = await untaggedBeside();
    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(report.sites.map((s) => s.targetGroupArn)).not.toContain(untagged);
    expect(await h.account.targets(untagged)).toEqual(['10.1.3.50']);
  });
});

describe('API usage (call log)', () => {
  it('registers before it deregisters when converging a drifted site', async () => {
    const { arn, first, second } = await driftedSite();
    await h.resetCalls();
    expect((await reconcileJson()).code).toBe(0);
    const calls = await h.calls();
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
    const writes = calls.filter(
      (c) => c.operation === 'RegisterTargets' || c.operation === 'DeregisterTargets',
    );
    expect(writes.map((c) => c.operation)).toEqual(['RegisterTargets', 'DeregisterTargets']);
  });

  it('--dry-run makes no write and publishes no metric', async () => {
    const { arn } = await dryRunSite();
    expect((await runCli(h, ['reconcile', '--dry-run'])).code).toBe(0);
    await h.resetCalls();
    const { report } = await reconcileJson('--dry-run');
    expect(site(report, arn).status).toBe('drift');
    expect(
      (await h.calls()).filter((c) => /^(Register|Deregister)Targets$|^PutMetricData$/.test(c.operation)),
    ).toEqual([]);
  });

  it('never reads untagged target groups for targets, nor writes them', async () => {
    const untagged = await untaggedBeside();
    await h.resetCalls();
    await reconcileJson();
    const touching = (await h.calls()).filter((c) => JSON.stringify(c.params).includes(untagged));
    expect(touching).toEqual([]);
    expect(await h.account.targets(untagged)).toEqual(['10.1.3.50']);
  });
});

describe('metrics', () => {
  it('publishes the contract names with the right values, per site only when non-zero', async () => {
    const drifted = await h.account.site('metrics-drift', vpc, { endpointId, policy: 'observe' });
    await h.account.site('metrics-ok', vpc, { endpointId });
    await h.account.site('metrics-bad', vpc, { endpointId: 'vpce-bad' });
    expect(drifted).toMatch(
      /^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/metrics-drift\/[0-9a-f]+$/,
    );
    const started = new Date(Date.now() - 60_000);
    await reconcileJson('--publish-metrics');

    const cw = new CloudWatchClient(h.settings);
    const sum = async (name: string, dimensions: { Name: string; Value: string }[] = []) => {
      const data = await cw.send(
        new GetMetricDataCommand({
          StartTime: started,
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            {
              Id: 'm',
              MetricStat: {
                Metric: { Namespace: METRIC_NAMESPACE, MetricName: name, Dimensions: dimensions },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      return (data.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    };
    expect(await sum(METRIC.RunsCompleted)).toBe(1);
    expect(await sum(METRIC.SitesReconciled)).toBe(3);
    expect(await sum(METRIC.SitesInDrift)).toBe(2);
    expect(await sum(METRIC.DriftTargets)).toBe(4);
    expect(await sum(METRIC.UnresolvedDriftTargets)).toBe(2);
    expect(await sum(METRIC.TargetsRegistered)).toBe(2);
    expect(await sum(METRIC.TargetsDeregistered)).toBe(0);
    expect(await sum(METRIC.SiteErrors)).toBe(1);
    expect(await sum(METRIC.UnresolvedDriftTargets, [{ Name: SITE_DIMENSION, Value: 'metrics-drift' }])).toBe(
      2,
    );
    expect(await sum(METRIC.SiteErrors, [{ Name: SITE_DIMENSION, Value: 'metrics-bad' }])).toBe(1);

    const listed = await cw.send(new ListMetricsCommand({ Namespace: METRIC_NAMESPACE }));
    const perSite = (listed.Metrics ?? [])
      .filter((m) => m.Dimensions?.length)
      .map((m) => `${m.MetricName}/${m.Dimensions?.[0]?.Value}`);
    // metrics-ok was empty at the start (drift 2, resolved): only its drift figure is non-zero.
    expect(perSite.sort()).toEqual([
      'DriftTargets/metrics-drift',
      'DriftTargets/metrics-ok',
      'SiteErrors/metrics-bad',
      'UnresolvedDriftTargets/metrics-drift',
    ]);
  });
});

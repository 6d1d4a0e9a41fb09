import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ENDPOINT_ID_TAG, METRIC, METRIC_NAMESPACE, POLICY_TAG } from '@vpce-target-sync/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import {
  type Harness,
  type JsonReport,
  requireSimulator,
  runCli,
  site,
  startHarness,
} from '../support/harness.ts';

/**
 * What real AWS does that a naive simulator hides, through the CLI as an operator runs it.
 * The cases that need the simulator's controls (endpoint states AWS or a provider drives, the
 * tagging index's lag, draining, target quotas, the clock) are `[simulator]`; what any emulator can
 * show (IP families, unknown tag keys, foreign ARNs, ports, a deleted endpoint, a policy switch, a
 * target deregistered by hand) runs everywhere.
 */
let h: Harness;
afterEach(() => h?.stop());

async function start(
  options: Parameters<typeof startHarness>[0] = {},
): Promise<{ vpc: Vpc; endpointId: string }> {
  h = await startHarness(options);
  const vpc = await h.account.vpc(1);
  return { vpc, endpointId: await h.account.endpoint(vpc, 2) };
}

/** The run-wide (no dimension) sum of a metric over the last and next hour, through GetMetricData. */
async function runWideSum(metricName: string): Promise<number> {
  const data = await new CloudWatchClient(h.settings).send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000),
      MetricDataQueries: [
        {
          Id: 'm',
          MetricStat: {
            Metric: { Namespace: METRIC_NAMESPACE, MetricName: metricName },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (data.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}

const reconcileJson = async (...args: string[]) => {
  const result = await runCli(h, ['reconcile', '--json', ...args]);
  return { ...result, report: JSON.parse(result.stdout) as JsonReport };
};

describe('a deleted endpoint is a site error, not a wait', () => {
  it('exit 1, a message saying it is deleted or does not exist, targets kept', async () => {
    const { vpc, endpointId } = await start();
    const arn = await h.account.site('deleted', vpc, { endpointId });
    expect((await reconcileJson()).code).toBe(0);
    const before = await h.account.targets(arn);
    expect(before).toHaveLength(2);

    await h.account.deleteEndpoint(endpointId);
    const { code, report, stderr } = await reconcileJson();
    expect(code).toBe(1);
    expect(site(report, arn)).toMatchObject({ status: 'error', toRegister: [], toDeregister: [] });
    expect(site(report, arn).message).toContain(
      `endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) is deleted or does not exist`,
    );
    expect(await h.account.targets(arn)).toEqual(before);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('counts its site in SiteErrors, so the errors alarm fires', async () => {
    const { vpc, endpointId } = await start();
    await h.account.site('deleted-metric', vpc, { endpointId });
    await h.account.deleteEndpoint(endpointId);
    await reconcileJson('--publish-metrics');
    expect(await runWideSum(METRIC.SiteErrors)).toBe(1);
  });
});

describe('final endpoint states are site errors, not waits [simulator]', () => {
  it.each(['rejected', 'failed', 'expired'] as const)(
    'an endpoint %s by its provider: exit 1, a message naming the state and what to do, targets kept',
    async (state) => {
      const { vpc, endpointId } = await start();
      const arn = await h.account.site('final', vpc, { endpointId });
      const other = await h.account.site('healthy', vpc, { endpointId: await h.account.endpoint(vpc, 1) });
      expect((await reconcileJson()).code).toBe(0);
      const before = await h.account.targets(arn);
      requireSimulator(h).setEndpointState(endpointId, state);

      const { code, report, stderr } = await reconcileJson();
      expect(code).toBe(1);
      expect(site(report, arn)).toMatchObject({ status: 'error', toRegister: [], toDeregister: [] });
      expect(site(report, arn).message).toContain(
        `endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) is ${state}:`,
      );
      expect(site(report, arn).message).toMatch(/re-tag target group final .* or remove the .* tag/);
      expect(site(report, other).status).toBe('in-sync');
      expect(await h.account.targets(arn)).toEqual(before);
      expect(stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('a deleted endpoint reads the same while EC2 lists it as deleted and once it answers not found', async () => {
    const { vpc, endpointId } = await start({ endpointPendingMs: 10_000, deletedEndpointVisibleMs: 60_000 });
    const sim = requireSimulator(h);
    sim.clock.advance(10_000);
    const arn = await h.account.site('gone', vpc, { endpointId });
    await reconcileJson();
    const before = await h.account.targets(arn);
    expect(before).toHaveLength(2);

    await h.account.deleteEndpoint(endpointId);
    const deleting = await reconcileJson();
    expect(site(deleting.report, arn)).toMatchObject({ status: 'error' });
    expect(site(deleting.report, arn).message).toContain('is deleting:');

    sim.clock.advance(10_000);
    const listedDeleted = await reconcileJson();
    sim.clock.advance(60_000);
    const notFound = await reconcileJson();
    for (const run of [listedDeleted, notFound]) {
      expect(run.code).toBe(1);
      expect(site(run.report, arn).status).toBe('error');
      expect(site(run.report, arn).message).toContain(
        `endpoint ${endpointId} (tag ${ENDPOINT_ID_TAG}) is deleted or does not exist`,
      );
    }
    expect(site(listedDeleted.report, arn).message).toBe(site(notFound.report, arn).message);
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('pendingAcceptance stays waiting (exit 0, nothing changed)', async () => {
    const { vpc, endpointId } = await start();
    const arn = await h.account.site('accepting', vpc, { endpointId });
    requireSimulator(h).setEndpointState(endpointId, 'pendingAcceptance');
    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({ status: 'waiting', toRegister: [] });
    expect(await h.account.targets(arn)).toEqual([]);
  });
});

describe('an IP family the endpoint does not serve is a site error', () => {
  it('an IPv6 target group on an IPv4-only endpoint: exit 1, both families named, targets kept', async () => {
    const { vpc, endpointId } = await start();
    const arn = await h.account.site('v6', vpc, { endpointId, ipAddressType: 'ipv6' });
    const empty = await h.account.site('v6-empty', vpc, { endpointId, ipAddressType: 'ipv6' });
    const before = [await h.account.vpcIpv6Address(vpc, 0x10)];
    await h.account.register(arn, before);

    const { code, report } = await reconcileJson();
    expect(code).toBe(1);
    for (const a of [arn, empty]) {
      expect(site(report, a)).toMatchObject({ status: 'error', toDeregister: [] });
      expect(site(report, a).message).toMatch(
        /is ipv6 but endpoint vpce-\S+ serves ipv4 only \(IpAddressType ipv4\)/,
      );
    }
    expect(await h.account.targets(arn)).toEqual(before);
  });

  it('a dual-stack endpoint serves both: an IPv4 and an IPv6 group each take their family', async () => {
    h = await startHarness();
    const vpc = await h.account.dualStackVpc(7);
    const endpointId = await h.account.endpoint(vpc, 2, 'Interface', 'dualstack');
    const v4 = await h.account.site('ds-v4', vpc, { endpointId });
    const v6 = await h.account.site('ds-v6', vpc, { endpointId, ipAddressType: 'ipv6' });

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, v4).status).toBe('converged');
    expect(site(report, v6).status).toBe('converged');
    expect(await h.account.targets(v4)).toEqual(await h.account.endpointIps(endpointId));
    expect(await h.account.targets(v6)).toEqual(await h.account.endpointIps(endpointId, 'ipv6'));
    expect(await h.account.targets(v6)).toHaveLength(2);
  });
});

describe('unknown keys under the vpce-target-sync: prefix are site errors', () => {
  it.each([
    ['vpce-target-sync:Policy', POLICY_TAG],
    ['vpce-target-sync:polcy', POLICY_TAG],
  ])('%s=observe: exit 1, the key and %s named, the group not written', async (key, closest) => {
    const { vpc, endpointId } = await start();
    const arn = await h.account.site('typo', vpc, { endpointId });
    await h.account.tag(arn, { [key]: 'observe' });
    await h.account.register(arn, ['10.1.3.99']);

    const { code, report } = await reconcileJson();
    expect(code).toBe(1);
    expect(site(report, arn).status).toBe('error');
    expect(site(report, arn).message).toContain(
      `tag ${key} is not a vpce-target-sync: tag key; did you mean ${closest}?`,
    );
    expect(await h.account.targets(arn)).toEqual(['10.1.3.99']);
  });
});

describe('a policy switch and an opt-out take effect on the next run', () => {
  it('a group switched to observe is not written, and a group whose opt-in tag was removed is left alone', async () => {
    const { vpc, endpointId } = await start();
    const [first] = await h.account.endpointIps(endpointId);
    const switched = await h.account.site('switched', vpc, { endpointId });
    const optedOut = await h.account.site('opted-out', vpc, { endpointId });
    for (const arn of [switched, optedOut]) await h.account.register(arn, [first as string, '10.1.3.99']);
    await h.account.tag(switched, { [POLICY_TAG]: 'observe' });
    await h.account.untag(optedOut, [ENDPOINT_ID_TAG]);

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, switched)).toMatchObject({ status: 'drift', policy: 'observe', toDeregister: [] });
    expect(report.sites.map((s) => s.targetGroupArn)).not.toContain(optedOut);
    expect(await h.account.targets(switched)).toEqual([first, '10.1.3.99'].sort());
    expect(await h.account.targets(optedOut)).toEqual([first, '10.1.3.99'].sort());
  });
});

describe('only fresh tags decide: the tagging index lags [simulator]', () => {
  it('a group just switched to observe is not written, and a group whose opt-in tag was removed is left alone', async () => {
    const { vpc, endpointId } = await start();
    const [first] = await h.account.endpointIps(endpointId);
    const switched = await h.account.site('switched', vpc, { endpointId });
    const optedOut = await h.account.site('opted-out', vpc, { endpointId });
    for (const arn of [switched, optedOut]) await h.account.register(arn, [first as string, '10.1.3.99']);
    const sim = requireSimulator(h);
    sim.clock.advance(600_000); // the index has caught up with the groups' creation
    sim.setTaggingLag(120_000);
    await h.account.tag(switched, { [POLICY_TAG]: 'observe' });
    await h.account.untag(optedOut, [ENDPOINT_ID_TAG]);
    sim.resetCalls();

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, switched)).toMatchObject({ status: 'drift', policy: 'observe', toDeregister: [] });
    expect(report.sites.map((s) => s.targetGroupArn)).not.toContain(optedOut);
    expect(await h.account.targets(switched)).toEqual([first, '10.1.3.99'].sort());
    expect(await h.account.targets(optedOut)).toEqual([first, '10.1.3.99'].sort());
    expect(sim.calls.filter((c) => /^(Register|Deregister)Targets$/.test(c.operation))).toEqual([]);
    expect(sim.callCount('DescribeTags')).toBe(1);
  });
});

describe('a desired IP deregistered by hand', () => {
  it('is registered again once it is gone, with the rest of the plan applied', async () => {
    // No deregistration delay on the simulator: the target is gone at once, as on moto.
    const { vpc, endpointId } = await start({ deregistrationDelayMs: 0 });
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    const arn = await h.account.site('undrained', vpc, { endpointId });
    await h.account.register(arn, [first, second, '10.1.3.99']);
    await h.account.deregister(arn, [first]);
    expect(await h.account.targets(arn)).toEqual([second, '10.1.3.99'].sort());

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({
      status: 'converged',
      toRegister: [{ id: first, port: 443 }],
      toDeregister: [{ id: '10.1.3.99', port: 443 }],
    });
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
  });
});

describe('draining desired IPs [simulator]', () => {
  it('is not reported converged: waiting, with the rest of the plan applied; registered once the drain ends', async () => {
    const { vpc, endpointId } = await start({ deregistrationDelayMs: 300_000 });
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    const arn = await h.account.site('drain', vpc, { endpointId });
    await h.account.register(arn, [first, second, '10.1.3.99']);
    await h.account.deregister(arn, [first]);

    const table = await runCli(h, ['reconcile']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^drain\s+vpce-\S+\s+sync\s+waiting/m);
    expect(table.stdout).toContain(`${first}:443 draining`);

    const afterRun = await reconcileJson('--dry-run');
    expect(site(afterRun.report, arn)).toMatchObject({ status: 'waiting', toRegister: [], toDeregister: [] });
    expect(await h.account.targets(arn)).toEqual([second]);

    requireSimulator(h).clock.advance(301_000);
    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({ status: 'converged', toRegister: [{ id: first, port: 443 }] });
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
  });

  it('keeps the stale target while the only desired IP drains, so the group is never empty', async () => {
    h = await startHarness({ deregistrationDelayMs: 300_000 });
    const vpc = await h.account.vpc(1);
    const endpointId = await h.account.endpoint(vpc, 1);
    const [only] = (await h.account.endpointIps(endpointId)) as [string];
    const arn = await h.account.site('lonely', vpc, { endpointId });
    await h.account.register(arn, [only, '10.1.3.99']);
    await h.account.deregister(arn, [only]);

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn)).toMatchObject({ status: 'waiting', toRegister: [], toDeregister: [] });
    expect(site(report, arn).message).toContain('kept until then, so the group is never empty');
    expect(await h.account.targets(arn)).toEqual(['10.1.3.99']);
  });
});

describe('per-site errors stay per site', () => {
  it('a --target-group ARN of another region or account is an error naming it; the groups beside it converge', async () => {
    const { vpc, endpointId } = await start();
    const good = await h.account.site('good', vpc, { endpointId });
    const otherRegion = good.replace(':us-east-1:', ':eu-west-1:');
    const otherAccount = good.replace(':123456789012:', ':210987654321:');

    const { code, report } = await reconcileJson(
      '--target-group',
      otherRegion,
      '--target-group',
      good,
      '--target-group',
      otherAccount,
    );
    expect(code).toBe(1);
    expect(site(report, good).status).toBe('converged');
    expect(site(report, otherRegion).message).toContain(
      `target group ${otherRegion} is in region eu-west-1, but this run is in region us-east-1`,
    );
    expect(site(report, otherAccount).message).toContain(
      `target group ${otherAccount} belongs to account 210987654321, but this run is in account 123456789012`,
    );
  });
});

describe('the targets quota [simulator]', () => {
  it('deregisters stale targets first when a healthy desired target stays, and converges', async () => {
    const { vpc, endpointId } = await start({ targetsPerTargetGroup: 3, deregistrationDelayMs: 0 });
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    const arn = await h.account.site('full', vpc, { endpointId });
    await h.account.attach(vpc, arn, 443);
    await h.account.register(arn, [first, '10.1.3.98', '10.1.3.99']);

    const { code, report } = await reconcileJson();
    expect(code).toBe(0);
    expect(site(report, arn).status).toBe('converged');
    expect(await h.account.targets(arn)).toEqual([first, second].sort());
  });

  it('is a site error naming the quota, the stale targets and what to do when no healthy desired target stays', async () => {
    const { vpc, endpointId } = await start({ targetsPerTargetGroup: 2 });
    const arn = await h.account.site('stuck', vpc, { endpointId });
    await h.account.attach(vpc, arn, 443);
    await h.account.register(arn, ['10.1.3.98', '10.1.3.99']);

    const { code, report } = await reconcileJson();
    expect(code).toBe(1);
    expect(site(report, arn).status).toBe('error');
    expect(site(report, arn).message).toMatch(/at its targets quota \(TooManyTargets/);
    expect(site(report, arn).message).toContain('the 2 stale one(s)');
    expect(site(report, arn).message).toContain('10.1.3.98:443, 10.1.3.99:443');
    expect(site(report, arn).message).toContain('Service Quotas');
    expect(await h.account.targets(arn)).toEqual(['10.1.3.98', '10.1.3.99']);
  });
});

describe('targets print as ip:port, each with its own sign', () => {
  it('the same IP on another port reads as a change, not a no-op', async () => {
    const { vpc, endpointId } = await start();
    const [first, second] = (await h.account.endpointIps(endpointId)) as [string, string];
    const arn = await h.account.site('ports', vpc, { endpointId });
    await h.account.register(arn, [second]);
    await h.account.register(arn, [first], 8443);

    const table = await runCli(h, ['reconcile', '--dry-run']);
    expect(table.stdout).toContain(`+${first}:443`);
    expect(table.stdout).toContain(`-${first}:8443`);
    expect(table.stdout).toContain(`dry run: register +${first}:443; deregister -${first}:8443`);

    const run = await runCli(h, ['reconcile', '--json'], { env: { LOG_LEVEL: 'info' } });
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(site(report, arn).message).toBe(`register +${first}:443; deregister -${first}:8443`);
    const changed = run.stderr
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; registered?: string[]; deregistered?: string[] })
      .find((line) => line.msg === 'site changed');
    expect(changed).toMatchObject({ registered: [`${first}:443`], deregistered: [`${first}:8443`] });
  });
});

describe('metrics of a final-state site [simulator]', () => {
  it('counts it in SiteErrors, so the errors alarm fires', async () => {
    const { vpc, endpointId } = await start();
    await h.account.site('final-metric', vpc, { endpointId });
    requireSimulator(h).setEndpointState(endpointId, 'rejected');
    await reconcileJson('--publish-metrics');
    const errors = requireSimulator(h).metricData({
      namespace: METRIC_NAMESPACE,
      metricName: METRIC.SiteErrors,
    });
    expect(errors.some((d) => d.dimensions.length === 0 && d.sum === 1)).toBe(true);
  });
});

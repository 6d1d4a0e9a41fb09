import { coldState, reconcile } from '@vpce-target-sync/functions';
import { describe, expect, it } from 'vitest';
import { FakeAccount } from './fakes.ts';

const run = (account: FakeAccount, dryRun = false) =>
  reconcile(account.deps(), { dryRun, publishMetrics: true, perSiteMetrics: true });

describe('the reconcile loop (in-memory fakes)', () => {
  it('reads targets before endpoints, and registers before it deregisters', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5', '10.0.2.5']);
    const arn = account.addGroup('web', 'vpce-0000000a', ['10.0.1.5', '10.0.9.9']);
    const report = await run(account);
    expect(report.sites[0]?.status).toBe('converged');
    expect(account.ips(arn)).toEqual(['10.0.1.5', '10.0.2.5']);
    expect(account.calls).toEqual([
      'GetResources',
      'DescribeTargetGroups',
      'DescribeTags',
      'DescribeTargetHealth:web',
      'DescribeVpcEndpoints',
      'DescribeNetworkInterfaces',
      'RegisterTargets:web',
      'DeregisterTargets:web',
      'PutMetricData',
    ]);
  });

  it('deregisters nothing when a registration fails (make before break)', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    const arn = account.addGroup('web', 'vpce-0000000a', ['10.0.9.9']);
    account.failing.set('RegisterTargets', Object.assign(new Error('slow down'), { name: 'Throttling' }));
    const report = await run(account);
    expect(report.sites[0]).toMatchObject({ status: 'error', errorCode: 'Throttling', retryable: true });
    expect(report.sites[0]?.message).toBe('RegisterTargets failed: Throttling: slow down');
    expect(account.calls).not.toContain('DeregisterTargets:web');
    expect(account.ips(arn)).toEqual(['10.0.9.9']);
  });

  it('keeps going when one site fails: the others still converge', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    const broken = account.addGroup('broken', 'vpce-0000000a');
    const fine = account.addGroup('fine', 'vpce-0000000a');
    const badTag = account.addGroup('bad-tag', 'vpce-XYZ');
    account.failing.set(
      'DescribeTargetHealth:broken',
      Object.assign(new Error('boom'), { name: 'InternalFailure' }),
    );
    const report = await run(account);
    const byArn = new Map(report.sites.map((s) => [s.targetGroupArn, s]));
    expect(byArn.get(broken)?.status).toBe('error');
    expect(byArn.get(badTag)?.message).toMatch(/tag vpce-target-sync:endpoint-id is "vpce-XYZ"/);
    expect(byArn.get(fine)?.status).toBe('converged');
    expect(account.ips(fine)).toEqual(['10.0.1.5']);
    expect(report.summary.siteErrors).toBe(2);
  });

  it('does not fail the run when publishing metrics fails', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    account.addGroup('web', 'vpce-0000000a', ['10.0.1.5']);
    account.failing.set('PutMetricData', new Error('metrics are down'));
    const report = await run(account);
    expect(report.sites[0]?.status).toBe('in-sync');
    expect(account.calls).toContain('PutMetricData');
  });

  it('changes nothing and publishes nothing on a dry run', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    const arn = account.addGroup('web', 'vpce-0000000a', ['10.0.9.9']);
    const report = await reconcile(account.deps(), {
      dryRun: true,
      publishMetrics: false,
      perSiteMetrics: true,
    });
    expect(report.sites[0]).toMatchObject({ status: 'drift', driftTargets: 2, unresolvedDriftTargets: 2 });
    expect(account.ips(arn)).toEqual(['10.0.9.9']);
    expect(account.calls.filter((c) => /Register|PutMetric/.test(c))).toEqual([]);
  });

  it('never reads untagged target groups for targets', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    account.addGroup('tagged', 'vpce-0000000a');
    account.addGroup('untagged', null, ['10.0.7.7']);
    await run(account);
    expect(account.calls.filter((c) => c.endsWith(':untagged'))).toEqual([]);
  });
});

describe('scope', () => {
  it('treats empty selections as "every site"', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    const arn = account.addGroup('web', 'vpce-0000000a');
    const report = await reconcile(account.deps(), {
      dryRun: true,
      publishMetrics: false,
      perSiteMetrics: true,
      scope: { targetGroups: [], endpointIds: [] },
    });
    expect(report.sites.map((s) => s.targetGroupArn)).toEqual([arn]);
  });
});

describe('shared reads', () => {
  it('reports every site in error, and still publishes metrics, when the endpoint reads fail', async () => {
    const account = new FakeAccount();
    account.addEndpoint('vpce-0000000a', ['10.0.1.5']);
    account.addGroup('a', 'vpce-0000000a', ['10.0.1.5']);
    account.addGroup('b', 'vpce-0000000a', ['10.0.1.5']);
    account.failing.set(
      'DescribeVpcEndpoints',
      Object.assign(new Error('down'), { name: 'RequestLimitExceeded' }),
    );
    const report = await run(account);
    expect(report.sites.map((s) => [s.status, s.errorCode, s.retryable])).toEqual([
      ['error', 'RequestLimitExceeded', true],
      ['error', 'RequestLimitExceeded', true],
    ]);
    expect(report.sites[0]?.message).toBe('DescribeVpcEndpoints failed: RequestLimitExceeded: down');
    expect(account.published[0]?.find((d) => d.name === 'SiteErrors' && !d.dimensions)?.value).toBe(2);
  });
});

describe('sharded discovery (the scheduled pass over a large fleet)', () => {
  it("describes only the tick's share by ARN and each group once, the ticks together cover every site once, and the fleet is listed once a pass", async () => {
    const account = new FakeAccount();
    const arns: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const endpointId = `vpce-${i.toString(16).padStart(8, '0')}`;
      const ip = `10.${i >> 8}.${i & 255}.5`;
      account.addEndpoint(endpointId, [ip]);
      arns.push(account.addGroup(`site-${i}`, endpointId, [ip]));
    }
    const seen = new Map<string, number>();
    const warm = coldState();
    let listings = 0;
    for (let tick = 0; tick < 80; tick++) {
      const deps = account.deps();
      const found: string[][] = [];
      let listedAll = false;
      const targetGroups = {
        ...deps.targetGroups,
        find: (ids: readonly string[]) => (found.push([...ids]), deps.targetGroups.find(ids)),
        listAll: () => ((listedAll = true), deps.targetGroups.listAll()),
        listOptedIn: (ids?: readonly string[]) => (listings++, deps.targetGroups.listOptedIn(ids)),
      };
      const report = await reconcile(
        { ...deps, targetGroups },
        {
          dryRun: true,
          publishMetrics: false,
          perSiteMetrics: false,
          sharding: { sitesPerRun: 100, tick, warm },
        },
      );
      expect(report.summary.shard).toEqual({ start: (tick % 40) * 100, size: 100, sites: 4000 });
      expect(listedAll).toBe(false);
      // The first pass describes each group of the share by ARN; the second knows them all.
      expect(found.flat().sort()).toEqual(tick < 40 ? report.sites.map((s) => s.targetGroupArn).sort() : []);
      if (tick < 40)
        for (const site of report.sites)
          seen.set(site.targetGroupArn, (seen.get(site.targetGroupArn) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...arns].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Two passes of 40 ticks: the first tick of each lists the fleet, the others carry the list.
    expect(listings).toBe(2);
  });

  it('lists the fleet again on every tick when nothing is carried (a cold function)', async () => {
    const account = new FakeAccount();
    for (let i = 0; i < 300; i++) {
      const endpointId = `vpce-${i.toString(16).padStart(8, '0')}`;
      account.addEndpoint(endpointId, ['10.0.0.5']);
      account.addGroup(`site-${i}`, endpointId, ['10.0.0.5']);
    }
    let listings = 0;
    for (let tick = 1; tick < 3; tick++) {
      const deps = account.deps();
      const targetGroups = {
        ...deps.targetGroups,
        listOptedIn: (ids?: readonly string[]) => (listings++, deps.targetGroups.listOptedIn(ids)),
      };
      await reconcile(
        { ...deps, targetGroups },
        { dryRun: true, publishMetrics: false, perSiteMetrics: false, sharding: { sitesPerRun: 100, tick } },
      );
    }
    expect(listings).toBe(2);
  });
});

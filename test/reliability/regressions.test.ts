import { METRIC, SITE_DIMENSION } from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';
import { createClients, REQUEST_TIMEOUT_MS } from '../../functions/src/aws/clients.ts';
import { reconcile } from '../../functions/src/reconcile/reconcile.ts';
import { FakeAccount } from '../../functions/test/fakes.ts';

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

  it('every AWS client gives up on a stalled response (the SDK sets no timeout of its own)', async () => {
    const clients = createClients({ region: 'us-east-1' });
    for (const [name, client] of Object.entries(clients)) {
      const handler = (
        client.config as { requestHandler: { configProvider: Promise<Record<string, unknown>> } }
      ).requestHandler;
      const config = await handler.configProvider;
      expect(config, name).toMatchObject({ requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true });
    }
    expect(REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
  });
});

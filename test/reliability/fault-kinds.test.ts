import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ENDPOINT_ID_TAG, POLICY_TAG } from '@vpce-target-sync/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultRule, type Simulator, startSimulator } from '../sim/index.ts';
import { Account } from '../support/account.ts';
import { RECONCILER_KEY, RECONCILER_ROLE, reconcilerDeps } from './support/clients.ts';
import { noTampering, type PlannedFault, REQUEST_TIMEOUT_MS, type Tampering } from './support/fault-plan.ts';
import {
  currentEniIps,
  type Fleet,
  type FleetSite,
  noteEnis,
  PENDING_MS,
  SETTLE_MS,
} from './support/fleet.ts';
import { LogCapture } from './support/logs.ts';
import { snapshot } from './support/observe.ts';
import { checkRun, type RunOutcome, runOnce } from './support/scenario.ts';

/**
 * Each fault kind (docs/reliability.md), once, on a small fleet, with the outcome spelled out: which site
 * fails, with which code, whether it is retryable, and what the others do. The randomized suite
 * mixes the same kinds; these say what each one does on its own.
 */

let sim: Simulator;
afterEach(() => sim?.stop());

interface Small {
  readonly fleet: Fleet;
  /** drifted: one ENI IP and one stale IP; steady: in sync; fresh: empty. */
  readonly drifted: FleetSite;
  readonly steady: FleetSite;
  readonly fresh: FleetSite;
  readonly tampering: Tampering;
}

async function small(): Promise<Small> {
  sim = await startSimulator({
    endpointPendingMs: PENDING_MS,
    principals: { [RECONCILER_KEY]: RECONCILER_ROLE },
  });
  const account = new Account(sim.clientConfig());
  const vpc = await account.vpc(1);
  const endpointId = await account.endpoint(vpc, 2);
  sim.clock.advance(PENDING_MS);
  const ips = await account.endpointIps(endpointId);
  const sites: FleetSite[] = [];
  for (const [i, name] of ['drifted', 'steady', 'fresh'].entries()) {
    const arn = await account.site(name, vpc, { endpointId });
    if (name === 'drifted') await account.register(arn, [ips[0] as string, '10.1.3.99']);
    if (name === 'steady') await account.register(arn, ips);
    await account.attach(vpc, arn, 8000 + i);
    sites.push({ name, arn, state: 'in-sync', policy: 'sync', endpointId });
  }
  const fleet: Fleet = {
    sim,
    account,
    vpc,
    endpoints: { two: endpointId, three: endpointId, pending: endpointId },
    sites,
    everEniIps: new Map(),
  };
  noteEnis(fleet);
  const [drifted, steady, fresh] = sites as [FleetSite, FleetSite, FleetSite];
  return { fleet, drifted, steady, fresh, tampering: noTampering() };
}

/** One scheduled run under `rules`, checked against every invariant of the randomized suite. */
async function runWith(
  s: Small,
  rules: FaultRule[],
  options: { timeout?: boolean } = {},
): Promise<RunOutcome> {
  const logs = new LogCapture();
  const deps = reconcilerDeps(
    sim,
    logs.logger(),
    options.timeout ? { requestTimeoutMs: REQUEST_TIMEOUT_MS } : {},
  );
  for (const rule of rules) sim.faults.add(rule);
  const initial = snapshot(sim);
  const run = await runOnce(s.fleet, deps, logs, 'schedule', 'run');
  sim.faults.clear();
  const planned: PlannedFault[] = [{ kind: 'throttle', describe: 'see the test', rules }];
  checkRun({ fleet: s.fleet, tampering: s.tampering, initial }, run, planned);
  return run;
}

const site = (run: RunOutcome, s: FleetSite) => run.report?.sites.find((r) => r.targetGroupArn === s.arn);
const forArn = (s: FleetSite) => (p: Record<string, unknown>) => p.TargetGroupArn === s.arn;
const twice = 2; // the test clients make 2 attempts: one fault is retried away, two are not
const targets = (s: FleetSite) => snapshot(sim).get(s.arn)?.active ?? [];

describe('each fault kind on its own', () => {
  it('ELBv2 throttling (Throttling, HTTP 400): retried once; when retries run out, a retryable site error', async () => {
    const s = await small();
    const once = await runWith(s, [
      { operation: 'RegisterTargets', match: forArn(s.drifted), fault: { kind: 'throttle' } },
    ]);
    expect(site(once, s.drifted)?.status).toBe('converged');
    expect(once.calls.filter((c) => c.operation === 'RegisterTargets' && c.throttled)).toHaveLength(1);

    await s.fleet.account.register(s.drifted.arn, ['10.1.3.98']);
    const out = await runWith(s, [
      { operation: 'DeregisterTargets', match: forArn(s.drifted), times: twice, fault: { kind: 'throttle' } },
    ]);
    expect(site(out, s.drifted)).toMatchObject({
      status: 'error',
      errorCode: 'Throttling',
      retryable: true,
      message: 'DeregisterTargets failed: Throttling: Rate exceeded',
    });
    expect(out.calls.find((c) => c.throttled)).toMatchObject({ status: 400, errorCode: 'Throttling' });
  });

  it('EC2 throttling (RequestLimitExceeded, HTTP 503) on the shared endpoint read: every site errs, nothing is written, metrics still go out', async () => {
    const s = await small();
    const run = await runWith(s, [
      { operation: 'DescribeVpcEndpoints', times: twice, fault: { kind: 'throttle' } },
    ]);
    for (const x of [s.drifted, s.steady, s.fresh])
      expect(site(run, x)).toMatchObject({
        status: 'error',
        errorCode: 'RequestLimitExceeded',
        retryable: true,
      });
    expect(run.calls.filter((c) => /^(Register|Deregister)Targets$/.test(c.operation))).toEqual([]);
    expect(run.calls.find((c) => c.operation === 'DescribeVpcEndpoints')).toMatchObject({ status: 503 });
    expect(run.metrics.find((d) => d.metricName === 'SiteErrors' && d.dimensions.length === 0)?.sum).toBe(3);
  });

  it.each([
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ])(
    'HTTP %s (%i) on one site: that site is a retryable error, the others converge',
    async (code, status) => {
      const s = await small();
      const run = await runWith(s, [
        {
          operation: 'DescribeTargetHealth',
          match: forArn(s.fresh),
          times: twice,
          fault: { kind: 'error', code, status },
        },
      ]);
      expect(site(run, s.fresh)).toMatchObject({ status: 'error', errorCode: code, retryable: true });
      expect(site(run, s.drifted)?.status).toBe('converged');
      expect(targets(s.fresh)).toEqual([]);
    },
  );

  it('connection reset: a retryable ECONNRESET site error, and nothing half-done', async () => {
    const s = await small();
    const run = await runWith(s, [
      { operation: 'RegisterTargets', match: forArn(s.drifted), times: twice, fault: { kind: 'reset' } },
    ]);
    expect(site(run, s.drifted)).toMatchObject({ status: 'error', errorCode: 'ECONNRESET', retryable: true });
    expect(run.calls.filter((c) => c.operation === 'DeregisterTargets')).toEqual([]);
    expect(targets(s.drifted)).toEqual(['10.1.1.4', '10.1.3.99']);
  });

  it('a response slower than the SDK timeout: a retryable ETIMEDOUT site error', async () => {
    const s = await small();
    const run = await runWith(
      s,
      [
        {
          operation: 'DescribeTargetHealth',
          match: forArn(s.steady),
          times: twice,
          fault: { kind: 'delay', ms: REQUEST_TIMEOUT_MS + 150 },
        },
      ],
      { timeout: true },
    );
    expect(site(run, s.steady)).toMatchObject({ status: 'error', errorCode: 'ETIMEDOUT', retryable: true });
    expect(site(run, s.steady)?.message).toMatch(/^DescribeTargetHealth failed: ETIMEDOUT: .*requestTimeout/);
  });

  it('a target group deleted between discovery and apply: TargetGroupNotFound for it, not retryable; the others go on', async () => {
    const s = await small();
    const run = await runWith(s, [
      {
        operation: 'RegisterTargets',
        match: forArn(s.drifted),
        fault: {
          kind: 'before',
          run: (x) => {
            const { elbv2 } = x.state();
            for (const [k, l] of elbv2.listeners)
              if (l.defaultActions.some((a) => a.targetGroupArns.includes(s.drifted.arn)))
                elbv2.listeners.delete(k);
            elbv2.targetGroups.delete(s.drifted.arn);
            s.tampering.deletedTargetGroups.add(s.drifted.arn);
          },
        },
      },
    ]);
    expect(site(run, s.drifted)).toMatchObject({
      status: 'error',
      errorCode: 'TargetGroupNotFound',
      retryable: false,
    });
    expect(site(run, s.fresh)?.status).toBe('converged');
  });

  it('an endpoint deleted between discovery and apply: its sites report it deleting, then deleted, and keep their targets', async () => {
    const s = await small();
    const before = targets(s.steady);
    const run = await runWith(s, [
      {
        operation: 'DescribeVpcEndpoints',
        fault: {
          kind: 'before',
          run: async () => {
            s.tampering.deletedEndpoints.add(s.drifted.endpointId);
            await s.fleet.account.deleteEndpoint(s.drifted.endpointId);
          },
        },
      },
    ]);
    for (const x of [s.drifted, s.steady, s.fresh]) {
      expect(site(run, x)?.status).toBe('error');
      expect(site(run, x)?.message).toContain('is deleting:');
    }
    expect(run.calls.filter((c) => /^(Register|Deregister)Targets$/.test(c.operation))).toEqual([]);
    sim.clock.advance(SETTLE_MS);
    const later = await runWith(s, []);
    expect(site(later, s.steady)?.message).toMatch(
      /endpoint vpce-\w+ \(tag vpce-target-sync:endpoint-id\) is deleted or does not exist/,
    );
    expect(targets(s.steady)).toEqual(before);
  });

  it('RegisterTargets succeeds while DeregisterTargets fails: the new target stays, the stale one too, and the error says which step', async () => {
    const s = await small();
    const run = await runWith(s, [
      {
        operation: 'DeregisterTargets',
        match: forArn(s.drifted),
        times: Number.POSITIVE_INFINITY,
        fault: { kind: 'error', code: 'AccessDenied', status: 403 },
      },
    ]);
    expect(site(run, s.drifted)).toMatchObject({
      status: 'error',
      errorCode: 'AccessDenied',
      retryable: false,
      registeredCount: 1,
      driftTargets: 2,
      unresolvedDriftTargets: 1,
    });
    expect(site(run, s.drifted)?.message).toMatch(/^DeregisterTargets failed: AccessDenied/);
    expect(targets(s.drifted)).toEqual([...currentEniIps(sim, s.drifted.endpointId), '10.1.3.99'].sort());
  });

  it('PutMetricData failing: the run still completes and reports every site, and the failure is logged with its code', async () => {
    const s = await small();
    const run = await runWith(s, [
      {
        operation: 'PutMetricData',
        times: Number.POSITIVE_INFINITY,
        fault: { kind: 'error', code: 'InternalServiceError', status: 500 },
      },
    ]);
    expect(run.thrown).toBeUndefined();
    expect(run.report?.sites.map((x) => x.status)).toEqual(['converged', 'converged', 'in-sync']);
    expect(run.logs.find((l) => /publishing metrics failed/.test(l.msg))).toMatchObject({
      errorCode: 'InternalServiceError',
    });
    expect(run.metrics).toEqual([]);
  });
});

describe('a page missing mid-pagination', () => {
  /** GetResources pages 100 resources; 105 opted-in observe sites make a second page. */
  async function manySites(): Promise<Small> {
    const s = await small();
    const { elbv2 } = s.fleet.account;
    for (let i = 0; i < 105; i++) {
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: `page-${i}`,
          Protocol: 'HTTPS',
          Port: 443,
          VpcId: s.fleet.vpc.vpcId,
          TargetType: 'ip',
          Tags: [
            { Key: ENDPOINT_ID_TAG, Value: s.drifted.endpointId },
            { Key: POLICY_TAG, Value: 'observe' },
          ],
        }),
      );
    }
    return s;
  }

  it('once: the SDK retries the page and every site is seen', async () => {
    const s = await manySites();
    const run = await runWith(s, [{ operation: 'GetResources', fault: { kind: 'drop-page' } }]);
    expect(run.calls.filter((c) => c.operation === 'GetResources').map((c) => c.status)).toEqual([
      200, 500, 200,
    ]);
    expect(run.report?.sites).toHaveLength(108);
  });

  it('for good: the run stops before any site is read or written, naming the AWS error (never acts on half a list)', async () => {
    const s = await manySites();
    const run = await runWith(s, [{ operation: 'GetResources', times: twice, fault: { kind: 'drop-page' } }]);
    expect(run.report).toBeNull();
    expect(run.thrown).toMatchObject({ name: 'InternalServiceException' });
    expect(run.calls.map((c) => c.operation)).toEqual(['GetResources', 'GetResources', 'GetResources']);
  });
});

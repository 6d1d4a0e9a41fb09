import { reconcile } from '@vpce-target-sync/functions';
import { POLICIES, POLICY_TAG } from '@vpce-target-sync/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The in-memory fakes are the functions package's test helpers; no package exports test code.
import { FakeAccount } from '../../functions/test/fakes.ts';

const SEED = Number(process.env.FC_SEED ?? process.env.VTS_SEED ?? 20261126);
const params = { seed: SEED, numRuns: 300 };

const ip = fc.integer({ min: 1, max: 10 }).map((n) => `10.0.0.${n}`);
const state = fc.constantFrom(
  'initial',
  'healthy',
  'unhealthy',
  'unused',
  'unavailable',
  'draining',
  'unhealthy.draining',
);
const site = fc.record({
  endpointIps: fc.uniqueArray(ip, { maxLength: 4 }),
  endpointState: fc.constantFrom('available', 'available', 'available', 'pending'),
  targets: fc.uniqueArray(fc.record({ id: ip, state }), { maxLength: 5, selector: (t) => t.id }),
  policy: fc.constantFrom(...POLICIES, undefined),
  registerFails: fc.boolean(),
  deregisterFails: fc.boolean(),
});
const fleet = fc.array(site, { minLength: 1, maxLength: 8 });

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });

/**
 * The loop's make-before-break at the apply level, over random fleets in the in-memory account:
 * random endpoint IPs and states, registered targets in every health state, every policy, and
 * random RegisterTargets/DeregisterTargets failures per site.
 */
describe(`apply order (fast-check over the loop with in-memory fakes, seed ${SEED}; rerun with FC_SEED=<seed>)`, () => {
  it('registers before it deregisters, deregisters nothing when a registration failed, and never empties a group', async () => {
    await fc.assert(
      fc.asyncProperty(fleet, async (sites) => {
        const account = new FakeAccount();
        const arns = sites.map((s, i) => {
          const endpointId = `vpce-${String(i).padStart(8, '0')}`;
          account.addEndpoint(endpointId, s.endpointIps, s.endpointState);
          const arn = account.addGroup(
            `site-${i}`,
            endpointId,
            [],
            s.policy ? { [POLICY_TAG]: s.policy } : {},
          );
          const group = account.groups.get(arn);
          if (group) group.targets = s.targets.map((t) => ({ id: t.id, port: 443, state: t.state }));
          if (s.registerFails) account.failing.set(`RegisterTargets:site-${i}`, throttled());
          if (s.deregisterFails) account.failing.set(`DeregisterTargets:site-${i}`, throttled());
          return arn;
        });
        // Like the SDK adapter, which makes no call for an empty list (the fake would record one).
        const deps = account.deps();
        const groups = deps.targetGroups;
        const report = await reconcile(
          {
            ...deps,
            targetGroups: {
              ...groups,
              register: async (a, t) => void (t.length && (await groups.register(a, t))),
              deregister: async (a, t) => void (t.length && (await groups.deregister(a, t))),
            },
          },
          { dryRun: false, publishMetrics: true, perSiteMetrics: true },
        );

        for (const [i, s] of sites.entries()) {
          const name = `site-${i}`;
          const arn = arns[i] as string;
          const registerAt = account.calls.indexOf(`RegisterTargets:${name}`);
          const deregisterAt = account.calls.indexOf(`DeregisterTargets:${name}`);
          const siteReport = report.sites.find((r) => r.targetGroupArn === arn);
          const where = `${name} ${JSON.stringify(s)} -> ${siteReport?.status}: ${siteReport?.message}`;
          if (deregisterAt >= 0 && (siteReport?.toRegister.length ?? 0) > 0) {
            expect(registerAt, `${where}: deregistered before registering`).toBeGreaterThanOrEqual(0);
            expect(registerAt, where).toBeLessThan(deregisterAt);
          }
          if (s.registerFails && registerAt >= 0)
            expect(deregisterAt, `${where}: deregistered after a failed registration`).toBe(-1);
          if (s.policy === 'observe') expect(registerAt + deregisterAt, where).toBe(-2);
          if (s.policy === 'upsert-only') expect(deregisterAt, where).toBe(-1);
          const activeBefore = s.targets.filter((t) => !t.state.includes('draining'));
          const activeAfter =
            account.groups.get(arn)?.targets.filter((t) => !t.state.includes('draining')) ?? [];
          if (activeBefore.length > 0) expect(activeAfter.length, `${where}: emptied`).toBeGreaterThan(0);
          // A desired IP that is draining is never registered (AWS re-registers an IP target only
          // once its deregistration delay ends), and the site is never reported converged.
          const drainingDesired = s.targets.filter(
            (t) => t.state.includes('draining') && s.endpointIps.includes(t.id),
          );
          if (drainingDesired.length) {
            expect(
              siteReport?.toRegister.map((t) => t.id),
              where,
            ).not.toEqual(expect.arrayContaining([drainingDesired[0]?.id]));
            expect(['converged', 'in-sync'], where).not.toContain(siteReport?.status);
          }
        }
      }),
      params,
    );
  });
});

import type { ReconcileDeps } from '@vpce-target-sync/functions';
import { POLICY_TAG, type Target } from '@vpce-target-sync/shared';
import { describe, expect, it } from 'vitest';
import { faultScenario } from './support/fault-scenario.ts';

/**
 * The fault suite's checks have teeth: each broken reconciler below (the product's adapters with
 * one promise broken) must fail the suite, for the reason the check names, within a few seeds.
 */
const MUTANTS: readonly { name: string; caught: RegExp; mutate: (deps: ReconcileDeps) => ReconcileDeps }[] = [
  {
    name: 'swallows write failures',
    caught: /(RegisterTargets|DeregisterTargets) failed .* but the site is|reported (converged|in-sync)/,
    mutate: (deps) => ({
      ...deps,
      targetGroups: {
        ...deps.targetGroups,
        register: (arn, t) => deps.targetGroups.register(arn, t).catch(() => {}),
        deregister: (arn, t) => deps.targetGroups.deregister(arn, t).catch(() => {}),
      },
    }),
  },
  {
    name: 'deregisters before it registers',
    caught: /DeregisterTargets before a successful RegisterTargets/,
    mutate: (deps) => {
      const pending = new Map<string, readonly Target[]>();
      return {
        ...deps,
        targetGroups: {
          ...deps.targetGroups,
          register: async (arn, t) => void pending.set(arn, t),
          deregister: async (arn, t) => {
            await deps.targetGroups.deregister(arn, t);
            await deps.targetGroups.register(arn, pending.get(arn) ?? []);
          },
        },
      };
    },
  },
  {
    name: 'ignores the policy tag',
    caught:
      /an observe site was written|an upsert-only site (was deregistered from|lost targets)|an observe site changed/,
    mutate: (deps) => ({
      ...deps,
      targetGroups: {
        ...deps.targetGroups,
        tags: async (arns) =>
          new Map(
            [...(await deps.targetGroups.tags(arns))].map(([arn, tags]) => [
              arn,
              { ...tags, [POLICY_TAG]: 'sync' },
            ]),
          ),
      },
    }),
  },
  {
    name: 'registers an IP that is not an ENI IP',
    caught: /registered 10\.1\.3\.240, never an ENI IP/,
    mutate: (deps) => ({
      ...deps,
      endpoints: {
        ...deps.endpoints,
        networkInterfaces: async (ids) => {
          const found = await deps.endpoints.networkInterfaces(ids);
          const [first] = found.values();
          if (first) found.set(first.id, { ...first, ipv4: '10.1.3.240' });
          return found;
        },
      },
    }),
  },
  {
    name: 'deregisters every target it does not register',
    caught: /emptied|an upsert-only site|deregistered desired target|reported (converged|in-sync)/,
    mutate: (deps) => ({
      ...deps,
      targetGroups: {
        ...deps.targetGroups,
        deregister: async (arn) => {
          const all = await deps.targetGroups.health(arn);
          const active = all.filter((t) => !t.state.includes('draining'));
          if (active.length) await deps.targetGroups.deregister(arn, active);
        },
      },
    }),
  },
];

/** Seeds tried per mutant before the check is declared toothless. */
const SEEDS_PER_MUTANT = 20;

describe('the fault suite catches a broken reconciler', () => {
  it.each(MUTANTS.map((m) => [m.name, m] as const))('%s', async (_, mutant) => {
    for (let seed = 1; seed <= SEEDS_PER_MUTANT; seed++) {
      const failure = await faultScenario(seed, { mutate: mutant.mutate }).then(
        () => undefined,
        (error: Error) => error,
      );
      if (!failure) continue;
      expect(failure.message, `seed ${seed} failed for another reason`).toMatch(mutant.caught);
      return;
    }
    expect.fail(`no seed out of ${SEEDS_PER_MUTANT} caught a reconciler that ${mutant.name}`);
  });
});

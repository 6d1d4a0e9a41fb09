/**
 * Policies are small strategies, each a filter over the planned changes (as ExternalDNS does):
 * `sync` applies both directions, `upsert-only` never deregisters, `observe` never writes.
 */
export const POLICIES = ['sync', 'upsert-only', 'observe'] as const;
export type Policy = (typeof POLICIES)[number];

export const DEFAULT_POLICY: Policy = 'sync';

export interface PolicyRule {
  readonly register: boolean;
  readonly deregister: boolean;
}

export const POLICY_RULES: Readonly<Record<Policy, PolicyRule>> = {
  sync: { register: true, deregister: true },
  'upsert-only': { register: true, deregister: false },
  observe: { register: false, deregister: false },
};

export const isPolicy = (value: string): value is Policy => (POLICIES as readonly string[]).includes(value);

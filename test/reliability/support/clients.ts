import {
  API_FAMILIES,
  type ApiFamily,
  awsDeps,
  createClients,
  type RateLimit,
  type ReconcileDeps,
} from '@vpce-target-sync/functions';
import type { Simulator } from '../../sim/index.ts';
import type { SeededScheduler } from './scheduler.ts';

/** The reconciler's access key in the simulator, so its calls are told apart from the scenario's. */
export const RECONCILER_KEY = 'AKIDRECONCILER';
export const RECONCILER_ROLE = 'arn:aws:iam::123456789012:role/VpceTargetSync-Reconciler';

/**
 * Client-side limits far above what the tests need: the suites test faults and ordering, not the
 * token buckets (functions/test/rate-limits.test.ts does).
 */
export const GENEROUS_RATE_LIMITS = Object.fromEntries(
  API_FAMILIES.map((family) => [family, { ratePerSecond: 10_000, burst: 10_000 }]),
) as Record<ApiFamily, RateLimit>;

/**
 * The SDK's retry loop with the product's classification (throttling, transient and server errors
 * are retried, client errors are not) but a 1 ms back-off, so hundreds of faulted runs stay fast.
 * Structurally a smithy RetryStrategyV2.
 */
export function fastRetry(maxAttempts: number) {
  type Token = { getRetryCount(): number; getRetryDelay(): number };
  const token = (count: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => 1 });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async (): Promise<Token> => token(0),
    refreshRetryTokenForRetry: async (previous: Token, info: { errorType: string; error?: unknown }) => {
      if (info.errorType === 'CLIENT_ERROR' || previous.getRetryCount() + 1 >= maxAttempts)
        throw info.error ?? new Error('no retry');
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess: (): void => {},
  };
}

export interface TestClientOptions {
  /** Another access key, to tell two reconcilers apart in the call log. @default RECONCILER_KEY */
  readonly accessKeyId?: string;
  /** Attempts per call, the first included. @default 2 */
  readonly maxAttempts?: number;
  /**
   * The SDK's per-request timeout in ms: a slower response fails the attempt with TimeoutError
   * (ETIMEDOUT). Without throwOnRequestTimeout the SDK only warns.
   */
  readonly requestTimeoutMs?: number;
  /** Lets each call through only when this scheduler picks it (the concurrency suite). */
  readonly scheduler?: SeededScheduler;
}

/** The product's own adapters (awsDeps over createClients) pointed at the simulator as the reconciler. */
export function reconcilerDeps(
  sim: Simulator,
  log: ReconcileDeps['log'],
  options: TestClientOptions = {},
): ReconcileDeps {
  const maxAttempts = options.maxAttempts ?? 2;
  const clients = createClients(
    {
      ...sim.clientConfig({ accessKeyId: options.accessKeyId ?? RECONCILER_KEY }),
      maxAttempts,
      retryStrategy: fastRetry(maxAttempts),
      ...(options.requestTimeoutMs
        ? { requestHandler: { requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true } }
        : {}),
    },
    GENEROUS_RATE_LIMITS,
  );
  options.scheduler?.gate(clients, options.accessKeyId ?? RECONCILER_KEY);
  return awsDeps(log, clients);
}

import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type FailedCall } from './errors.ts';
import { type ApiFamily, DEFAULT_RATE_LIMITS, familyOf, type RateLimit, TokenBucket } from './rate-limits.ts';

/**
 * Attempts per call, throttling included. Adaptive retry also slows the client down when AWS
 * throttles anyway, so a throttle becomes a delay, not a site error.
 */
export const MAX_ATTEMPTS = 8;

/**
 * How long one attempt may wait for its response. The SDK sets no timeout of its own, so without
 * this one stalled connection would hold the whole run until the Lambda timeout, and the run would
 * end with no report and no metrics; with it the attempt fails with TimeoutError, which the retry
 * loop retries and, if it persists, becomes that site's error. AWS answers these APIs in well under
 * a second; 10 s leaves room for a slow page of 400 target groups.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sqs: SQSClient;
}

/** Extra client settings, e.g. an endpoint and credentials in tests. Region and endpoint come from the standard chain. */
export type ClientConfig = object;

interface Stack {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'build' | 'finalizeRequest'; priority: 'low'; name: string },
    ): void;
  };
}

const SERVICE_NAMES = {
  ec2: 'EC2',
  elbv2: 'ELBv2',
  cloudwatch: 'CloudWatch',
  tagging: 'Resource Groups Tagging API',
  sqs: 'SQS',
} as const satisfies Record<keyof AwsClients, string>;

/**
 * Marks every error with the service, operation and URL of its call, so a run that cannot talk to
 * AWS (refused, an HTML page from a proxy, a 502) says exactly where it failed.
 */
function nameFailures(client: Stack, service: keyof AwsClients): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error !== null && typeof error === 'object' && !('$failedCall' in error)) {
          const r = (
            args as { request?: { protocol?: string; hostname?: string; port?: number; path?: string } }
          ).request;
          const endpoint = r?.hostname
            ? `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path ?? '/'}`
            : undefined;
          const call: FailedCall = {
            service: SERVICE_NAMES[service],
            operation: (context.commandName ?? '?').replace(/Command$/, ''),
            endpoint,
          };
          Object.defineProperty(error, '$failedCall', { value: call, enumerable: false });
        }
        throw error;
      }
    },
    { step: 'build', priority: 'low', name: 'vpceTargetSyncFailedCall' },
  );
}

/** Every attempt (retries included: the middleware sits inside the retry loop) waits for its family's token. */
function limit(
  client: Stack,
  service: Parameters<typeof familyOf>[0],
  buckets: Map<ApiFamily, TokenBucket>,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await buckets.get(familyOf(service, context.commandName ?? ''))?.take();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'vpceTargetSyncRateLimit' },
  );
}

export function createClients(
  config: ClientConfig = {},
  rateLimits: Readonly<Record<ApiFamily, RateLimit>> = DEFAULT_RATE_LIMITS,
): AwsClients {
  const common = {
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the SDK only logs a warning when the timeout passes.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...config,
  };
  const buckets = new Map(Object.entries(rateLimits).map(([f, l]) => [f as ApiFamily, new TokenBucket(l)]));
  const clients = {
    ec2: new EC2Client(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    cloudwatch: new CloudWatchClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
    sqs: new SQSClient(common),
  };
  for (const [service, client] of Object.entries(clients)) {
    limit(client as unknown as Stack, service as Parameters<typeof familyOf>[0], buckets);
    nameFailures(client as unknown as Stack, service as keyof AwsClients);
  }
  return clients;
}

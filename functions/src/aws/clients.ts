import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client, HttpRequest, MetadataBearer, MiddlewareStack } from '@smithy/types';
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
  /**
   * Created on first use: only re-queueing sends to SQS, so the function's bundle loads the SQS
   * client (a chunk of its own) only when it first re-queues.
   */
  sqs(): Promise<SQSClient>;
}

/**
 * The client settings a caller may set: the region, profile, endpoint and credentials (the CLI's
 * flags, a test's simulator), and in tests the retry settings. Everything else is the product's
 * (createClients). The same settings go to every client; EC2's type stands for all five, which
 * share these fields' types.
 */
export type ClientConfig = Pick<
  EC2ClientConfig,
  'region' | 'profile' | 'endpoint' | 'credentials' | 'maxAttempts' | 'retryStrategy' | 'requestHandler'
>;

type Service = keyof AwsClients;

const SERVICE_NAMES = {
  ec2: 'EC2',
  elbv2: 'ELBv2',
  cloudwatch: 'CloudWatch',
  tagging: 'Resource Groups Tagging API',
  sqs: 'SQS',
} as const satisfies Record<keyof AwsClients, string>;

/** The request an HTTP client is about to send, as the build step sees it. */
const isHttpRequest = (request: unknown): request is HttpRequest =>
  request !== null && typeof request === 'object' && 'hostname' in request && 'protocol' in request;

/**
 * Marks every error with the service, operation and URL of its call, so a run that cannot talk to
 * AWS (refused, an HTML page from a proxy, a 502) says exactly where it failed.
 */
function nameFailures<Input extends object, Output extends MetadataBearer>(
  stack: MiddlewareStack<Input, Output>,
  service: Service,
): void {
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error !== null && typeof error === 'object' && !('$failedCall' in error)) {
          const r = isHttpRequest(args.request) ? args.request : undefined;
          const endpoint = r?.hostname
            ? `${r.protocol || 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path || '/'}`
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
function limit<Input extends object, Output extends MetadataBearer>(
  stack: MiddlewareStack<Input, Output>,
  service: Service,
  buckets: ReadonlyMap<ApiFamily, TokenBucket>,
): void {
  stack.add(
    (next, context) => async (args) => {
      await buckets.get(familyOf(service, context.commandName ?? ''))?.take();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'vpceTargetSyncRateLimit' },
  );
}

/** Adds the product's middleware to a client: the rate limit of its API family, and failures named. */
function instrument<Input extends object, Output extends MetadataBearer>(
  client: Pick<Client<Input, Output, unknown>, 'middlewareStack'>,
  service: Service,
  buckets: ReadonlyMap<ApiFamily, TokenBucket>,
): void {
  limit(client.middlewareStack, service, buckets);
  nameFailures(client.middlewareStack, service);
}

export function createClients(
  config: ClientConfig = {},
  rateLimits: Readonly<Record<ApiFamily, RateLimit>> = DEFAULT_RATE_LIMITS,
): AwsClients {
  const settings = {
    retryMode: 'adaptive',
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the SDK only logs a warning when the timeout passes.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...config,
  } satisfies EC2ClientConfig;
  // Elapsed time from the monotonic clock: a step of the wall clock (or a test's fake Date, which
  // stands for product time) must neither stall the calls nor let a burst through.
  const monotonic = () => performance.now();
  const buckets = new Map(
    Object.entries(rateLimits).map(([f, l]) => [f as ApiFamily, new TokenBucket(l, monotonic)]),
  );
  let sqs: Promise<SQSClient> | undefined;
  const clients: AwsClients = {
    ec2: new EC2Client(settings),
    elbv2: new ElasticLoadBalancingV2Client(settings),
    cloudwatch: new CloudWatchClient(settings),
    tagging: new ResourceGroupsTaggingAPIClient(settings),
    sqs: () => {
      sqs ??= import('@aws-sdk/client-sqs').then(
        ({ SQSClient }) => {
          const client = new SQSClient(settings);
          instrument(client, 'sqs', buckets);
          return client;
        },
        (error: unknown) => {
          // Not kept: the next send tries again.
          sqs = undefined;
          throw error;
        },
      );
      return sqs;
    },
  };
  instrument(clients.ec2, 'ec2', buckets);
  instrument(clients.elbv2, 'elbv2', buckets);
  instrument(clients.cloudwatch, 'cloudwatch', buckets);
  instrument(clients.tagging, 'tagging', buckets);
  return clients;
}

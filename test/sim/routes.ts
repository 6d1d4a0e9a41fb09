import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from './aws-error.ts';
import type { ServiceName } from './options.ts';
import { awsJsonProtocol } from './protocols/aws-json.ts';
import { awsQueryProtocol } from './protocols/aws-query.ts';
import { ec2QueryProtocol } from './protocols/ec2-query.ts';
import type { WireProtocol } from './protocols/protocol.ts';
import { restXmlS3Protocol } from './protocols/rest-xml-s3.ts';
import { cloudwatchOperations } from './services/cloudwatch.ts';
import { ec2Operations } from './services/ec2.ts';
import { elbv2Operations } from './services/elbv2.ts';
import { s3Operations } from './services/s3.ts';
import type { Operations } from './services/service.ts';
import { sqsOperations } from './services/sqs.ts';
import { taggingOperations } from './services/tagging.ts';

/** How one AWS API is spoken and answered. */
export interface Route {
  readonly protocol: WireProtocol;
  readonly operations: Operations;
  /** The error the API answers when a rate limit is hit. */
  readonly throttled: () => AwsError;
  /** The error for a failure inside AWS (HTTP 500), which SDKs retry. */
  readonly internalError: (message: string) => AwsError;
}

/** The map of the simulator: SigV4 service name -> wire protocol and operations. */
export const routes: Readonly<Record<ServiceName, Route>> = {
  ec2: {
    protocol: ec2QueryProtocol,
    operations: ec2Operations,
    // EC2 throttling is a server error: HTTP 503 in the usual EC2 error envelope.
    throttled: () => new AwsError('RequestLimitExceeded', 'Request limit exceeded.', 503),
    internalError: (message) => new AwsError('InternalError', message, 500),
  },
  elasticloadbalancing: {
    protocol: awsQueryProtocol('http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/'),
    operations: elbv2Operations,
    throttled: () => new AwsError('Throttling', 'Rate exceeded', 400),
    internalError: (message) => new AwsError('InternalFailure', message, 500),
  },
  monitoring: {
    // CloudWatch moved from awsQuery to JSON 1.0 (client 3.949+) but kept its query error codes.
    protocol: awsJsonProtocol({
      version: '1.0',
      targetPrefix: 'GraniteServiceVersion20100801',
      namespace: 'com.amazonaws.cloudwatch',
      queryCompatible: true,
      errorShapes: {
        InvalidParameterValue: 'InvalidParameterValueException',
        InvalidParameterCombination: 'InvalidParameterCombinationException',
        MissingParameter: 'MissingRequiredParameterException',
        InternalServiceError: 'InternalServiceFault',
        Throttling: 'com.amazon.coral.availability#ThrottlingException',
      },
    }),
    operations: cloudwatchOperations,
    throttled: () => new AwsError('Throttling', 'Rate exceeded', 400),
    internalError: (message) => new AwsError('InternalServiceError', message, 500),
  },
  tagging: {
    protocol: awsJsonProtocol({
      version: '1.1',
      targetPrefix: 'ResourceGroupsTaggingAPI_20170126',
      namespace: 'com.amazonaws.resourcegroupstaggingapi',
      queryCompatible: false,
      messageKey: 'Message',
    }),
    operations: taggingOperations,
    // The tagging API's own throttling error, as modelled: ThrottledException, HTTP 400.
    throttled: () => new AwsError('ThrottledException', 'Rate exceeded', 400),
    internalError: (message) => new AwsError('InternalServiceException', message, 500),
  },
  sqs: {
    // SQS moved from awsQuery to JSON 1.0 and, like CloudWatch, kept its query error codes.
    protocol: awsJsonProtocol({
      version: '1.0',
      targetPrefix: 'AmazonSQS',
      namespace: 'com.amazonaws.sqs',
      queryCompatible: true,
      errorShapes: {
        'AWS.SimpleQueueService.NonExistentQueue': 'QueueDoesNotExist',
        QueueAlreadyExists: 'QueueNameExists',
        'AWS.SimpleQueueService.EmptyBatchRequest': 'EmptyBatchRequest',
        'AWS.SimpleQueueService.TooManyEntriesInBatchRequest': 'TooManyEntriesInBatchRequest',
        'AWS.SimpleQueueService.InvalidBatchEntryId': 'InvalidBatchEntryId',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct': 'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchRequestTooLong': 'BatchRequestTooLong',
      },
    }),
    operations: sqsOperations,
    // The SQS model gives RequestThrottled HTTP 403; the SDK retries it as throttling by name.
    throttled: () => new AwsError('RequestThrottled', 'Rate exceeded', 403),
    internalError: (message) => new AwsError('InternalFailure', message, 500),
  },
  s3: {
    // REST-XML: the method, path and query name the operation (path or virtual-host style).
    protocol: restXmlS3Protocol,
    operations: s3Operations,
    throttled: () => new AwsError('SlowDown', 'Please reduce your request rate.', 503),
    internalError: (message) => new AwsError('InternalError', message, 500),
  },
};

// For requests without a SigV4 signature (curl, hand-written tests): the JSON target
// prefix or the query protocol's API version names the service as well.
const BY_TARGET_PREFIX: Readonly<Record<string, ServiceName>> = {
  GraniteServiceVersion20100801: 'monitoring',
  ResourceGroupsTaggingAPI_20170126: 'tagging',
  AmazonSQS: 'sqs',
};
const BY_QUERY_VERSION: Readonly<Record<string, ServiceName>> = {
  '2016-11-15': 'ec2',
  '2015-12-01': 'elasticloadbalancing',
};

/** The service a request is for: its credential scope first, then what its body says. */
export function serviceOf(
  scopeService: string | undefined,
  headers: IncomingHttpHeaders,
  body: string,
): ServiceName | undefined {
  if (scopeService !== undefined && Object.hasOwn(routes, scopeService)) return scopeService as ServiceName;
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return BY_TARGET_PREFIX[target.split('.')[0] ?? ''];
  const version = new URLSearchParams(body).get('Version');
  return version === null ? undefined : BY_QUERY_VERSION[version];
}

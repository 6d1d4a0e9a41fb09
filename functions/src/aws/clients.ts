import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * Attempts per call, throttling included. Adaptive retry also slows the client down when AWS
 * throttles, so a busy account's shared token buckets are not hammered.
 */
export const MAX_ATTEMPTS = 8;

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sqs: SQSClient;
}

/** Extra client settings, e.g. an endpoint and credentials in tests. Region and endpoint come from the standard chain. */
export type ClientConfig = Record<string, unknown>;

export function createClients(config: ClientConfig = {}): AwsClients {
  const common = { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS, ...config };
  return {
    ec2: new EC2Client(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
    cloudwatch: new CloudWatchClient(common),
    tagging: new ResourceGroupsTaggingAPIClient(common),
    sqs: new SQSClient(common),
  };
}

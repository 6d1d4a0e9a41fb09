/**
 * EventBridge events of detail-type `AWS API Call via CloudTrail`, shaped like the committed
 * fixtures in test/fixtures/events (see their README for where each shape comes from), for the
 * calls a test has just made.
 */
import { randomUUID } from 'node:crypto';

export const PERSON_ROLE_ARN =
  'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_5f2a3c9e1b7d4a60';

type Ec2Item = { tag: number; content: string };
/** EC2 records encode one list item as an object, several as an array. */
const ec2List = (values: readonly string[]): Ec2Item | Ec2Item[] | undefined => {
  const items = values.map((content, i) => ({ tag: i + 1, content }));
  return items.length === 1 ? items[0] : items.length ? items : undefined;
};

function envelope(
  source: 'aws.ec2' | 'aws.elasticloadbalancing',
  eventName: string,
  requestParameters: unknown,
  responseElements: unknown,
  roleArn: string,
): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const roleName = roleArn.split('/').pop() ?? 'role';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source,
    account: '123456789012',
    time: now,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.10',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLE:${roleName}-session`,
        arn: `arn:aws:sts::123456789012:assumed-role/${roleName}/session`,
        accountId: '123456789012',
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLE',
            arn: roleArn,
            accountId: '123456789012',
            userName: roleName,
          },
        },
      },
      eventTime: now,
      eventSource: source === 'aws.ec2' ? 'ec2.amazonaws.com' : 'elasticloadbalancing.amazonaws.com',
      eventName,
      awsRegion: 'us-east-1',
      requestParameters,
      responseElements,
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
    },
  };
}

export const trail = {
  createVpcEndpoint: (endpointId: string, vpcId: string, subnetIds: string[], roleArn = PERSON_ROLE_ARN) =>
    envelope(
      'aws.ec2',
      'CreateVpcEndpoint',
      {
        CreateVpcEndpointRequest: {
          VpcId: vpcId,
          ServiceName: 'com.amazonaws.us-east-1.s3',
          VpcEndpointType: 'Interface',
          SubnetId: ec2List(subnetIds),
        },
      },
      { CreateVpcEndpointResponse: { vpcEndpoint: { vpcEndpointId: endpointId, vpcId, state: 'pending' } } },
      roleArn,
    ),
  modifyVpcEndpoint: (
    endpointId: string,
    change: { add?: string[]; remove?: string[] },
    roleArn = PERSON_ROLE_ARN,
  ) =>
    envelope(
      'aws.ec2',
      'ModifyVpcEndpoint',
      {
        ModifyVpcEndpointRequest: {
          VpcEndpointId: endpointId,
          ...(change.add ? { AddSubnetId: ec2List(change.add) } : {}),
          ...(change.remove ? { RemoveSubnetId: ec2List(change.remove) } : {}),
        },
      },
      { ModifyVpcEndpointResponse: { return: true } },
      roleArn,
    ),
  deleteVpcEndpoints: (endpointIds: string[], roleArn = PERSON_ROLE_ARN) =>
    envelope(
      'aws.ec2',
      'DeleteVpcEndpoints',
      { DeleteVpcEndpointsRequest: { VpcEndpointId: ec2List(endpointIds) } },
      { DeleteVpcEndpointsResponse: { unsuccessful: '' } },
      roleArn,
    ),
  addTags: (arn: string, tags: Record<string, string>, roleArn = PERSON_ROLE_ARN) =>
    envelope(
      'aws.elasticloadbalancing',
      'AddTags',
      { resourceArns: [arn], tags: Object.entries(tags).map(([key, value]) => ({ key, value })) },
      null,
      roleArn,
    ),
  deleteTargetGroup: (arn: string, roleArn = PERSON_ROLE_ARN) =>
    envelope('aws.elasticloadbalancing', 'DeleteTargetGroup', { targetGroupArn: arn }, null, roleArn),
  removeTags: (arn: string, keys: string[], roleArn = PERSON_ROLE_ARN) =>
    envelope('aws.elasticloadbalancing', 'RemoveTags', { resourceArns: [arn], tagKeys: keys }, null, roleArn),
  targets: (
    eventName: 'RegisterTargets' | 'DeregisterTargets',
    arn: string,
    ips: string[],
    roleArn = PERSON_ROLE_ARN,
  ) =>
    envelope(
      'aws.elasticloadbalancing',
      eventName,
      { targetGroupArn: arn, targets: ips.map((id) => ({ id, port: 443 })) },
      null,
      roleArn,
    ),
};

/** An SQS event as Lambda receives it, one record per body. */
export function sqsBatch(bodies: readonly unknown[]): {
  Records: { messageId: string; body: string; receiptHandle: string; eventSource: string }[];
} {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `msg-${i + 1}`,
      receiptHandle: `rh-${i + 1}`,
      eventSource: 'aws:sqs',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
}

/** The EventBridge event a schedule rule sends: the function's full-pass trigger. */
export function scheduledEvent(): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

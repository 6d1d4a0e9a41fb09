/**
 * The harness's call log (`h.resetCalls()`, `h.calls()`): on the simulator its own log, on moto
 * moto's request recorder decoded with the simulator's wire protocols. The same calls must read
 * the same on both, in every protocol the product speaks: EC2 query, ELBv2 awsQuery, CloudWatch
 * and SQS JSON 1.0, tagging JSON 1.1, S3 REST.
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { type Harness, startHarness } from '../support/harness.ts';

let h: Harness;
let vpc: Vpc;
beforeEach(async () => {
  h = await startHarness();
  vpc = await h.account.vpc(8);
});
afterEach(() => h.stop());

describe('the call log (h.calls), on either emulator', () => {
  it('refuses to be read before resetCalls', async () => {
    await expect(h.calls()).rejects.toThrow(/before h\.resetCalls\(\)/);
  });

  it('holds the calls since resetCalls, in order, as service, operation and wire params', async () => {
    const endpointId = await h.account.endpoint(vpc, 1);
    const arn = await h.account.site('logged', vpc, { endpointId });
    const sqs = new SQSClient(h.settings);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'call-log' }))).QueueUrl ?? '';
    const s3 = new S3Client({ ...h.settings, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'call-log-bucket' }));

    await h.resetCalls();
    await h.account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    await h.account.register(arn, ['10.8.1.10', '10.8.1.11']);
    await h.account.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    await new CloudWatchClient(h.settings).send(
      new PutMetricDataCommand({
        Namespace: 'CallLog',
        MetricData: [{ MetricName: 'Logged', Value: 3, Dimensions: [{ Name: 'Site', Value: 'a' }] }],
      }),
    );
    await new ResourceGroupsTaggingAPIClient(h.settings).send(
      new GetResourcesCommand({ TagFilters: [{ Key: 'call-log', Values: ['yes'] }] }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'call-log-bucket' }));

    const calls = await h.calls();
    expect(calls.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'ec2:DescribeVpcEndpoints',
      'elasticloadbalancing:RegisterTargets',
      'elasticloadbalancing:DescribeTargetHealth',
      'monitoring:PutMetricData',
      'tagging:GetResources',
      'sqs:SendMessage',
      's3:HeadBucket',
    ]);
    expect(JSON.stringify(calls[0]?.params)).toContain(endpointId);
    expect(calls[1]?.params).toMatchObject({ TargetGroupArn: arn });
    expect(JSON.stringify(calls[1]?.params)).toContain('10.8.1.11');
    expect(calls[3]?.params).toMatchObject({
      Namespace: 'CallLog',
      MetricData: [{ MetricName: 'Logged', Value: 3, Dimensions: [{ Name: 'Site', Value: 'a' }] }],
    });
    expect(calls[5]?.params).toMatchObject({ QueueUrl: queueUrl, MessageBody: 'hello' });

    await h.resetCalls();
    expect(await h.calls()).toEqual([]);
  });
});

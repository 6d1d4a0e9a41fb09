import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeVpcEndpointsCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { DescribeTagsCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { clientsFor } from './fixtures.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from './index.ts';

let sim: Simulator | undefined;
afterEach(() => sim?.stop());

async function start(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

const once = { capacity: 1, refillPerSecond: 0 };

describe('per-API token buckets', () => {
  it('answers EC2 RequestLimitExceeded with HTTP 503 once the bucket is empty, and logs it', async () => {
    const s = await start({ rateLimits: { DescribeVpcEndpoints: { capacity: 2, refillPerSecond: 0 } } });
    const { ec2 } = clientsFor(s, { maxAttempts: 1 });
    await ec2.send(new DescribeVpcEndpointsCommand({}));
    await ec2.send(new DescribeVpcEndpointsCommand({}));
    await expect(ec2.send(new DescribeVpcEndpointsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    // Other operations have their own (here unlimited) buckets.
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
    expect(s.calls.map((call) => [call.operation, call.status, call.throttled])).toEqual([
      ['DescribeVpcEndpoints', 200, false],
      ['DescribeVpcEndpoints', 200, false],
      ['DescribeVpcEndpoints', 503, true],
      ['DescribeVpcs', 200, false],
    ]);
  });

  it('refills on the simulated clock', async () => {
    const s = await start({ rateLimits: { DescribeVpcs: { capacity: 1, refillPerSecond: 1 } } });
    const { ec2 } = clientsFor(s, { maxAttempts: 1 });
    await ec2.send(new DescribeVpcsCommand({}));
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    s.clock.advance(1_000);
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
  });

  it('shares a family bucket between the operations it names, per service', async () => {
    const s = await start({
      rateLimits: { 'elasticloadbalancing:Describe*': { capacity: 2, refillPerSecond: 0 } },
    });
    const { elbv2, ec2 } = clientsFor(s, { maxAttempts: 1 });
    await elbv2.send(new DescribeTargetGroupsCommand({}));
    await elbv2.send(new DescribeTargetGroupsCommand({}));
    await expect(
      elbv2.send(
        new DescribeTagsCommand({
          ResourceArns: [
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/a/0000000000000000',
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(ec2.send(new DescribeVpcsCommand({}))).resolves.toBeDefined();
  });

  it('speaks each API throttling error', async () => {
    const s = await start({ rateLimits: { ListMetrics: once, GetResources: once, GetQueueUrl: once } });
    const { cloudwatch, tagging, sqs } = clientsFor(s, { maxAttempts: 1 });
    await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await cloudwatch.send(new ListMetricsCommand({}));
    await tagging.send(new GetResourcesCommand({}));
    await sqs.send(new GetQueueUrlCommand({ QueueName: 'q' }));
    await expect(cloudwatch.send(new ListMetricsCommand({}))).rejects.toMatchObject({
      name: 'Throttling',
      Code: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(tagging.send(new GetResourcesCommand({}))).rejects.toMatchObject({
      name: 'ThrottledException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'q' }))).rejects.toMatchObject({
      name: 'RequestThrottled',
      Code: 'RequestThrottled',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('is retried by the SDK, which succeeds once the bucket refills', async () => {
    // 250 ms per token: the second call always finds the bucket empty, and the SDK's
    // randomised throttling back-off gets past the refill within ten attempts.
    const s = await start({ rateLimits: { DescribeVpcs: { capacity: 1, refillPerSecond: 4 } } });
    const { ec2 } = clientsFor(s, { maxAttempts: 10 });
    await ec2.send(new DescribeVpcsCommand({}));
    const second = await ec2.send(new DescribeVpcsCommand({}));
    expect(second.$metadata.attempts).toBeGreaterThan(1);
    expect(s.calls.filter((call) => call.throttled)).toHaveLength((second.$metadata.attempts ?? 0) - 1);
  });
});

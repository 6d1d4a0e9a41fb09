import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateVpcEndpointCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  paginateDescribeVpcEndpoints,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientsFor, createNetwork, type Network, until } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let network: Network;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let targetGroupArn: string;

beforeEach(async () => {
  sim = await startSimulator();
  // No SDK retries unless a test asks for them, so each fault is seen as it is.
  ({ ec2, elbv2 } = clientsFor(sim, { maxAttempts: 1 }));
  network = await createNetwork(ec2);
  const created = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'site-a',
      Protocol: 'HTTP',
      Port: 443,
      VpcId: network.vpcId,
      TargetType: 'ip',
    }),
  );
  targetGroupArn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
  sim.resetCalls();
});
afterEach(() => sim.stop());

const describeHealth = () => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
const register = (Id: string) =>
  elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: [{ Id }] }));

describe('error faults', () => {
  it('answer once, by default, in the service envelope, and are logged', async () => {
    sim.faults.add({
      operation: 'DescribeTargetHealth',
      fault: { kind: 'error', code: 'TargetGroupNotFound', message: 'gone' },
    });
    await expect(describeHealth()).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
      message: 'gone',
    });
    await expect(describeHealth()).resolves.toBeDefined();
    expect(sim.calls.map((call) => [call.status, call.errorCode, call.faults])).toEqual([
      [400, 'TargetGroupNotFound', ['error']],
      [200, undefined, []],
    ]);
  });

  it('apply only to calls their match accepts, as many times as asked', async () => {
    sim.faults.add({
      operation: 'RegisterTargets',
      match: (params) => JSON.stringify(params).includes('10.0.1.4'),
      times: 2,
      fault: { kind: 'error', code: 'InternalFailure', status: 500 },
    });
    await expect(register('10.0.2.4')).resolves.toBeDefined();
    await expect(register('10.0.1.4')).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(register('10.0.1.4')).rejects.toMatchObject({ name: 'InternalFailure' });
    await expect(register('10.0.1.4')).resolves.toBeDefined();
  });

  it('can apply forever until cleared', async () => {
    sim.faults.add({
      operation: 'DescribeTargetHealth',
      times: Number.POSITIVE_INFINITY,
      fault: { kind: 'error', code: 'AccessDenied', status: 403 },
    });
    for (let i = 0; i < 3; i++)
      await expect(describeHealth()).rejects.toMatchObject({ name: 'AccessDenied' });
    sim.faults.clear();
    await expect(describeHealth()).resolves.toBeDefined();
  });

  it('can be limited to one service', async () => {
    sim.faults.add({
      operation: 'DescribeTargetHealth',
      service: 'ec2',
      fault: { kind: 'error', code: 'Nope' },
    });
    await expect(describeHealth()).resolves.toBeDefined();
  });
});

describe('throttle, reset, delay', () => {
  it('throttle answers the API real throttling error', async () => {
    sim.faults.add({ operation: 'DescribeVpcEndpoints', fault: { kind: 'throttle' } });
    await expect(ec2.send(new DescribeVpcEndpointsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(sim.calls[0]).toMatchObject({ throttled: true, faults: ['throttle'] });
  });

  it('reset drops the connection; the SDK retries it as a transient error', async () => {
    sim.faults.add({ operation: 'DescribeTargetHealth', fault: { kind: 'reset' } });
    await expect(describeHealth()).rejects.toThrow(/socket hang up|ECONNRESET/);
    sim.faults.add({ operation: 'DescribeTargetHealth', fault: { kind: 'reset' } });
    const retrying = clientsFor(sim).elbv2;
    const result = await retrying.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    expect(result.$metadata.attempts).toBe(2);
    expect(sim.calls.map((call) => call.status)).toEqual([0, 0, 200]);
  });

  it('delay holds the answer exactly that long (on a fake clock), then answers normally', async () => {
    sim.faults.add({ operation: 'DescribeTargetHealth', fault: { kind: 'delay', ms: 200 } });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let answered = false;
      const health = describeHealth().finally(() => (answered = true));
      // The call is logged before the delay is waited out.
      await until(() => sim.calls.length === 1);
      await vi.advanceTimersByTimeAsync(199);
      // Real time for an answer sent too early to come back over the socket.
      await sleep(25);
      expect(answered, '1 ms before the delay ends').toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await health).TargetHealthDescriptions).toEqual([]);
      expect(sim.calls[0]).toMatchObject({ status: 200, faults: ['delay'] });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('before hooks', () => {
  it('change state between two calls of a client, e.g. delete the group before targets are registered', async () => {
    sim.faults.add({
      operation: 'RegisterTargets',
      fault: { kind: 'before', run: (s) => void s.state().elbv2.targetGroups.delete(targetGroupArn) },
    });
    await expect(register('10.0.1.4')).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    expect(sim.calls[0]?.faults).toEqual(['before']);
  });

  it('may call the simulator through an SDK client and combine with a deciding fault', async () => {
    const admin = new ElasticLoadBalancingV2Client(sim.clientConfig());
    sim.faults.add({
      operation: 'DescribeTargetHealth',
      fault: {
        kind: 'before',
        run: async () =>
          void (await admin.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn }))),
      },
    });
    sim.faults.add({ operation: 'DescribeTargetHealth', fault: { kind: 'delay', ms: 10 } });
    await expect(describeHealth()).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    const health = sim.calls.find((call) => call.operation === 'DescribeTargetHealth');
    expect(health?.faults).toEqual(['before', 'delay']);
    expect(sim.callCount('DeleteTargetGroup')).toBe(1);
  });

  it('answer a client error the SDK does not retry when the hook itself throws', async () => {
    sim.faults.add({
      operation: 'DescribeTargetHealth',
      fault: {
        kind: 'before',
        run: () => {
          throw new Error('hook bug');
        },
      },
    });
    const retrying = clientsFor(sim).elbv2;
    await expect(
      retrying.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    ).rejects.toMatchObject({
      name: 'SimulatorHookFailed',
      message: expect.stringContaining('hook bug'),
      $metadata: { attempts: 1 },
    });
  });
});

describe('drop-page', () => {
  async function fiveEndpoints(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      await ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: network.vpcId,
          ServiceName: 'com.amazonaws.us-east-1.s3',
          VpcEndpointType: 'Gateway',
        }),
      );
    }
    sim.resetCalls();
  }

  async function collect(client: EC2Client): Promise<number> {
    let endpoints = 0;
    for await (const page of paginateDescribeVpcEndpoints({ client, pageSize: 2 }, {}))
      endpoints += page.VpcEndpoints?.length ?? 0;
    return endpoints;
  }

  it('fails a later page with the service internal error, never the first', async () => {
    await fiveEndpoints();
    sim.faults.add({ operation: 'DescribeVpcEndpoints', fault: { kind: 'drop-page' } });
    await expect(collect(ec2)).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });
    expect(sim.calls.map((call) => [call.status, call.faults])).toEqual([
      [200, []],
      [500, ['drop-page']],
    ]);
  });

  it('is survived by SDK retries when it applies once, or fails with the given code', async () => {
    await fiveEndpoints();
    sim.faults.add({ operation: 'DescribeVpcEndpoints', fault: { kind: 'drop-page' } });
    expect(await collect(clientsFor(sim).ec2)).toBe(5);
    sim.faults.add({
      operation: 'DescribeVpcEndpoints',
      fault: { kind: 'drop-page', code: 'InvalidPaginationToken', status: 400 },
    });
    await expect(collect(ec2)).rejects.toMatchObject({ name: 'InvalidPaginationToken' });
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientsFor, createNetwork, until } from './fixtures.ts';
import { type MutationEvent, type Simulator, startSimulator } from './index.ts';

const RECONCILER = 'arn:aws:iam::123456789012:role/vpce-target-sync';

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ principals: { AKIDRECONCILER: RECONCILER } });
});
afterEach(() => sim.stop());

describe('call log', () => {
  it('records each call with decoded params, status, error code, region and the request id the client saw', async () => {
    const { ec2 } = clientsFor(sim);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const failure = await ec2
      .send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] }))
      .catch((e: unknown) => e);
    expect(sim.calls).toEqual([
      expect.objectContaining({
        seq: 1,
        service: 'ec2',
        region: 'us-east-1',
        operation: 'CreateVpc',
        params: { CidrBlock: '10.0.0.0/16' },
        status: 200,
        requestId: vpc.$metadata.requestId,
        principal: 'arn:aws:iam::123456789012:role/default',
      }),
      expect.objectContaining({
        seq: 2,
        operation: 'DescribeVpcs',
        params: { VpcId: ['vpc-0123456789abcdef0'] },
        status: 400,
        errorCode: 'InvalidVpcID.NotFound',
        requestId: (failure as { $metadata: { requestId: string } }).$metadata.requestId,
      }),
    ]);
    expect(sim.callCount('DescribeVpcs')).toBe(1);
    sim.resetCalls();
    expect(sim.calls).toEqual([]);
  });

  it('records awsQuery lists as arrays of structures', async () => {
    const { elbv2 } = clientsFor(sim);
    await elbv2
      .send(
        new RegisterTargetsCommand({
          TargetGroupArn: 'arn',
          Targets: [{ Id: '10.0.1.4', Port: 443 }, { Id: '10.0.2.4' }],
        }),
      )
      .catch(() => undefined);
    expect(sim.calls[0]?.params).toEqual({
      TargetGroupArn: 'arn',
      Targets: [{ Id: '10.0.1.4', Port: '443' }, { Id: '10.0.2.4' }],
    });
  });

  it('names the caller by access key id, and keeps each region apart', async () => {
    const reconciler = clientsFor(sim, { accessKeyId: 'AKIDRECONCILER' }).ec2;
    const ireland = new EC2Client(sim.clientConfig({ region: 'eu-west-1' }));
    await reconciler.send(new DescribeVpcsCommand({}));
    await ireland.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    expect(sim.calls.map((call) => [call.principal, call.region])).toEqual([
      [RECONCILER, 'us-east-1'],
      ['arn:aws:iam::123456789012:role/default', 'eu-west-1'],
    ]);
    expect((await reconciler.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
    expect((await ireland.send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1);
  });
});

describe('onMutation', () => {
  it('reports successful mutations with their response, and skips reads', async () => {
    const events: MutationEvent[] = [];
    sim.onMutation((event) => events.push(event));
    const { ec2 } = clientsFor(sim, { accessKeyId: 'AKIDRECONCILER' });
    const network = await createNetwork(ec2);
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: network.vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.s3',
        SubnetIds: [network.subnetIds[0]],
      }),
    );
    await ec2.send(new DescribeVpcsCommand({}));
    expect(events.map((event) => event.operation)).toEqual([
      'CreateVpc',
      'CreateSubnet',
      'CreateSubnet',
      'CreateSubnet',
      'CreateVpcEndpoint',
    ]);
    expect(events.at(-1)).toMatchObject({
      seq: sim.calls.find((call) => call.operation === 'CreateVpcEndpoint')?.seq,
      service: 'ec2',
      region: 'us-east-1',
      principal: RECONCILER,
      params: { VpcId: network.vpcId, VpcEndpointType: 'Interface', SubnetId: [network.subnetIds[0]] },
      response: { vpcEndpoint: { vpcEndpointId: created.VpcEndpoint?.VpcEndpointId } },
      requestId: created.$metadata.requestId,
    });
    expect(events.at(-1)?.error).toBeUndefined();
  });

  it('reports failed mutations with the error, and stops after unsubscribing', async () => {
    const events: MutationEvent[] = [];
    const unsubscribe = sim.onMutation((event) => events.push(event));
    const { ec2, elbv2 } = clientsFor(sim);
    const network = await createNetwork(ec2);
    const group = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'site-a',
        Protocol: 'HTTP',
        Port: 443,
        VpcId: network.vpcId,
        TargetType: 'ip',
      }),
    );
    const arn = group.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await expect(
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '192.168.0.1' }] })),
    ).rejects.toMatchObject({ name: 'InvalidTargetException', $metadata: { httpStatusCode: 400 } });
    expect(events.at(-1)).toMatchObject({
      service: 'elasticloadbalancing',
      operation: 'RegisterTargets',
      params: { TargetGroupArn: arn, Targets: [{ Id: '192.168.0.1' }] },
      error: { code: 'InvalidTarget' },
    });
    expect(events.at(-1)?.response).toBeUndefined();
    const seen = events.length;
    unsubscribe();
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    expect(events).toHaveLength(seen);
  });
});

describe('environment and transport', () => {
  it('gives child processes the environment the SDK reads', async () => {
    expect(sim.env).toEqual({
      AWS_ENDPOINT_URL: sim.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: expect.any(String),
      AWS_SECRET_ACCESS_KEY: expect.any(String),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const saved = { ...process.env };
    Object.assign(process.env, sim.env);
    try {
      await new EC2Client({}).send(new DescribeVpcsCommand({}));
    } finally {
      for (const key of Object.keys(sim.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
    expect(sim.callCount('DescribeVpcs')).toBe(1);
  });

  it("holds each answer for its service's configured latency (on a fake clock, to the millisecond)", async () => {
    const slow = await startSimulator({ latencyMs: { ec2: 150 } });
    const { ec2, elbv2 } = clientsFor(slow);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const answered: string[] = [];
      const vpcs = ec2.send(new DescribeVpcsCommand({})).then(() => answered.push('ec2'));
      // The call is logged before its latency is waited out.
      await until(() => slow.callCount('DescribeVpcs') === 1);
      await elbv2.send(new DescribeTargetGroupsCommand({}));
      answered.push('elbv2');
      await vi.advanceTimersByTimeAsync(149);
      // Real time for an answer sent too early to come back over the socket.
      await sleep(25);
      expect(answered, '1 ms before the ec2 latency').toEqual(['elbv2']);
      await vi.advanceTimersByTimeAsync(1);
      await vpcs;
      expect(answered).toEqual(['elbv2', 'ec2']);
    } finally {
      vi.useRealTimers();
      await slow.stop();
    }
  });

  it('changes its latency at runtime (setLatency): off, then per service', async () => {
    const slow = await startSimulator({ latencyMs: 150 });
    const { ec2, elbv2 } = clientsFor(slow);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      slow.setLatency(0);
      await ec2.send(new DescribeVpcsCommand({}));
      slow.setLatency({ ec2: 150 });
      await elbv2.send(new DescribeTargetGroupsCommand({}));
      const answered: string[] = [];
      const vpcs = ec2.send(new DescribeVpcsCommand({})).then(() => answered.push('ec2'));
      await until(() => slow.callCount('DescribeVpcs') === 2);
      await sleep(25);
      expect(answered, 'before the ec2 latency').toEqual([]);
      await vi.advanceTimersByTimeAsync(150);
      await vpcs;
      expect(answered).toEqual(['ec2']);
      expect(() => slow.setLatency(-1)).toThrow(RangeError);
    } finally {
      vi.useRealTimers();
      await slow.stop();
    }
  });

  it('routes unsigned query requests by API version and answers unknown actions in the EC2 envelope', async () => {
    const response = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=TerminateEverything&Version=2016-11-15',
    });
    const body = await response.text();
    expect(response.status).toBe(400);
    const requestId = response.headers.get('x-amzn-requestid');
    expect(body).toContain('<Response><Errors><Error><Code>InvalidAction</Code>');
    expect(body).toContain(`<RequestID>${requestId}</RequestID>`);
    expect(sim.calls[0]).toMatchObject({
      service: 'ec2',
      operation: 'TerminateEverything',
      errorCode: 'InvalidAction',
    });
  });

  it('escapes XML in responses', async () => {
    const response = await fetch(sim.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=DescribeVpcs&Version=2016-11-15&VpcId.1=${encodeURIComponent("<a href='x'>&")}`,
    });
    expect(await response.text()).toContain('&lt;a href=&apos;x&apos;&gt;&amp;');
  });
});

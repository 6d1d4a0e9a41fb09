/**
 * The adapters' batch constants, exercised past their limit against the simulator: each adapter
 * gets more items than its constant allows in one call, and the test asserts the results and the
 * exact number of calls. Where AWS caps a call, the simulator enforces the cap (test/sim/README.md,
 * "Conformance: what the simulator holds to"), so raising a constant above AWS's limit makes the
 * simulator reject the call and fails the test; raising or lowering any constant changes the call
 * counts asserted here.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DESCRIBE_TAGS_MAX_ARNS,
  DESCRIBE_TARGET_GROUPS_MAX_IDS,
  EC2_PAGE_SIZE,
  ec2EndpointSource,
  elbv2TargetGroups,
  IDS_PER_FILTER,
  TAG_FILTER_MAX_VALUES,
  TAGGING_PAGE_SIZE,
  TARGET_GROUPS_PAGE_SIZE,
  TARGETS_PER_CALL,
} from '@vpce-target-sync/functions';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../sim/index.ts';

// The product's constants, pinned: each is at AWS's limit (or, where AWS documents none, at the value
// observed from AWS, in test/sim/README.md, or the AWS Load Balancer Controller's 200 targets a call),
// and the item counts below are chosen against these values.
const LIMITS = {
  IDS_PER_FILTER: 200,
  EC2_PAGE_SIZE: 1000,
  DESCRIBE_TARGET_GROUPS_MAX_IDS: 20,
  DESCRIBE_TAGS_MAX_ARNS: 20,
  TARGETS_PER_CALL: 200,
  TAGGING_PAGE_SIZE: 100,
  TAG_FILTER_MAX_VALUES: 20,
  TARGET_GROUPS_PAGE_SIZE: 400,
};

/** Endpoints (one ENI each): two full filter batches and a part one. */
const ENDPOINTS = 2 * LIMITS.IDS_PER_FILTER + 50;
/** Target groups in the account: more than two DescribeTargetGroups pages. */
const GROUPS = 2 * LIMITS.TARGET_GROUPS_PAGE_SIZE + 50;
/** Of them opted in, each naming an endpoint: more than two GetResources pages. */
const OPTED_IN = 2 * LIMITS.TAGGING_PAGE_SIZE + 50;
/** Targets registered at once: more than two RegisterTargets calls' worth. */
const TARGETS = 2 * LIMITS.TARGETS_PER_CALL + 50;
/** Ids looked up at once: more than two DescribeTargetGroups/DescribeTags calls' worth. */
const LOOKUPS = 2 * LIMITS.DESCRIBE_TARGET_GROUPS_MAX_IDS + 5;

const calls = (n: number, perCall: number): number => Math.ceil(n / perCall);

let sim: Simulator;
let ec2: EC2Client;
let elbv2: ElasticLoadBalancingV2Client;
let tagging: ResourceGroupsTaggingAPIClient;
let vpcId: string;
let endpointIds: string[];
let eniIps: Map<string, string>;
let groupArns: string[];
let groupNames: string[];

beforeAll(async () => {
  sim = await startSimulator();
  // One attempt: a call the simulator refuses fails the test instead of being retried.
  const config = { ...sim.clientConfig(), maxAttempts: 1 };
  ec2 = new EC2Client(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  tagging = new ResourceGroupsTaggingAPIClient(config);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  vpcId = vpc.Vpc?.VpcId ?? '';
  // A /20 holds 4,091 addresses: room for the endpoints' ENIs and the registered targets.
  const subnet = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.16.0/20', AvailabilityZone: 'us-east-1a' }),
  );
  endpointIds = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.s3',
        SubnetIds: [subnet.Subnet?.SubnetId ?? ''],
      }),
    );
    endpointIds.push(created.VpcEndpoint?.VpcEndpointId ?? '');
  }
  eniIps = new Map();
  for (const eni of (await ec2.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? []) {
    eniIps.set(eni.NetworkInterfaceId ?? '', eni.PrivateIpAddress ?? '');
  }
  groupArns = [];
  groupNames = [];
  for (let i = 0; i < GROUPS; i++) {
    const name = `batch-${i}`;
    const optedIn = i < OPTED_IN;
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTPS',
        Port: 443,
        VpcId: vpcId,
        TargetType: 'ip',
        Tags: [optedIn ? { Key: ENDPOINT_ID_TAG, Value: endpointIds[i] } : { Key: 'team', Value: 'other' }],
      }),
    );
    groupArns.push(created.TargetGroups?.[0]?.TargetGroupArn ?? '');
    groupNames.push(name);
  }
}, 120_000);
afterAll(() => sim.stop());

describe('the product pins its batch constants at these values', () => {
  it('has the constants this file counts calls with', () => {
    expect({
      IDS_PER_FILTER,
      EC2_PAGE_SIZE,
      DESCRIBE_TARGET_GROUPS_MAX_IDS,
      DESCRIBE_TAGS_MAX_ARNS,
      TARGETS_PER_CALL,
      TAGGING_PAGE_SIZE,
      TAG_FILTER_MAX_VALUES,
      TARGET_GROUPS_PAGE_SIZE,
    }).toEqual(LIMITS);
  });
});

describe('EC2 adapter (ec2EndpointSource) past IDS_PER_FILTER', () => {
  it(`finds ${ENDPOINTS} endpoints (and ignores unknown and repeated ids) in ${calls(ENDPOINTS, LIMITS.IDS_PER_FILTER)} DescribeVpcEndpoints calls`, async () => {
    const unknown = ['vpce-0123456789abcdef0', 'vpce-0123456789abcdef1'];
    const asked = [...endpointIds, ...unknown, ...endpointIds.slice(0, 10)];
    sim.resetCalls();
    const found = await ec2EndpointSource(ec2).endpoints(asked);
    expect([...found.keys()].sort()).toEqual([...endpointIds].sort());
    expect(found.get(endpointIds[0] ?? '')).toMatchObject({ state: 'available', vpcId });
    // 452 distinct ids: three batches of at most 200 values.
    expect(sim.callCount('DescribeVpcEndpoints')).toBe(
      calls(ENDPOINTS + unknown.length, LIMITS.IDS_PER_FILTER),
    );
    expect(sim.calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`finds ${ENDPOINTS} network interfaces in ${calls(ENDPOINTS, LIMITS.IDS_PER_FILTER)} DescribeNetworkInterfaces calls`, async () => {
    const eniIds = [...eniIps.keys()];
    expect(eniIds).toHaveLength(ENDPOINTS);
    sim.resetCalls();
    const found = await ec2EndpointSource(ec2).networkInterfaces(eniIds);
    expect(new Map([...found].map(([id, eni]) => [id, eni.ipv4]))).toEqual(eniIps);
    expect(sim.callCount('DescribeNetworkInterfaces')).toBe(calls(ENDPOINTS, LIMITS.IDS_PER_FILTER));
    // MaxResults is EC2_PAGE_SIZE on every page: above 1000 DescribeNetworkInterfaces would refuse it.
    expect(sim.calls.map((c) => c.params.MaxResults)).toEqual(
      Array(calls(ENDPOINTS, LIMITS.IDS_PER_FILTER)).fill(String(LIMITS.EC2_PAGE_SIZE)),
    );
  });

  it('would be refused one value past the limit: the simulator answers FilterLimitExceeded', async () => {
    const tooMany = endpointIds.slice(0, LIMITS.IDS_PER_FILTER + 1);
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: tooMany }] })),
    ).rejects.toMatchObject({ name: 'FilterLimitExceeded' });
    await expect(
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [
            { Name: 'network-interface-id', Values: [...eniIps.keys()].slice(0, LIMITS.IDS_PER_FILTER + 1) },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'FilterLimitExceeded' });
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: LIMITS.EC2_PAGE_SIZE + 1 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('ELBv2 and tagging adapter (elbv2TargetGroups) past each batch constant', () => {
  it(`lists ${GROUPS} target groups in ${calls(GROUPS, LIMITS.TARGET_GROUPS_PAGE_SIZE)} DescribeTargetGroups pages`, async () => {
    sim.resetCalls();
    const all = await elbv2TargetGroups(elbv2, tagging).listAll();
    expect(all.map((tg) => tg.arn)).toEqual(groupArns);
    expect(sim.callCount('DescribeTargetGroups')).toBe(calls(GROUPS, LIMITS.TARGET_GROUPS_PAGE_SIZE));
    expect(sim.calls.map((c) => c.params.PageSize)).toEqual(
      Array(calls(GROUPS, LIMITS.TARGET_GROUPS_PAGE_SIZE)).fill(String(LIMITS.TARGET_GROUPS_PAGE_SIZE)),
    );
  });

  it(`finds ${LOOKUPS} groups by ARN and ${LOOKUPS} by name in ${calls(LOOKUPS, LIMITS.DESCRIBE_TARGET_GROUPS_MAX_IDS)} DescribeTargetGroups calls each`, async () => {
    const arns = groupArns.slice(0, LOOKUPS);
    const names = groupNames.slice(LOOKUPS, 2 * LOOKUPS);
    sim.resetCalls();
    const found = await elbv2TargetGroups(elbv2, tagging).find([...arns, ...names]);
    expect(found.map((tg) => tg.arn).sort()).toEqual(groupArns.slice(0, 2 * LOOKUPS).sort());
    expect(sim.callCount('DescribeTargetGroups')).toBe(
      2 * calls(LOOKUPS, LIMITS.DESCRIBE_TARGET_GROUPS_MAX_IDS),
    );
    expect(sim.calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`reads the tags of ${LOOKUPS} groups in ${calls(LOOKUPS, LIMITS.DESCRIBE_TAGS_MAX_ARNS)} DescribeTags calls`, async () => {
    const arns = groupArns.slice(0, LOOKUPS);
    sim.resetCalls();
    const tags = await elbv2TargetGroups(elbv2, tagging).tags(arns);
    expect([...tags.keys()].sort()).toEqual([...arns].sort());
    expect(tags.get(arns[0] ?? '')).toEqual({ [ENDPOINT_ID_TAG]: endpointIds[0] });
    expect(sim.callCount('DescribeTags')).toBe(calls(LOOKUPS, LIMITS.DESCRIBE_TAGS_MAX_ARNS));
    expect(sim.calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`lists ${OPTED_IN} opted-in groups in ${calls(OPTED_IN, LIMITS.TAGGING_PAGE_SIZE)} GetResources pages`, async () => {
    sim.resetCalls();
    const optedIn = await elbv2TargetGroups(elbv2, tagging).listOptedIn();
    expect([...optedIn.keys()].sort()).toEqual(groupArns.slice(0, OPTED_IN).sort());
    expect(sim.callCount('GetResources')).toBe(calls(OPTED_IN, LIMITS.TAGGING_PAGE_SIZE));
    expect(sim.calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`looks up the groups of ${LOOKUPS} endpoints with ${calls(LOOKUPS, LIMITS.TAG_FILTER_MAX_VALUES)} tag filters, one GetResources page each`, async () => {
    const wanted = endpointIds.slice(0, LOOKUPS);
    sim.resetCalls();
    const optedIn = await elbv2TargetGroups(elbv2, tagging).listOptedIn(wanted);
    expect([...optedIn.keys()].sort()).toEqual(groupArns.slice(0, LOOKUPS).sort());
    expect(sim.callCount('GetResources')).toBe(calls(LOOKUPS, LIMITS.TAG_FILTER_MAX_VALUES));
    expect(sim.calls.every((c) => c.status === 200)).toBe(true);
  });

  it(`registers and deregisters ${TARGETS} targets in ${calls(TARGETS, LIMITS.TARGETS_PER_CALL)} calls each`, async () => {
    const arn = groupArns[GROUPS - 1] ?? '';
    // Addresses of the subnet (10.0.16.0/20) above the endpoints' ENIs.
    const targets = Array.from({ length: TARGETS }, (_, i) => ({
      id: `10.0.${20 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      port: 443,
    }));
    const groups = elbv2TargetGroups(elbv2, tagging);
    sim.resetCalls();
    await groups.register(arn, targets);
    expect(sim.callCount('RegisterTargets')).toBe(calls(TARGETS, LIMITS.TARGETS_PER_CALL));
    const health = await groups.health(arn);
    expect(health.map((t) => t.id).sort()).toEqual(targets.map((t) => t.id).sort());
    sim.resetCalls();
    await groups.deregister(arn, targets);
    expect(sim.callCount('DeregisterTargets')).toBe(calls(TARGETS, LIMITS.TARGETS_PER_CALL));
    const after = await groups.health(arn);
    expect(after.every((t) => t.state === 'draining')).toBe(true);
    expect(after).toHaveLength(TARGETS);
  });

  it('would be refused one id past the limit: the simulator answers ValidationError', async () => {
    await expect(
      elbv2.send(
        new DescribeTargetGroupsCommand({
          TargetGroupArns: groupArns.slice(0, LIMITS.DESCRIBE_TARGET_GROUPS_MAX_IDS + 1),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elbv2.send(
        new DescribeTagsCommand({ ResourceArns: groupArns.slice(0, LIMITS.DESCRIBE_TAGS_MAX_ARNS + 1) }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ PageSize: LIMITS.TARGET_GROUPS_PAGE_SIZE + 1 })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      tagging.send(new GetResourcesCommand({ ResourcesPerPage: LIMITS.TAGGING_PAGE_SIZE + 1 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      tagging.send(
        new GetResourcesCommand({
          TagFilters: [
            { Key: ENDPOINT_ID_TAG, Values: endpointIds.slice(0, LIMITS.TAG_FILTER_MAX_VALUES + 1) },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

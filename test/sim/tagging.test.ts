import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  GetResourcesCommand,
  type GetResourcesOutput,
  paginateGetResources,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const ENDPOINT_TAG = 'vpce-target-sync:endpoint-id';

let sim: Simulator;
let elbv2: ElasticLoadBalancingV2Client;
let tagging: ResourceGroupsTaggingAPIClient;
let network: Network;

beforeEach(async () => {
  sim = await startSimulator();
  const clients = clientsFor(sim);
  elbv2 = clients.elbv2;
  tagging = clients.tagging;
  network = await createNetwork(clients.ec2);
});
afterEach(() => sim.stop());

async function targetGroup(name: string, tags: Record<string, string>): Promise<string> {
  const created = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 443,
      VpcId: network.vpcId,
      TargetType: 'ip',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return created.TargetGroups?.[0]?.TargetGroupArn ?? '';
}

const arnsOf = (result: GetResourcesOutput) =>
  result.ResourceTagMappingList?.map((mapping) => mapping.ResourceARN);

describe('GetResources', () => {
  it('finds target groups by tag key, and by key and value, with their tags', async () => {
    const a = await targetGroup('site-a', { [ENDPOINT_TAG]: 'vpce-0a', team: 'web' });
    const b = await targetGroup('site-b', { [ENDPOINT_TAG]: 'vpce-0b' });
    await targetGroup('other', { team: 'web' });
    const byKey = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: ENDPOINT_TAG }] }));
    expect(arnsOf(byKey)).toEqual([a, b]);
    expect(byKey.ResourceTagMappingList?.[0]?.Tags).toEqual([
      { Key: ENDPOINT_TAG, Value: 'vpce-0a' },
      { Key: 'team', Value: 'web' },
    ]);
    const byValue = await tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: ENDPOINT_TAG, Values: ['vpce-0b'] }] }),
    );
    expect(arnsOf(byValue)).toEqual([b]);
    const both = await tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: ENDPOINT_TAG }, { Key: 'team', Values: ['web'] }] }),
    );
    expect(arnsOf(both)).toEqual([a]);
  });

  it('narrows by resource type and never lists untagged resources', async () => {
    const group = await targetGroup('site-a', { team: 'web' });
    await targetGroup('untagged', {});
    const balancer = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'alb',
        Subnets: [network.subnetIds[0], network.subnetIds[1]],
        Tags: [{ Key: 'team', Value: 'web' }],
      }),
    );
    const groups = await tagging.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['elasticloadbalancing:targetgroup'] }),
    );
    expect(arnsOf(groups)).toEqual([group]);
    const everything = await tagging.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['elasticloadbalancing'] }),
    );
    expect(arnsOf(everything)).toEqual([group, balancer.LoadBalancers?.[0]?.LoadBalancerArn]);
  });

  it('pages with ResourcesPerPage and ends with an empty PaginationToken', async () => {
    const arns = [];
    for (let i = 0; i < 5; i++) arns.push(await targetGroup(`site-${i}`, { [ENDPOINT_TAG]: `vpce-${i}` }));
    const pages = [];
    for await (const page of paginateGetResources(
      { client: tagging, pageSize: 2 },
      { TagFilters: [{ Key: ENDPOINT_TAG }] },
    )) {
      pages.push(page);
    }
    expect(pages.map((page) => page.ResourceTagMappingList?.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap(arnsOf)).toEqual(arns);
    expect(pages.at(-1)?.PaginationToken).toBe('');
  });

  it('refuses more than 100 resources per page and forged tokens', async () => {
    await expect(tagging.send(new GetResourcesCommand({ ResourcesPerPage: 101 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(tagging.send(new GetResourcesCommand({ PaginationToken: 'forged' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

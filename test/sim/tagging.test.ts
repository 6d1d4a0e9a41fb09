import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  RemoveTagsCommand,
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

describe('GetResources limits and previously tagged resources', () => {
  it('refuses more than 100 ARNs, ARNs with type filters or paging, and TagsPerPage outside 100-500', async () => {
    const arn = await targetGroup('site-a', { team: 'web' });
    const refused = [
      { ResourceARNList: Array(101).fill(arn) },
      { ResourceARNList: [arn], ResourceTypeFilters: ['elasticloadbalancing:targetgroup'] },
      { ResourceARNList: [arn], ResourcesPerPage: 10 },
      { TagsPerPage: 99 },
      { TagsPerPage: 501 },
    ];
    for (const input of refused) {
      await expect(tagging.send(new GetResourcesCommand(input))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
    expect(
      arnsOf(await tagging.send(new GetResourcesCommand({ ResourceARNList: Array(100).fill(arn) }))),
    ).toEqual([arn]);
  });

  it('takes at most 50 tag filters of at most 20 values each', async () => {
    const arn = await targetGroup('site-a', { k0: 'v0' });
    const filters = (count: number, values: number) =>
      Array.from({ length: count }, (_, i) => ({
        Key: `k${i}`,
        Values: Array.from({ length: values }, (_, j) => `v${j}`),
      }));
    expect(arnsOf(await tagging.send(new GetResourcesCommand({ TagFilters: filters(1, 20) })))).toEqual([
      arn,
    ]);
    await tagging.send(new GetResourcesCommand({ TagFilters: filters(50, 1) }));
    for (const TagFilters of [filters(51, 1), filters(1, 21)]) {
      await expect(tagging.send(new GetResourcesCommand({ TagFilters }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
  });

  it('lists a resource whose tags were all removed with an empty tag set, unless a tag filter asks for a key', async () => {
    const a = await targetGroup('site-a', { team: 'web' });
    await targetGroup('never-tagged', {});
    await elbv2.send(new RemoveTagsCommand({ ResourceArns: [a], TagKeys: ['team'] }));
    const all = await tagging.send(new GetResourcesCommand({}));
    expect(all.ResourceTagMappingList).toEqual([{ ResourceARN: a, Tags: [] }]);
    expect(arnsOf(await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: 'team' }] })))).toEqual(
      [],
    );
  });
});

describe('the tagging index lags behind the resources', () => {
  const LAG = 60_000;
  const byKey = async () =>
    (
      await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: ENDPOINT_TAG }] }))
    ).ResourceTagMappingList?.map((m) => [
      m.ResourceARN,
      Object.fromEntries((m.Tags ?? []).map((t) => [t.Key, t.Value])),
    ]);
  const describedTags = async (arn: string) =>
    (await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }))).TagDescriptions?.[0]?.Tags?.map(
      (t) => t.Key,
    );

  beforeEach(async () => {
    await sim.stop();
    sim = await startSimulator({ taggingLagMs: LAG });
    const clients = clientsFor(sim);
    elbv2 = clients.elbv2;
    tagging = clients.tagging;
    network = await createNetwork(clients.ec2);
  });

  it('misses a just-created group and a just-added tag, which DescribeTags already shows', async () => {
    const arn = await targetGroup('site-a', { [ENDPOINT_TAG]: 'vpce-0a' });
    expect(await byKey()).toEqual([]);
    sim.clock.advance(LAG + 1_000);
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a' }]]);
    await elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: 'policy', Value: 'observe' }] }),
    );
    expect(await describedTags(arn)).toEqual([ENDPOINT_TAG, 'policy']);
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a' }]]);
    sim.clock.advance(LAG + 1_000);
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a', policy: 'observe' }]]);
  });

  it('still returns a just-removed tag and a just-deleted group with its old tags', async () => {
    const kept = await targetGroup('site-a', { [ENDPOINT_TAG]: 'vpce-0a' });
    const deleted = await targetGroup('site-b', { [ENDPOINT_TAG]: 'vpce-0b' });
    sim.clock.advance(LAG + 1_000);
    await elbv2.send(new RemoveTagsCommand({ ResourceArns: [kept], TagKeys: [ENDPOINT_TAG] }));
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: deleted }));
    expect(await describedTags(kept)).toEqual([]);
    sim.clock.advance(LAG - 1_000);
    expect(await byKey()).toEqual([
      [kept, { [ENDPOINT_TAG]: 'vpce-0a' }],
      [deleted, { [ENDPOINT_TAG]: 'vpce-0b' }],
    ]);
    sim.clock.advance(2_000);
    expect(await byKey()).toEqual([]);
  });

  it('can be turned on after seeding, and off again', async () => {
    sim.setTaggingLag(0);
    const arn = await targetGroup('site-a', { [ENDPOINT_TAG]: 'vpce-0a' });
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a' }]]);
    sim.clock.advance(5_000);
    sim.setTaggingLag(30_000);
    // Created 5 s ago, inside the 30 s window: the index has not seen it yet.
    expect(await byKey()).toEqual([]);
    sim.clock.advance(26_000);
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a' }]]);
    await elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: ENDPOINT_TAG, Value: 'vpce-0b' }] }),
    );
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0a' }]]);
    sim.setTaggingLag(0);
    expect(await byKey()).toEqual([[arn, { [ENDPOINT_TAG]: 'vpce-0b' }]]);
    expect(() => sim.setTaggingLag(-1)).toThrow(RangeError);
  });
});

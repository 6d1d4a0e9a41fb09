import { CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let clients: Clients;
let elbv2: ElasticLoadBalancingV2Client;
let network: Network;

beforeEach(async () => {
  sim = await startSimulator();
  clients = clientsFor(sim);
  elbv2 = clients.elbv2;
  network = await createNetwork(clients.ec2);
});
afterEach(() => sim.stop());

async function targetGroup(
  name: string,
  extra: { IpAddressType?: 'ipv4' | 'ipv6'; TargetType?: 'ip' | 'instance' } = {},
) {
  const created = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 443,
      VpcId: network.vpcId,
      TargetType: 'ip',
      Matcher: { HttpCode: '200,307,405' },
      Tags: [{ Key: 'vpce-target-sync:endpoint-id', Value: 'vpce-0123456789abcdef0' }],
      ...extra,
    }),
  );
  return created.TargetGroups?.[0]?.TargetGroupArn ?? '';
}

async function loadBalancerWithListener(targetGroupArn: string) {
  const balancer = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'site',
      Subnets: [network.subnetIds[0], network.subnetIds[1]],
      Scheme: 'internal',
    }),
  );
  const loadBalancerArn = balancer.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    }),
  );
  return loadBalancerArn;
}

async function health(arn: string) {
  const described = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (described.TargetHealthDescriptions ?? []).map((d) => ({
    id: d.Target?.Id,
    port: d.Target?.Port,
    state: d.TargetHealth?.State,
    reason: d.TargetHealth?.Reason,
  }));
}

describe('target groups', () => {
  it('creates a target group with AWS defaults and the given matcher and tags', async () => {
    const arn = await targetGroup('site-a');
    expect(arn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/site-a\/[0-9a-f]{16}$/,
    );
    const described = await elbv2.send(new DescribeTargetGroupsCommand({ Names: ['site-a'] }));
    expect(described.TargetGroups?.[0]).toMatchObject({
      TargetGroupArn: arn,
      Protocol: 'HTTP',
      Port: 443,
      VpcId: network.vpcId,
      TargetType: 'ip',
      IpAddressType: 'ipv4',
      HealthCheckPort: 'traffic-port',
      HealthCheckPath: '/',
      Matcher: { HttpCode: '200,307,405' },
      LoadBalancerArns: [],
    });
  });

  it('returns the existing group for the same name and settings, refuses different settings', async () => {
    const arn = await targetGroup('site-a');
    expect(await targetGroup('site-a')).toBe(arn);
    await expect(
      elbv2.send(
        new CreateTargetGroupCommand({
          Name: 'site-a',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: network.vpcId,
          TargetType: 'ip',
        }),
      ),
    ).rejects.toMatchObject({ name: 'DuplicateTargetGroupNameException', Code: 'DuplicateTargetGroupName' });
  });

  it('validates names, VPC and matcher codes', async () => {
    await expect(targetGroup('-bad')).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(targetGroup('x'.repeat(33))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elbv2.send(
        new CreateTargetGroupCommand({
          Name: 'a',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: 'vpc-0123456789abcdef0',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elbv2.send(
        new CreateTargetGroupCommand({
          Name: 'a',
          Protocol: 'HTTP',
          Port: 80,
          VpcId: network.vpcId,
          Matcher: { HttpCode: '100' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('fails DescribeTargetGroups for any unknown ARN or name', async () => {
    const arn = await targetGroup('site-a');
    const unknownArn = arn.replace(/[0-9a-f]{16}$/, '0000000000000000');
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn, unknownArn] })),
    ).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ Names: ['site-a', 'nope'] })),
    ).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('pages with PageSize and Marker and rejects page sizes outside 1-400', async () => {
    const arns = [];
    for (let i = 0; i < 5; i++) arns.push(await targetGroup(`site-${i}`));
    const pages = [];
    // This paginator ignores config.pageSize (its page-size token is empty): PageSize goes in the input.
    for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, { PageSize: 2 }))
      pages.push(page);
    expect(pages.map((page) => page.TargetGroups?.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.TargetGroups?.map((group) => group.TargetGroupArn))).toEqual(arns);
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 401 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 0 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('lists the groups of a load balancer and fills LoadBalancerArns once a listener forwards to them', async () => {
    const used = await targetGroup('used');
    await targetGroup('unused');
    const loadBalancerArn = await loadBalancerWithListener(used);
    const described = await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn }));
    expect(described.TargetGroups?.map((group) => [group.TargetGroupName, group.LoadBalancerArns])).toEqual([
      ['used', [loadBalancerArn]],
    ]);
  });

  it('refuses to delete a group in use, deletes it once its load balancer is gone', async () => {
    const arn = await targetGroup('site-a');
    const loadBalancerArn = await loadBalancerWithListener(arn);
    await expect(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
    });
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: loadBalancerArn }));
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
    ).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });
});

describe('tags', () => {
  it('adds, describes and removes tags', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [arn],
        Tags: [{ Key: 'vpce-target-sync:policy', Value: 'observe' }],
      }),
    );
    await elbv2.send(
      new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: ['vpce-target-sync:endpoint-id'] }),
    );
    const described = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(described.TagDescriptions).toEqual([
      { ResourceArn: arn, Tags: [{ Key: 'vpce-target-sync:policy', Value: 'observe' }] },
    ]);
  });

  it('accepts at most 20 ARNs per DescribeTags', async () => {
    const arn = await targetGroup('site-a');
    await expect(
      elbv2.send(new DescribeTagsCommand({ ResourceArns: Array(21).fill(arn) })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(
      elbv2.send(new DescribeTagsCommand({ ResourceArns: Array(20).fill(arn) })),
    ).resolves.toMatchObject({
      TagDescriptions: expect.arrayContaining([expect.objectContaining({ ResourceArn: arn })]),
    });
  });

  it('names the missing resource kind for unknown ARNs', async () => {
    const arn = await targetGroup('site-a');
    await expect(
      elbv2.send(
        new DescribeTagsCommand({ ResourceArns: [arn.replace(/[0-9a-f]{16}$/, '0000000000000000')] }),
      ),
    ).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    await expect(
      elbv2.send(
        new DescribeTagsCommand({
          ResourceArns: [
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/nope/0000000000000000',
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'LoadBalancerNotFoundException' });
  });

  it('refuses more than 50 tags on a resource and changes nothing', async () => {
    const arn = await targetGroup('site-a');
    const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: tags }))).rejects.toMatchObject({
      name: 'TooManyTagsException',
    });
    const described = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(described.TagDescriptions?.[0]?.Tags).toHaveLength(1);
  });
});

describe('targets', () => {
  it('registers IP targets on the group port and reports them unused while no load balancer uses the group', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.1.4' }, { Id: '10.0.2.4', Port: 8443 }],
      }),
    );
    expect(await health(arn)).toEqual([
      { id: '10.0.1.4', port: 443, state: 'unused', reason: 'Target.NotInUse' },
      { id: '10.0.2.4', port: 8443, state: 'unused', reason: 'Target.NotInUse' },
    ]);
  });

  it('reports targets healthy, in their subnet zone, once a listener forwards to the group', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.2.4' }] }));
    const described = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    expect(described.TargetHealthDescriptions).toEqual([
      {
        Target: { Id: '10.0.2.4', Port: 443, AvailabilityZone: 'us-east-1b' },
        HealthCheckPort: '443',
        TargetHealth: { State: 'healthy' },
      },
    ]);
  });

  it('is idempotent for targets already registered', async () => {
    const arn = await targetGroup('site-a');
    const register = () =>
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    await register();
    await register();
    expect(await health(arn)).toHaveLength(1);
  });

  it('refuses IPs outside the VPC, of the wrong family, and ports out of range', async () => {
    const arn = await targetGroup('site-a');
    const register = (Id: string, Port?: number) =>
      elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: [{ Id, ...(Port === undefined ? {} : { Port }) }],
        }),
      );
    await expect(register('10.9.0.4')).rejects.toMatchObject({ name: 'InvalidTargetException' });
    await expect(register('2600:1f18::4')).rejects.toMatchObject({ name: 'InvalidTargetException' });
    await expect(register('10.0.1.4', 0)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(register('10.0.1.4', 65536)).rejects.toMatchObject({ name: 'ValidationError' });
    expect(await health(arn)).toEqual([]);
  });

  it('registers IPs outside the VPC when the zone is "all"', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '192.168.0.10', AvailabilityZone: 'all' }],
      }),
    );
    expect((await health(arn)).map((t) => t.id)).toEqual(['192.168.0.10']);
  });

  it('takes IPv6 targets in an IPv6 group only', async () => {
    const arn = await targetGroup('site-v6', { IpAddressType: 'ipv6' });
    const inVpc = network.vpcIpv6Cidr.replace(/::\/56$/, '::10');
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: inVpc }] }));
    await expect(
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] })),
    ).rejects.toMatchObject({
      name: 'InvalidTargetException',
    });
    expect((await health(arn)).map((t) => t.id)).toEqual([inVpc]);
  });

  it('fails for unknown target groups', async () => {
    const arn = (await targetGroup('site-a')).replace(/[0-9a-f]{16}$/, '0000000000000000');
    await expect(
      elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] })),
    ).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
    await expect(elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('refuses to deregister a target that is not registered', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    await expect(
      elbv2.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: [{ Id: '10.0.1.4' }, { Id: '10.0.1.5' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidTargetException' });
    expect((await health(arn)).map((t) => t.state)).toEqual(['unused']);
  });

  it('drains deregistered targets for the deregistration delay, then forgets them', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }, { Id: '10.0.2.4' }] }),
    );
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    expect(await health(arn)).toEqual([
      { id: '10.0.1.4', port: 443, state: 'draining', reason: 'Target.DeregistrationInProgress' },
      { id: '10.0.2.4', port: 443, state: 'healthy', reason: undefined },
    ]);
    sim.clock.advance(299_000);
    expect((await health(arn)).map((t) => t.state)).toEqual(['draining', 'healthy']);
    sim.clock.advance(1_000);
    expect((await health(arn)).map((t) => t.id)).toEqual(['10.0.2.4']);
  });

  it('describes requested targets, reporting unregistered ones as Target.NotRegistered', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    const described = await elbv2.send(
      new DescribeTargetHealthCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: '10.0.1.4' }, { Id: '10.0.1.9', Port: 443 }],
      }),
    );
    expect(described.TargetHealthDescriptions?.map((d) => [d.Target?.Id, d.TargetHealth?.Reason])).toEqual([
      ['10.0.1.4', 'Target.NotInUse'],
      ['10.0.1.9', 'Target.NotRegistered'],
    ]);
  });
});

describe('targets with a health check delay', () => {
  beforeEach(async () => {
    await sim.stop();
    sim = await startSimulator({ healthyAfterMs: 30_000 });
    clients = clientsFor(sim);
    elbv2 = clients.elbv2;
    network = await createNetwork(clients.ec2);
  });

  it('reports a new target initial until healthyAfterMs has passed', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    expect((await health(arn))[0]).toMatchObject({ state: 'initial', reason: 'Elb.RegistrationInProgress' });
    // Real time keeps running under the simulated clock, so stay a second clear of the boundary.
    sim.clock.advance(29_000);
    expect((await health(arn))[0]?.state).toBe('initial');
    sim.clock.advance(1_000);
    expect((await health(arn))[0]?.state).toBe('healthy');
  });

  it('makes a draining target initial again when it is registered again', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    const target = { TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] };
    await elbv2.send(new RegisterTargetsCommand(target));
    sim.clock.advance(30_000);
    await elbv2.send(new DeregisterTargetsCommand(target));
    expect((await health(arn))[0]?.state).toBe('draining');
    await elbv2.send(new RegisterTargetsCommand(target));
    expect((await health(arn))[0]?.state).toBe('initial');
    sim.clock.advance(30_000);
    expect((await health(arn))[0]?.state).toBe('healthy');
  });
});

describe('load balancers and listeners', () => {
  it('creates an application load balancer across two zones and describes it', async () => {
    const group = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'ALB', VpcId: network.vpcId }),
    );
    const created = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'site',
        Subnets: [network.subnetIds[0], network.subnetIds[1]],
        SecurityGroups: [group.GroupId ?? ''],
        Scheme: 'internal',
        Type: 'application',
      }),
    );
    const arn = created.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    expect(arn).toMatch(/:loadbalancer\/app\/site\/[0-9a-f]{16}$/);
    const described = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['site'] }));
    expect(described.LoadBalancers?.[0]).toMatchObject({
      LoadBalancerArn: arn,
      Scheme: 'internal',
      VpcId: network.vpcId,
      State: { Code: 'active' },
      DNSName: expect.stringMatching(/^internal-site-\d+\.us-east-1\.elb\.amazonaws\.com$/),
      SecurityGroups: [group.GroupId],
      AvailabilityZones: [
        { ZoneName: 'us-east-1a', SubnetId: network.subnetIds[0], LoadBalancerAddresses: [] },
        { ZoneName: 'us-east-1b', SubnetId: network.subnetIds[1], LoadBalancerAddresses: [] },
      ],
    });
  });

  it('needs two zones for an application load balancer', async () => {
    await expect(
      elbv2.send(new CreateLoadBalancerCommand({ Name: 'site', Subnets: [network.subnetIds[0]] })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('refuses a second listener on the same port and listeners for unknown groups', async () => {
    const arn = await targetGroup('site-a');
    const loadBalancerArn = await loadBalancerWithListener(arn);
    const listener = (TargetGroupArn: string) =>
      elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: loadBalancerArn,
          Port: 80,
          DefaultActions: [{ Type: 'forward', TargetGroupArn }],
        }),
      );
    await expect(listener(arn)).rejects.toMatchObject({ name: 'DuplicateListenerException' });
    await expect(listener(arn.replace(/[0-9a-f]{16}$/, '0000000000000000'))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });
});

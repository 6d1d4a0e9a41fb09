import { AssociateVpcCidrBlockCommand, CreateSecurityGroupCommand } from '@aws-sdk/client-ec2';
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
  ElasticLoadBalancingV2Client,
  paginateDescribeTargetGroups,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clients, clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from './index.ts';

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

  it('succeeds deregistering a target that is not registered (or not on that port) and leaves it alone', async () => {
    const arn = await targetGroup('site-a');
    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4', Port: 8443 }] }),
    );
    // The API reference: "If the specified target does not exist, the action returns successfully."
    await elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: arn,
        // 10.0.1.4 without its port override means 10.0.1.4:443, which is not registered.
        Targets: [{ Id: '10.0.1.4' }, { Id: '10.0.1.5' }],
      }),
    );
    expect(await health(arn)).toEqual([
      { id: '10.0.1.4', port: 8443, state: 'unused', reason: 'Target.NotInUse' },
    ]);
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

  it('makes a draining instance initial again when it is registered again', async () => {
    const arn = await targetGroup('site-i', { TargetType: 'instance' });
    await loadBalancerWithListener(arn);
    const target = { TargetGroupArn: arn, Targets: [{ Id: 'i-0123456789abcdef0' }] };
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

async function restart(options: SimulatorOptions): Promise<void> {
  await sim.stop();
  sim = await startSimulator(options);
  clients = clientsFor(sim);
  elbv2 = clients.elbv2;
  network = await createNetwork(clients.ec2);
}

/** `count` distinct addresses of the test VPC (10.0.0.0/16), 250 per /24 from 10.0.1.4 on. */
const vpcIps = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    Id: `10.0.${1 + Math.floor((from + i) / 250)}.${4 + ((from + i) % 250)}`,
  }));

const register = (
  TargetGroupArn: string,
  Targets: { Id: string; Port?: number; AvailabilityZone?: string }[],
) => elbv2.send(new RegisterTargetsCommand({ TargetGroupArn, Targets }));

describe('per-call limits', () => {
  it('describes at most 20 target groups by ARN or by name per DescribeTargetGroups call', async () => {
    const arns = [];
    for (let i = 0; i < 21; i++) arns.push(await targetGroup(`site-${i}`));
    const byArn = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(0, 20) }));
    expect(byArn.TargetGroups).toHaveLength(20);
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: "You cannot describe more than '20' target groups at a time",
    });
    const names = arns.map((_, i) => `site-${i}`);
    expect(
      (await elbv2.send(new DescribeTargetGroupsCommand({ Names: names.slice(0, 20) }))).TargetGroups,
    ).toHaveLength(20);
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ Names: names }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('describes at most 20 load balancers by ARN and pages them with PageSize 1-400', async () => {
    const arn = (
      await elbv2.send(
        new CreateLoadBalancerCommand({ Name: 'alb', Subnets: [network.subnetIds[0], network.subnetIds[1]] }),
      )
    ).LoadBalancers?.[0]?.LoadBalancerArn;
    const fakes = Array.from(
      { length: 20 },
      (_, i) => `${arn?.slice(0, -16)}${i.toString(16).padStart(16, '0')}`,
    );
    await expect(
      elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn ?? '', ...fakes] })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 401 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(
      (await elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 400 }))).LoadBalancers,
    ).toHaveLength(1);
  });

  it('takes a whole quota of targets in one RegisterTargets, DescribeTargetHealth and DeregisterTargets call', async () => {
    const arn = await targetGroup('site-a');
    await register(arn, vpcIps(200));
    await register(arn, vpcIps(800, 200));
    const all = vpcIps(1000);
    const described = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: all }),
    );
    expect(described.TargetHealthDescriptions).toHaveLength(1000);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: all }));
    expect(new Set((await health(arn)).map((t) => t.state))).toEqual(new Set(['draining']));
  });
});

describe('ARNs of another region or account', () => {
  const otherRegion = (arn: string) => arn.replace(':us-east-1:', ':us-west-2:');
  const otherAccount = (arn: string) => arn.replace(':123456789012:', ':210987654321:');

  it('fails the whole DescribeTargetGroups call with ValidationError, not TargetGroupNotFound', async () => {
    const arn = await targetGroup('site-a');
    for (const foreign of [otherRegion(arn), otherAccount(arn), 'site-a']) {
      await expect(
        elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn, foreign] })),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: `'${foreign}' is not a valid target group ARN`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it('answers ValidationError from DescribeTags, DescribeTargetHealth, RegisterTargets and DeregisterTargets', async () => {
    const arn = await targetGroup('site-a');
    for (const foreign of [otherRegion(arn), otherAccount(arn)]) {
      const validationError = {
        name: 'ValidationError',
        message: `'${foreign}' is not a valid target group ARN`,
      };
      await expect(
        elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn, foreign] })),
      ).rejects.toMatchObject(validationError);
      await expect(
        elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: foreign })),
      ).rejects.toMatchObject(validationError);
      await expect(register(foreign, [{ Id: '10.0.1.4' }])).rejects.toMatchObject(validationError);
      await expect(
        elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: foreign, Targets: [{ Id: '10.0.1.4' }] })),
      ).rejects.toMatchObject(validationError);
    }
    const balancer =
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/alb/0000000000000000';
    await expect(elbv2.send(new DescribeTagsCommand({ ResourceArns: [balancer] }))).rejects.toMatchObject({
      name: 'ValidationError',
      message: `'${balancer}' is not a valid load balancer ARN`,
    });
  });

  it('answers a client of another region with ValidationError for this region’s ARN', async () => {
    const arn = await targetGroup('site-a');
    const west = new ElasticLoadBalancingV2Client(sim.clientConfig({ region: 'us-west-2' }));
    await expect(
      west.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(west.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});

describe('the targets-per-target-group quota', () => {
  beforeEach(() => restart({ targetsPerTargetGroup: 3 }));

  it('refuses a registration beyond the quota with TooManyTargets and registers none of the call', async () => {
    const arn = await targetGroup('site-a');
    await register(arn, vpcIps(2));
    await expect(register(arn, vpcIps(2, 2))).rejects.toMatchObject({
      name: 'TooManyTargetsException',
      message: 'You cannot have more than 3 targets per target group',
    });
    expect(await health(arn)).toHaveLength(2);
    // Targets already registered, and the same target twice in one call, count once.
    await register(arn, [...vpcIps(2), ...vpcIps(1, 2), ...vpcIps(1, 2)]);
    expect(await health(arn)).toHaveLength(3);
  });

  it('does not count draining targets', async () => {
    const arn = await targetGroup('site-a');
    await register(arn, vpcIps(3));
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: vpcIps(1) }));
    await register(arn, vpcIps(1, 3));
    expect((await health(arn)).map((t) => t.state).sort()).toEqual([
      'draining',
      'unused',
      'unused',
      'unused',
    ]);
    await expect(register(arn, vpcIps(1, 4))).rejects.toMatchObject({ name: 'TooManyTargetsException' });
  });

  it('counts a draining instance registered again', async () => {
    const arn = await targetGroup('site-i', { TargetType: 'instance' });
    const instances = ['i-0000000000000000a', 'i-0000000000000000b', 'i-0000000000000000c'].map((Id) => ({
      Id,
    }));
    await register(arn, instances);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: instances.slice(0, 1) }));
    await register(arn, [{ Id: 'i-0000000000000000d' }]);
    await expect(register(arn, instances.slice(0, 1))).rejects.toMatchObject({
      name: 'TooManyTargetsException',
    });
  });
});

describe('registering an IP that is still draining', () => {
  it('succeeds and changes nothing: the target drains out, then it can be registered', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    await register(arn, [{ Id: '10.0.1.4' }, { Id: '10.0.2.4' }]);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    sim.clock.advance(100_000);
    await register(arn, [{ Id: '10.0.1.4' }, { Id: '10.0.2.4' }]);
    expect(await health(arn)).toEqual([
      { id: '10.0.1.4', port: 443, state: 'draining', reason: 'Target.DeregistrationInProgress' },
      { id: '10.0.2.4', port: 443, state: 'healthy', reason: undefined },
    ]);
    // The delay still runs from the deregistration, not from the second registration.
    sim.clock.advance(200_000);
    expect((await health(arn)).map((t) => t.id)).toEqual(['10.0.2.4']);
    await register(arn, [{ Id: '10.0.1.4' }]);
    expect((await health(arn)).map((t) => [t.id, t.state])).toEqual([
      ['10.0.2.4', 'healthy'],
      ['10.0.1.4', 'healthy'],
    ]);
  });

  it('re-registers a draining instance at once', async () => {
    const arn = await targetGroup('site-i', { TargetType: 'instance' });
    await loadBalancerWithListener(arn);
    const target = { Id: 'i-0123456789abcdef0' };
    await register(arn, [target]);
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [target] }));
    await register(arn, [target]);
    expect((await health(arn)).map((t) => t.state)).toEqual(['healthy']);
    sim.clock.advance(301_000);
    expect((await health(arn)).map((t) => t.state)).toEqual(['healthy']);
  });
});

describe('target health states', () => {
  const describeOne = async (arn: string) =>
    (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions?.[0]
      ?.TargetHealth;

  it('reports what setTargetHealth imposes, with AWS reason codes, until it is cleared', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn);
    await register(arn, [{ Id: '10.0.1.4' }]);
    sim.setTargetHealth(
      arn,
      { id: '10.0.1.4' },
      { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' },
    );
    expect(await describeOne(arn)).toEqual({
      State: 'unhealthy',
      Reason: 'Target.ResponseCodeMismatch',
      Description: 'Health checks failed with these codes: [502]',
    });
    sim.setTargetHealth(arn, { id: '10.0.1.4', port: 443 }, { state: 'unhealthy', reason: 'Target.Timeout' });
    expect(await describeOne(arn)).toMatchObject({ State: 'unhealthy', Reason: 'Target.Timeout' });
    sim.setTargetHealth(arn, { id: '10.0.1.4' }, { state: 'unhealthy' });
    expect(await describeOne(arn)).toMatchObject({ State: 'unhealthy', Reason: 'Target.FailedHealthChecks' });
    sim.setTargetHealth(arn, { id: '10.0.1.4' }, { state: 'unavailable' });
    expect(await describeOne(arn)).toMatchObject({ State: 'unavailable', Reason: 'Elb.InternalError' });
    sim.setTargetHealth(arn, { id: '10.0.1.4' }, undefined);
    expect(await describeOne(arn)).toEqual({ State: 'healthy' });
  });

  it('refuses a state/reason pair the TargetHealth reference does not list', async () => {
    const arn = await targetGroup('site-a');
    expect(() =>
      sim.setTargetHealth(arn, { id: '10.0.1.4' }, { state: 'unhealthy', reason: 'Target.NotInUse' }),
    ).toThrow(TypeError);
    expect(() =>
      sim.setTargetHealth(arn, { id: '10.0.1.4' }, { state: 'healthy', reason: 'Target.Timeout' }),
    ).toThrow(TypeError);
    expect(() => sim.setTargetHealth(`${arn}0`, { id: '10.0.1.4' }, { state: 'unhealthy' })).toThrow(
      `setTargetHealth: no target group ${arn}0 in us-east-1`,
    );
    // Nothing was stored by the refused calls.
    await loadBalancerWithListener(arn);
    await register(arn, [{ Id: '10.0.1.4' }]);
    expect(await describeOne(arn)).toEqual({ State: 'healthy' });
  });

  it('lets draining and unused win over an imposed health', async () => {
    const arn = await targetGroup('site-a');
    await register(arn, [{ Id: '10.0.1.4' }]);
    sim.setTargetHealth(arn, { id: '10.0.1.4' }, { state: 'unhealthy' });
    expect(await describeOne(arn)).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });
    await loadBalancerWithListener(arn);
    expect(await describeOne(arn)).toMatchObject({ State: 'unhealthy' });
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.0.1.4' }] }));
    expect(await describeOne(arn)).toMatchObject({
      State: 'draining',
      Reason: 'Target.DeregistrationInProgress',
    });
    // The imposed health goes with the target once it has drained.
    sim.clock.advance(301_000);
    await register(arn, [{ Id: '10.0.1.4' }]);
    expect(await describeOne(arn)).toEqual({ State: 'healthy' });
  });

  it('reports a target unused when its zone is enabled on no load balancer using the group', async () => {
    const arn = await targetGroup('site-a');
    await loadBalancerWithListener(arn); // in us-east-1a and us-east-1b
    await register(arn, [
      { Id: '10.0.1.4' },
      { Id: '10.0.3.4' },
      { Id: '192.168.0.10', AvailabilityZone: 'all' },
    ]);
    const described = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    expect(
      described.TargetHealthDescriptions?.map((d) => [
        d.Target?.AvailabilityZone,
        d.TargetHealth?.State,
        d.TargetHealth?.Reason,
      ]),
    ).toEqual([
      ['us-east-1a', 'healthy', undefined],
      ['us-east-1c', 'unused', 'Target.NotInUse'],
      ['all', 'healthy', undefined],
    ]);
  });

  it('reports unavailable with Target.HealthCheckDisabled when the group has health checks off', async () => {
    const created = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'no-checks',
        Protocol: 'HTTP',
        Port: 443,
        VpcId: network.vpcId,
        TargetType: 'ip',
        HealthCheckEnabled: false,
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await loadBalancerWithListener(arn);
    await register(arn, [{ Id: '10.0.1.4' }]);
    expect(await describeOne(arn)).toEqual({
      State: 'unavailable',
      Reason: 'Target.HealthCheckDisabled',
      Description: 'Health checks are disabled for the target group',
    });
  });
});

describe('IP registration rules', () => {
  it('takes IPs of a secondary VPC CIDR block without a zone', async () => {
    await clients.ec2.send(
      new AssociateVpcCidrBlockCommand({ VpcId: network.vpcId, CidrBlock: '10.1.0.0/16' }),
    );
    const arn = await targetGroup('site-a');
    await register(arn, [{ Id: '10.1.0.5' }]);
    expect((await health(arn)).map((t) => t.id)).toEqual(['10.1.0.5']);
  });

  it('needs a zone for an IP outside the VPC, and takes only the private ranges the guide lists', async () => {
    const arn = await targetGroup('site-a');
    const outside = [
      '10.9.0.4',
      '100.64.0.1',
      '100.127.255.254',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.0.10',
    ];
    for (const Id of outside) {
      await expect(register(arn, [{ Id }])).rejects.toMatchObject({ name: 'InvalidTargetException' });
    }
    await register(
      arn,
      outside.map((Id) => ({ Id, AvailabilityZone: 'all' })),
    );
    await register(arn, [{ Id: '10.9.0.5', AvailabilityZone: 'us-east-1a' }]);
    const refused = ['8.8.8.8', '169.254.169.254', '100.128.0.1', '172.32.0.1', '192.169.0.1', '11.0.0.1'];
    for (const Id of refused) {
      await expect(register(arn, [{ Id, AvailabilityZone: 'all' }])).rejects.toMatchObject({
        name: 'InvalidTargetException',
      });
    }
    await expect(register(arn, [{ Id: '10.9.0.6', AvailabilityZone: 'us-west-2a' }])).rejects.toMatchObject({
      name: 'InvalidTargetException',
    });
    expect(await health(arn)).toHaveLength(outside.length + 1);
  });

  it('takes IPv6 targets from the VPC only', async () => {
    const arn = await targetGroup('site-v6', { IpAddressType: 'ipv6' });
    await expect(
      register(arn, [{ Id: '2600:1f18:ffff::10', AvailabilityZone: 'all' }]),
    ).rejects.toMatchObject({
      name: 'InvalidTargetException',
    });
    await expect(register(arn, [{ Id: 'fd00::10', AvailabilityZone: 'all' }])).rejects.toMatchObject({
      name: 'InvalidTargetException',
    });
    expect(await health(arn)).toEqual([]);
  });
});

describe('tag rules', () => {
  const addTags = (arn: string, Key: string, Value?: string) =>
    elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key, ...(Value === undefined ? {} : { Value }) }] }),
    );
  const tagsOf = async (arn: string) =>
    (await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }))).TagDescriptions?.[0]?.Tags?.map(
      (t) => t.Key,
    );

  it('takes keys of 1-128 and values of 0-256 letters, spaces, numbers and _ . : / = + - @', async () => {
    const arn = await targetGroup('site-a');
    await addTags(arn, 'k'.repeat(128), 'v'.repeat(256));
    await addTags(arn, 'Équipe 1_.:/=+-@', 'Zürich 東京 ٣');
    await addTags(arn, 'empty', '');
    for (const [Key, Value] of [
      ['k'.repeat(129), 'v'],
      ['k', 'v'.repeat(257)],
      ['a*b', 'v'],
      ['k', 'x#y'],
      ['tab\tkey', 'v'],
    ] as const) {
      await expect(addTags(arn, Key, Value)).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(/^1 validation error detected: .* failed to satisfy constraint: /),
      });
    }
    expect(await tagsOf(arn)).toEqual([
      'vpce-target-sync:endpoint-id',
      'k'.repeat(128),
      'Équipe 1_.:/=+-@',
      'empty',
    ]);
  });

  it('refuses the reserved aws: prefix in any case, on AddTags, CreateTargetGroup and RemoveTags', async () => {
    const arn = await targetGroup('site-a');
    for (const key of ['aws:team', 'AWS:team', 'Aws:team']) {
      await expect(addTags(arn, key, 'web')).rejects.toMatchObject({ name: 'ValidationError' });
    }
    await expect(
      elbv2.send(
        new CreateTargetGroupCommand({
          Name: 'site-b',
          Protocol: 'HTTP',
          Port: 443,
          VpcId: network.vpcId,
          TargetType: 'ip',
          Tags: [{ Key: 'aws:cloudformation:stack-name', Value: 'x' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      elbv2.send(new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: ['aws:team'] })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await addTags(arn, 'team', 'aws:web');
    expect(await tagsOf(arn)).toEqual(['vpce-target-sync:endpoint-id', 'team']);
    await expect(elbv2.send(new DescribeTargetGroupsCommand({ Names: ['site-b'] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
  });

  it('refuses a key given twice with DuplicateTagKeys', async () => {
    const arn = await targetGroup('site-a');
    await expect(
      elbv2.send(
        new AddTagsCommand({
          ResourceArns: [arn],
          Tags: [
            { Key: 'team', Value: 'a' },
            { Key: 'team', Value: 'b' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'DuplicateTagKeysException' });
  });
});

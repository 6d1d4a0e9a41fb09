/**
 * Builds a fleet in the simulator through the public AWS APIs, as a user would: VPCs, one
 * Interface endpoint per site (one ENI in each of three AZs), an opted-in `ip` target group per
 * site holding its endpoint's IPs, and target groups that did not opt in.
 *
 * The target groups that did not opt in are written into the simulator's state directly (see
 * `insertNonOpted`); everything a site is made of goes through the API.
 *
 * The simulator's buckets are fixed when it starts, and seeding 40,000 target groups at AWS's rates
 * would take hours. So while seeding, every call to an operation that has a bucket first runs a
 * `before` hook (the simulator's fault API) that moves the simulated clock on by a second, which
 * refills the buckets; nothing else depends on the clock here (endpoints are available at once).
 * The hooks are removed before anything is measured, and the clock is then moved on a minute so
 * the measured run starts with full buckets, as after a quiet period.
 */
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandOutput,
  DescribeVpcEndpointsCommand,
  type DescribeVpcEndpointsCommandOutput,
  EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mapConcurrent } from '@vpce-target-sync/functions';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import { ACCOUNT_ID, type Simulator } from '../sim/index.ts';

/** Calls in flight while seeding. */
export const SEED_CONCURRENCY = 32;
/** Endpoints per VPC: three /24 subnets hold 250 ENIs each. */
const ENDPOINTS_PER_VPC = 240;
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const PORT = 443;
/** Past the simulator's default deregistration delay (300 s, as AWS's default). */
const DRAIN_OVER_MS = 301_000;
/** Operations seeding calls that the benchmark's buckets limit. */
const BUCKETED = [
  'RegisterTargets',
  'DeregisterTargets',
  'DescribeVpcEndpoints',
  'DescribeNetworkInterfaces',
];

export interface BenchVpc {
  readonly vpcId: string;
  readonly second: number;
  readonly subnetIds: readonly string[];
}

export interface BenchSite {
  readonly index: number;
  readonly name: string;
  readonly arn: string;
  readonly endpointId: string;
  readonly vpc: BenchVpc;
  /** The endpoint's ENI IPs, one per subnet, in subnet order. */
  readonly ips: readonly string[];
}

export interface Fleet {
  readonly sites: readonly BenchSite[];
  readonly nonOpted: number;
  readonly seedMs: number;
}

/** Keeps the buckets full while `work` runs (see the module comment). */
export async function withFullBuckets<T>(sim: Simulator, work: () => Promise<T>): Promise<T> {
  for (const operation of BUCKETED) {
    sim.faults.add({
      operation,
      times: Number.POSITIVE_INFINITY,
      fault: { kind: 'before', run: (s) => s.clock.advance(1000) },
    });
  }
  try {
    return await work();
  } finally {
    sim.faults.clear();
    // A quiet minute: every bucket is full when the measured run starts.
    sim.clock.advance(60_000);
  }
}

export class Seeder {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;

  constructor(
    private readonly sim: Simulator,
    private readonly progress: (line: string) => void = () => {},
  ) {
    const config = { ...sim.clientConfig(), maxAttempts: 10 };
    this.ec2 = new EC2Client(config);
    this.elbv2 = new ElasticLoadBalancingV2Client(config);
  }

  /** `sites` opted-in sites and `nonOpted` other target groups, all in sync. */
  async build(sites: number, nonOpted: number): Promise<Fleet> {
    const started = performance.now();
    const elapsed = () => ((performance.now() - started) / 1000).toFixed(0);
    const fleet = await withFullBuckets(this.sim, async () => {
      const vpcs = await mapConcurrent(
        Array.from({ length: Math.ceil(sites / ENDPOINTS_PER_VPC) }, (_, i) => i + 1),
        4,
        (second) => this.vpc(second),
      );
      const endpoints = await mapConcurrent(
        Array.from({ length: sites }, (_, i) => i),
        SEED_CONCURRENCY,
        async (i) => {
          const vpc = vpcs[Math.floor(i / ENDPOINTS_PER_VPC)] as BenchVpc;
          const created = await this.ec2.send(
            new CreateVpcEndpointCommand({
              VpcId: vpc.vpcId,
              VpcEndpointType: 'Interface',
              ServiceName: 'com.amazonaws.us-east-1.s3',
              SubnetIds: [...vpc.subnetIds],
            }),
          );
          return { vpc, endpointId: created.VpcEndpoint?.VpcEndpointId ?? '' };
        },
      );
      this.progress(`    ${sites} endpoints in ${vpcs.length} VPCs (${elapsed()} s)`);
      const ips = await this.endpointIps(vpcs);
      const built = await mapConcurrent(endpoints, SEED_CONCURRENCY, async ({ vpc, endpointId }, index) => {
        const name = `site-${index}`;
        const created = await this.elbv2.send(
          new CreateTargetGroupCommand({
            Name: name,
            Protocol: 'HTTPS',
            Port: PORT,
            VpcId: vpc.vpcId,
            TargetType: 'ip',
            HealthCheckProtocol: 'HTTPS',
            Matcher: { HttpCode: '307,405' },
            Tags: [{ Key: ENDPOINT_ID_TAG, Value: endpointId }],
          }),
        );
        const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
        const siteIps = ips.get(endpointId) ?? [];
        await this.elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: arn,
            Targets: siteIps.map((Id) => ({ Id, Port: PORT })),
          }),
        );
        return { index, name, arn, endpointId, vpc, ips: siteIps };
      });
      this.progress(`    ${sites} opted-in target groups with their targets (${elapsed()} s)`);
      this.insertNonOpted(nonOpted, vpcs);
      return built;
    });
    return { sites: fleet, nonOpted, seedMs: performance.now() - started };
  }

  /**
   * Target groups that did not opt in, written straight into the simulator's state (its public
   * `state()`), as CreateTargetGroup would store them: these groups only need to exist, carry a
   * tag, and be listed, and 30,000 more SDK calls would add about 35 s of CPU to seeding (measured
   * with `test/bench/seed.ts`: 106 s instead of 55 s on a busy 2-core machine). The simulator's
   * name index picks them up on the next CreateTargetGroup.
   */
  private insertNonOpted(count: number, vpcs: readonly BenchVpc[]): void {
    const state = this.sim.state();
    for (let i = 0; i < count; i++) {
      const vpc = vpcs[i % vpcs.length] as BenchVpc;
      const name = `other-${i}`;
      const arn = `arn:aws:elasticloadbalancing:${state.region}:${ACCOUNT_ID}:targetgroup/${name}/${i.toString(16).padStart(16, '0')}`;
      state.elbv2.targetGroups.set(arn, {
        arn,
        seq: state.nextSeq(),
        name,
        targetType: i % 3 === 0 ? 'instance' : 'ip',
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        port: 80,
        vpcId: vpc.vpcId,
        ipAddressType: 'ipv4',
        healthCheck: {
          enabled: true,
          protocol: 'HTTP',
          port: 'traffic-port',
          path: '/',
          intervalSeconds: 30,
          timeoutSeconds: 5,
          healthyThresholdCount: 5,
          unhealthyThresholdCount: 2,
          matcherHttpCode: '200',
        },
        // Tagged, but not opted in: the tagging API holds them too.
        tags: new Map([['team', `team-${i % 7}`]]),
        targets: new Map(),
      });
    }
  }

  /**
   * Puts `sites` out of sync the way a replaced ENI does: one desired IP deregistered, its drain
   * over (AWS registers an IP target again only once its deregistration delay has ended, so the
   * simulated clock moves past the default 300 s), and a stale IP of the VPC registered. Converging
   * takes one RegisterTargets and one DeregisterTargets call per site, the most a site needs.
   */
  async drift(sites: readonly BenchSite[]): Promise<void> {
    await withFullBuckets(this.sim, () =>
      mapConcurrent(sites, SEED_CONCURRENCY, async (site) => {
        const gone = site.ips[0] as string;
        await this.elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: site.arn,
            Targets: [{ Id: `10.${site.vpc.second}.200.${(site.index % 250) + 1}`, Port: PORT }],
          }),
        );
        await this.elbv2.send(
          new DeregisterTargetsCommand({ TargetGroupArn: site.arn, Targets: [{ Id: gone, Port: PORT }] }),
        );
      }),
    );
    this.sim.clock.advance(DRAIN_OVER_MS);
  }

  /** Takes the endpoint out of its last subnet, as a user editing the endpoint would. */
  async removeSubnet(site: BenchSite): Promise<string> {
    const subnetId = site.vpc.subnetIds.at(-1) as string;
    await this.ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: site.endpointId, RemoveSubnetIds: [subnetId] }),
    );
    return subnetId;
  }

  private async vpc(second: number): Promise<BenchVpc> {
    const vpc = await this.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${second}.0.0/16` }));
    const vpcId = vpc.Vpc?.VpcId ?? '';
    const subnetIds = [];
    for (const [i, az] of AZS.entries()) {
      const subnet = await this.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.${second}.${i + 1}.0/24`,
          AvailabilityZone: az,
        }),
      );
      subnetIds.push(subnet.Subnet?.SubnetId ?? '');
    }
    return { vpcId, second, subnetIds };
  }

  /** Endpoint id -> its ENI IPs in subnet order, two Describe calls per VPC. */
  private async endpointIps(vpcs: readonly BenchVpc[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    await mapConcurrent(vpcs, 4, async (vpc) => {
      const filter = [{ Name: 'vpc-id', Values: [vpc.vpcId] }];
      const eniIp = new Map<string, { subnetId: string; ip: string }>();
      let token: string | undefined;
      do {
        const page: DescribeNetworkInterfacesCommandOutput = await this.ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: filter, MaxResults: 1000, NextToken: token }),
        );
        for (const eni of page.NetworkInterfaces ?? []) {
          eniIp.set(eni.NetworkInterfaceId ?? '', {
            subnetId: eni.SubnetId ?? '',
            ip: eni.PrivateIpAddress ?? '',
          });
        }
        token = page.NextToken;
      } while (token);
      token = undefined;
      do {
        const page: DescribeVpcEndpointsCommandOutput = await this.ec2.send(
          new DescribeVpcEndpointsCommand({ Filters: filter, MaxResults: 1000, NextToken: token }),
        );
        for (const endpoint of page.VpcEndpoints ?? []) {
          const enis = (endpoint.NetworkInterfaceIds ?? []).flatMap((id) => {
            const eni = eniIp.get(id);
            return eni ? [eni] : [];
          });
          enis.sort((a, b) => vpc.subnetIds.indexOf(a.subnetId) - vpc.subnetIds.indexOf(b.subnetId));
          result.set(
            endpoint.VpcEndpointId ?? '',
            enis.map((e) => e.ip),
          );
        }
        token = page.NextToken;
      } while (token);
    });
    return result;
  }
}

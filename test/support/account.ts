import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ENDPOINT_ID_TAG, POLICY_TAG } from '@vpce-target-sync/shared';

/** SDK client settings for whoever builds the scenario (an endpoint and test credentials). */
export type ClientSettings = object;

export interface Vpc {
  readonly vpcId: string;
  /** Subnet ids by AZ, in the order created. */
  readonly subnets: readonly { readonly subnetId: string; readonly az: string; readonly cidr: string }[];
}

export interface SiteOptions {
  readonly endpointId?: string | null;
  readonly policy?: string;
  readonly targetType?: 'ip' | 'instance';
  readonly ipAddressType?: 'ipv4' | 'ipv6';
  readonly vpcId?: string;
  readonly port?: number;
}

/**
 * Builds test scenarios the way a user would, through AWS API calls only, so the same scenarios run
 * against the simulator, another emulator, or a real account.
 */
export class Account {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  private loadBalancerArn: string | undefined;

  constructor(settings: ClientSettings) {
    this.ec2 = new EC2Client(settings);
    this.elbv2 = new ElasticLoadBalancingV2Client(settings);
  }

  /** A VPC `10.N.0.0/16` with one `/24` subnet per AZ. */
  async vpc(
    second: number,
    azs: readonly string[] = ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  ): Promise<Vpc> {
    const vpc = await this.ec2.send(
      new CreateVpcCommand({ CidrBlock: `10.${second}.0.0/16`, AmazonProvidedIpv6CidrBlock: true }),
    );
    const vpcId = vpc.Vpc?.VpcId ?? '';
    const subnets = [];
    for (const [i, az] of azs.entries()) {
      const cidr = `10.${second}.${i + 1}.0/24`;
      const subnet = await this.ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }),
      );
      subnets.push({ subnetId: subnet.Subnet?.SubnetId ?? '', az, cidr });
    }
    return { vpcId, subnets };
  }

  /** A dual-stack VPC: like `vpc`, each subnet also with a /64 of the VPC's Amazon-provided IPv6 block. */
  async dualStackVpc(second: number, azs: readonly string[] = ['us-east-1a', 'us-east-1b']): Promise<Vpc> {
    const created = await this.ec2.send(
      new CreateVpcCommand({ CidrBlock: `10.${second}.0.0/16`, AmazonProvidedIpv6CidrBlock: true }),
    );
    const vpcId = created.Vpc?.VpcId ?? '';
    const vpcs = await this.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    const block = vpcs.Vpcs?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock ?? '';
    const groups = (block.split('::')[0] ?? '').split(':');
    const subnets = [];
    for (const [i, az] of azs.entries()) {
      const cidr = `10.${second}.${i + 1}.0/24`;
      const fourth = (Number.parseInt(groups[3] ?? '0', 16) + i).toString(16);
      const subnet = await this.ec2.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: cidr,
          Ipv6CidrBlock: `${[...groups.slice(0, 3), fourth].join(':')}::/64`,
          AvailabilityZone: az,
        }),
      );
      subnets.push({ subnetId: subnet.Subnet?.SubnetId ?? '', az, cidr });
    }
    return { vpcId, subnets };
  }

  /** An address in the VPC's Amazon-provided IPv6 block, with `suffix` as its last group. */
  async vpcIpv6Address(vpc: Vpc, suffix: number): Promise<string> {
    const vpcs = await this.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.vpcId] }));
    const block = vpcs.Vpcs?.[0]?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock;
    if (!block) throw new Error(`${vpc.vpcId} has no IPv6 CIDR block`);
    return `${block.split('::')[0]}::${suffix.toString(16)}`;
  }

  async endpoint(
    vpc: Vpc,
    subnetCount: number,
    type: 'Interface' | 'Gateway' = 'Interface',
    ipAddressType?: 'ipv4' | 'dualstack' | 'ipv6',
  ): Promise<string> {
    const created = await this.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpc.vpcId,
        VpcEndpointType: type,
        ...(ipAddressType ? { IpAddressType: ipAddressType } : {}),
        ServiceName: 'com.amazonaws.us-east-1.s3',
        ...(type === 'Interface'
          ? { SubnetIds: vpc.subnets.slice(0, subnetCount).map((s) => s.subnetId) }
          : {}),
      }),
    );
    return created.VpcEndpoint?.VpcEndpointId ?? '';
  }

  /** The endpoint's ENI private IPv4 addresses (IPv6 with `ipv6`), sorted. */
  async endpointIps(endpointId: string, family: 'ipv4' | 'ipv6' = 'ipv4'): Promise<string[]> {
    const endpoints = await this.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    const eniIds = endpoints.VpcEndpoints?.[0]?.NetworkInterfaceIds ?? [];
    if (eniIds.length === 0) return [];
    const enis = await this.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: eniIds }));
    return (enis.NetworkInterfaces ?? [])
      .flatMap((eni) =>
        family === 'ipv4'
          ? [eni.PrivateIpAddress ?? '']
          : (eni.Ipv6Addresses ?? []).map((a) => a.Ipv6Address ?? ''),
      )
      .sort();
  }

  async addSubnet(endpointId: string, subnetId: string): Promise<void> {
    await this.ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, AddSubnetIds: [subnetId] }),
    );
  }

  async removeSubnet(endpointId: string, subnetId: string): Promise<void> {
    await this.ec2.send(
      new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, RemoveSubnetIds: [subnetId] }),
    );
  }

  async deleteEndpoint(endpointId: string): Promise<void> {
    await this.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
  }

  /** An internal ALB in the VPC, created once; target groups forwarded to by its listener are in use. */
  private async alb(vpc: Vpc): Promise<string> {
    if (!this.loadBalancerArn) {
      const lb = await this.elbv2.send(
        new CreateLoadBalancerCommand({
          Name: `alb-${vpc.vpcId.slice(-6)}`,
          Type: 'application',
          Scheme: 'internal',
          Subnets: vpc.subnets.map((s) => s.subnetId),
        }),
      );
      this.loadBalancerArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    }
    return this.loadBalancerArn;
  }

  /** A target group, tagged to opt in when `endpointId` is given, behind an ALB listener. */
  async site(name: string, vpc: Vpc, options: SiteOptions = {}): Promise<string> {
    const tags = [
      ...(options.endpointId ? [{ Key: ENDPOINT_ID_TAG, Value: options.endpointId }] : []),
      ...(options.policy ? [{ Key: POLICY_TAG, Value: options.policy }] : []),
    ];
    const created = await this.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTPS',
        Port: options.port ?? 443,
        VpcId: options.vpcId ?? vpc.vpcId,
        TargetType: options.targetType ?? 'ip',
        IpAddressType: options.ipAddressType ?? 'ipv4',
        HealthCheckProtocol: 'HTTPS',
        Matcher: { HttpCode: '307,405' },
        ...(tags.length ? { Tags: tags } : {}),
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
    return arn;
  }

  /** Puts the target group behind the ALB (a listener forwarding to it), so its targets report health. */
  async attach(vpc: Vpc, targetGroupArn: string, port: number): Promise<void> {
    await this.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: await this.alb(vpc),
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    );
  }

  async tag(targetGroupArn: string, tags: Record<string, string>): Promise<void> {
    await this.elbv2.send(
      new AddTagsCommand({
        ResourceArns: [targetGroupArn],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }

  async untag(targetGroupArn: string, keys: string[]): Promise<void> {
    await this.elbv2.send(new RemoveTagsCommand({ ResourceArns: [targetGroupArn], TagKeys: keys }));
  }

  async register(targetGroupArn: string, ips: readonly string[], port = 443): Promise<void> {
    await this.elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: ips.map((Id) => ({ Id, Port: port })),
      }),
    );
  }

  async deregister(targetGroupArn: string, ips: readonly string[], port = 443): Promise<void> {
    await this.elbv2.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: targetGroupArn,
        Targets: ips.map((Id) => ({ Id, Port: port })),
      }),
    );
  }

  /** Registered (non-draining) target IPs, sorted. */
  async targets(targetGroupArn: string): Promise<string[]> {
    const health = await this.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return (health.TargetHealthDescriptions ?? [])
      .filter((d) => !['draining', 'unhealthy.draining'].includes(d.TargetHealth?.State ?? ''))
      .map((d) => d.Target?.Id ?? '')
      .sort();
  }
}

/** Shared test arrangements: clients pointed at a simulator, and a VPC with three subnets. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Simulator } from './index.ts';

// The pinned SDK warns once per process on Node 20; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface Clients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly sqs: SQSClient;
}

/** Extra client settings, e.g. `{ maxAttempts: 1 }` to see an error without SDK retries. */
export interface ClientSettings {
  readonly maxAttempts?: number;
  readonly accessKeyId?: string;
}

export function clientsFor(sim: Simulator, settings: ClientSettings = {}): Clients {
  const config = {
    ...sim.clientConfig(settings.accessKeyId === undefined ? {} : { accessKeyId: settings.accessKeyId }),
    ...(settings.maxAttempts === undefined ? {} : { maxAttempts: settings.maxAttempts }),
  };
  return {
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    cloudwatch: new CloudWatchClient(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    sqs: new SQSClient(config),
  };
}

export interface Network {
  readonly vpcId: string;
  readonly vpcIpv6Cidr: string;
  /** In us-east-1a, b and c: 10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24, each with an IPv6 /64. */
  readonly subnetIds: readonly [string, string, string];
}

/** A dual-stack VPC 10.0.0.0/16 with one subnet per AZ, created through the real client. */
export async function createNetwork(ec2: EC2Client): Promise<Network> {
  const vpc = await ec2.send(
    new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', AmazonProvidedIpv6CidrBlock: true }),
  );
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const vpcIpv6Cidr = vpc.Vpc?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock ?? '';
  const subnet = async (n: 1 | 2 | 3, zone: string): Promise<string> => {
    const created = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.0.${n}.0/24`,
        Ipv6CidrBlock: ipv6Subnet(vpcIpv6Cidr, n),
        AvailabilityZone: `us-east-1${zone}`,
      }),
    );
    return created.Subnet?.SubnetId ?? '';
  };
  return {
    vpcId,
    vpcIpv6Cidr,
    subnetIds: [await subnet(1, 'a'), await subnet(2, 'b'), await subnet(3, 'c')],
  };
}

/** The n-th /64 of a VPC's /56, e.g. `2600:1f18:4b:7000::/56`, 2 -> `2600:1f18:4b:7002::/64`. */
function ipv6Subnet(vpcCidr: string, n: number): string {
  const [prefix] = vpcCidr.split('::');
  const groups = (prefix ?? '').split(':');
  const last = Number.parseInt(groups.at(-1) ?? '0', 16) + n;
  return `${[...groups.slice(0, -1), last.toString(16)].join(':')}::/64`;
}

/**
 * Waits, turn by turn of the event loop (setImmediate, which fake timers leave alone), until
 * `condition` holds; fails after `turns` turns. For a test that has frozen the clock and needs a
 * request to reach the simulator over the loopback socket.
 */
export async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`until: still false after ${turns} turns of the event loop`);
}

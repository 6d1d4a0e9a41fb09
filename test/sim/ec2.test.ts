import {
  AssociateVpcCidrBlockCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ModifyVpcEndpointCommand,
  paginateDescribeNetworkInterfaces,
  paginateDescribeVpcEndpoints,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const S3 = 'com.amazonaws.us-east-1.s3';
/** The simulator's default `deletedEndpointVisibleMs`. */
const DEFAULT_DELETED_VISIBLE_MS = 600_000;
/** EC2's cap on the filter values of one Describe call, all filters together. */
const MAX_FILTER_VALUES = 200;

let sim: Simulator;
let ec2: EC2Client;

beforeEach(async () => {
  sim = await startSimulator();
  ec2 = clientsFor(sim).ec2;
});
afterEach(() => sim.stop());

async function interfaceEndpoint(
  network: Network,
  subnetIds: readonly string[],
  ipAddressType?: 'ipv4' | 'dualstack' | 'ipv6',
) {
  const created = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      VpcEndpointType: 'Interface',
      ServiceName: S3,
      SubnetIds: [...subnetIds],
      ...(ipAddressType ? { IpAddressType: ipAddressType } : {}),
    }),
  );
  const endpoint = created.VpcEndpoint;
  if (!endpoint?.VpcEndpointId) throw new Error('no endpoint created');
  return endpoint as typeof endpoint & { VpcEndpointId: string };
}

async function interfacesOf(endpointId: string) {
  const all = await ec2.send(new DescribeNetworkInterfacesCommand({}));
  return (all.NetworkInterfaces ?? []).filter(
    (eni) => eni.Description === `VPC Endpoint Interface ${endpointId}`,
  );
}

describe('EC2 VPCs, subnets and security groups', () => {
  it('creates a VPC with an Amazon-provided IPv6 /56 and an EC2-looking id', async () => {
    const created = await ec2.send(
      new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', AmazonProvidedIpv6CidrBlock: true }),
    );
    expect(created.Vpc?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(created.Vpc?.CidrBlock).toBe('10.1.0.0/16');
    expect(created.Vpc?.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock).toMatch(
      /^2600:1f18:[0-9a-f:]+::\/56$/,
    );
    const described = await ec2.send(new DescribeVpcsCommand({ VpcIds: [created.Vpc?.VpcId ?? ''] }));
    expect(described.Vpcs?.map((vpc) => vpc.VpcId)).toEqual([created.Vpc?.VpcId]);
  });

  it('issues the same ids for the same seed and different ids for another seed', async () => {
    const first = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const twin = await startSimulator();
    const other = await startSimulator({ idSeed: 7 });
    try {
      const again = await clientsFor(twin).ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
      const different = await clientsFor(other).ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
      expect(again.Vpc?.VpcId).toBe(first.Vpc?.VpcId);
      expect(different.Vpc?.VpcId).not.toBe(first.Vpc?.VpcId);
    } finally {
      await Promise.all([twin.stop(), other.stop()]);
    }
  });

  it('rejects VPC blocks outside /16-/28 and malformed CIDRs', async () => {
    await expect(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' }))).rejects.toMatchObject({
      name: 'InvalidVpc.Range',
    });
    await expect(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.1/16' }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('fails DescribeVpcs for an unknown id', async () => {
    await expect(
      ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })),
    ).rejects.toMatchObject({
      name: 'InvalidVpcID.NotFound',
    });
  });

  it('rejects subnets outside the VPC or overlapping another subnet', async () => {
    const network = await createNetwork(ec2);
    const subnet = (CidrBlock: string) =>
      ec2.send(new CreateSubnetCommand({ VpcId: network.vpcId, CidrBlock }));
    await expect(subnet('10.1.0.0/24')).rejects.toMatchObject({ name: 'InvalidSubnet.Range' });
    await expect(subnet('10.0.1.128/25')).rejects.toMatchObject({ name: 'InvalidSubnet.Conflict' });
    await expect(subnet('10.0.0.0/16')).rejects.toMatchObject({ name: 'InvalidSubnet.Conflict' });
    await expect(subnet('10.0.4.0/24')).resolves.toMatchObject({ Subnet: { CidrBlock: '10.0.4.0/24' } });
  });

  it('rejects an IPv6 subnet block that is not a /64 of the VPC', async () => {
    const network = await createNetwork(ec2);
    await expect(
      ec2.send(
        new CreateSubnetCommand({
          VpcId: network.vpcId,
          CidrBlock: '10.0.9.0/24',
          Ipv6CidrBlock: '2001:db8::/64',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSubnet.Range' });
  });

  it('filters subnets by VPC and zone and counts free addresses', async () => {
    const network = await createNetwork(ec2);
    const inZoneB = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [network.vpcId] },
          { Name: 'availability-zone', Values: ['us-east-1b'] },
        ],
      }),
    );
    expect(inZoneB.Subnets?.map((subnet) => subnet.SubnetId)).toEqual([network.subnetIds[1]]);
    // A /24 has 256 addresses, of which AWS reserves 5.
    expect(inZoneB.Subnets?.[0]?.AvailableIpAddressCount).toBe(251);
    await interfaceEndpoint(network, [network.subnetIds[1]]);
    const after = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [network.subnetIds[1]] }));
    expect(after.Subnets?.[0]?.AvailableIpAddressCount).toBe(250);
  });

  it('creates security groups once per name and VPC', async () => {
    const network = await createNetwork(ec2);
    const create = () =>
      ec2.send(
        new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'ALB', VpcId: network.vpcId }),
      );
    await expect(create()).resolves.toMatchObject({ GroupId: expect.stringMatching(/^sg-[0-9a-f]{17}$/) });
    await expect(create()).rejects.toMatchObject({ name: 'InvalidGroup.Duplicate' });
  });
});

describe('Interface VPC endpoints', () => {
  it('creates one ENI per subnet, addressed after the five reserved addresses', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, network.subnetIds);
    expect(endpoint.VpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(endpoint.State).toBe('available');
    expect(endpoint.NetworkInterfaceIds).toHaveLength(3);
    const enis = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: endpoint.NetworkInterfaceIds }),
    );
    const bySubnet = Object.fromEntries((enis.NetworkInterfaces ?? []).map((eni) => [eni.SubnetId, eni]));
    expect(bySubnet[network.subnetIds[0]]).toMatchObject({
      InterfaceType: 'vpc_endpoint',
      RequesterManaged: true,
      Status: 'in-use',
      Description: `VPC Endpoint Interface ${endpoint.VpcEndpointId}`,
      AvailabilityZone: 'us-east-1a',
      VpcId: network.vpcId,
      PrivateIpAddress: '10.0.1.4',
      PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.4', Primary: true }],
      Ipv6Addresses: [],
    });
    expect(bySubnet[network.subnetIds[2]]?.PrivateIpAddress).toBe('10.0.3.4');
  });

  it('gives the next endpoint in a subnet the next free address', async () => {
    const network = await createNetwork(ec2);
    await interfaceEndpoint(network, [network.subnetIds[0]]);
    const second = await interfaceEndpoint(network, [network.subnetIds[0]]);
    const [eni] = await interfacesOf(second.VpcEndpointId);
    expect(eni?.PrivateIpAddress).toBe('10.0.1.5');
  });

  it('allocates IPv6 addresses from the subnet /64 for dualstack endpoints', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[1]], 'dualstack');
    expect(endpoint.IpAddressType).toBe('dualstack');
    const [eni] = await interfacesOf(endpoint.VpcEndpointId);
    expect(eni?.PrivateIpAddress).toBe('10.0.2.4');
    const subnetPrefix = network.vpcIpv6Cidr.replace(/0::\/56$/, '2::');
    expect(eni?.Ipv6Addresses?.[0]?.Ipv6Address).toBe(`${subnetPrefix}4`);
  });

  it('refuses two subnets in one availability zone', async () => {
    const network = await createNetwork(ec2);
    const sameZone = await ec2.send(
      new CreateSubnetCommand({
        VpcId: network.vpcId,
        CidrBlock: '10.0.9.0/24',
        AvailabilityZone: 'us-east-1a',
      }),
    );
    await expect(
      interfaceEndpoint(network, [network.subnetIds[0], sameZone.Subnet?.SubnetId ?? '']),
    ).rejects.toMatchObject({
      name: 'DuplicateSubnetsInSameZone',
    });
    expect(sim.state().ec2.endpoints.size).toBe(0);
  });

  it('refuses a dualstack endpoint in a subnet without IPv6', async () => {
    const network = await createNetwork(ec2);
    const v4only = await ec2.send(
      new CreateSubnetCommand({
        VpcId: network.vpcId,
        CidrBlock: '10.0.9.0/24',
        AvailabilityZone: 'us-east-1d',
      }),
    );
    await expect(
      interfaceEndpoint(network, [v4only.Subnet?.SubnetId ?? ''], 'dualstack'),
    ).rejects.toMatchObject({
      name: 'InvalidParameter',
    });
  });

  it('refuses an unknown service name and an unknown subnet', async () => {
    const network = await createNetwork(ec2);
    await expect(
      ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: network.vpcId,
          ServiceName: 'com.example.s3',
          VpcEndpointType: 'Interface',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidServiceName' });
    await expect(interfaceEndpoint(network, ['subnet-0123456789abcdef0'])).rejects.toMatchObject({
      name: 'InvalidSubnetID.NotFound',
    });
  });

  it('creates Gateway endpoints (the default type) without network interfaces', async () => {
    const network = await createNetwork(ec2);
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: network.vpcId,
        ServiceName: S3,
        RouteTableIds: ['rtb-0123456789abcdef0'],
      }),
    );
    expect(created.VpcEndpoint).toMatchObject({
      VpcEndpointType: 'Gateway',
      State: 'available',
      RouteTableIds: ['rtb-0123456789abcdef0'],
      NetworkInterfaceIds: [],
    });
  });

  it('moves ENIs with ModifyVpcEndpoint AddSubnetId and RemoveSubnetId', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0], network.subnetIds[1]]);
    const before = await interfacesOf(endpoint.VpcEndpointId);
    const removedEni = before.find((eni) => eni.SubnetId === network.subnetIds[0])?.NetworkInterfaceId ?? '';
    const modified = await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: endpoint.VpcEndpointId,
        AddSubnetIds: [network.subnetIds[2]],
        RemoveSubnetIds: [network.subnetIds[0]],
      }),
    );
    expect(modified.Return).toBe(true);
    const after = await interfacesOf(endpoint.VpcEndpointId);
    expect(after.map((eni) => eni.SubnetId).sort()).toEqual(
      [network.subnetIds[1], network.subnetIds[2]].sort(),
    );
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [removedEni] })),
    ).rejects.toMatchObject({
      name: 'InvalidNetworkInterfaceID.NotFound',
    });
    const described = await ec2.send(
      new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpointId] }),
    );
    expect(described.VpcEndpoints?.[0]?.SubnetIds).toEqual([network.subnetIds[1], network.subnetIds[2]]);
  });

  it('fails ModifyVpcEndpoint for an unknown endpoint', async () => {
    await expect(
      ec2.send(
        new ModifyVpcEndpointCommand({ VpcEndpointId: 'vpce-0123456789abcdef0', AddSubnetIds: ['subnet-1'] }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });
  });

  it('deletes endpoints and reports unknown ids in the unsuccessful set', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0]]);
    const deleted = await ec2.send(
      new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpointId, 'vpce-0123456789abcdef0'] }),
    );
    expect(deleted.Unsuccessful).toEqual([
      {
        ResourceId: 'vpce-0123456789abcdef0',
        Error: {
          Code: 'InvalidVpcEndpoint.NotFound',
          Message: "The VPC endpoint 'vpce-0123456789abcdef0' does not exist",
        },
      },
    ]);
    // With no pending time it is `deleted` at once, its interfaces gone, and still listed a while.
    const listed = await ec2.send(
      new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpointId] }),
    );
    expect(listed.VpcEndpoints?.[0]).toMatchObject({ State: 'deleted', NetworkInterfaceIds: [] });
    expect(await interfacesOf(endpoint.VpcEndpointId)).toEqual([]);
    sim.clock.advance(DEFAULT_DELETED_VISIBLE_MS);
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpointId] })),
    ).rejects.toMatchObject({
      name: 'InvalidVpcEndpointId.NotFound',
    });
  });
});

describe('DescribeVpcEndpoints', () => {
  it('fails the whole call when any requested id is unknown', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0]]);
    await expect(
      ec2.send(
        new DescribeVpcEndpointsCommand({
          VpcEndpointIds: [endpoint.VpcEndpointId, 'vpce-0123456789abcdef0'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound', $metadata: { httpStatusCode: 400 } });
  });

  it('never fails a filter on unknown ids', async () => {
    const found = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-endpoint-id', Values: ['vpce-0123456789abcdef0'] }],
      }),
    );
    expect(found.VpcEndpoints).toEqual([]);
  });

  it('filters by VPC, state, type and service name', async () => {
    const network = await createNetwork(ec2);
    const other = await createNetwork(ec2);
    const wanted = await interfaceEndpoint(network, [network.subnetIds[0]]);
    await interfaceEndpoint(other, [other.subnetIds[0]]);
    await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: network.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
    );
    const found = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [network.vpcId] },
          { Name: 'vpc-endpoint-state', Values: ['available'] },
          { Name: 'vpc-endpoint-type', Values: ['Interface'] },
          { Name: 'service-name', Values: [S3] },
        ],
      }),
    );
    expect(found.VpcEndpoints?.map((endpoint) => endpoint.VpcEndpointId)).toEqual([wanted.VpcEndpointId]);
  });

  it('rejects an unknown filter name', async () => {
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('pages with MaxResults and NextToken', async () => {
    const network = await createNetwork(ec2);
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push((await interfaceEndpoint(network, [network.subnetIds[0]])).VpcEndpointId);
    const pages = [];
    for await (const page of paginateDescribeVpcEndpoints({ client: ec2, pageSize: 2 }, {})) pages.push(page);
    expect(pages.map((page) => page.VpcEndpoints?.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((page) => page.VpcEndpoints?.map((endpoint) => endpoint.VpcEndpointId))).toEqual(
      created,
    );
  });

  it('returns at most 1000 endpoints for a larger MaxResults instead of failing', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0]]);
    const found = await ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 5000 }));
    expect(found.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([endpoint.VpcEndpointId]);
    await expect(ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 0 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('rejects a forged NextToken', async () => {
    await expect(
      ec2.send(new DescribeVpcEndpointsCommand({ NextToken: 'not-a-token' })),
    ).rejects.toMatchObject({
      name: 'InvalidPaginationToken',
    });
  });
});

describe('DescribeNetworkInterfaces', () => {
  it('fails for an unknown interface id', async () => {
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0123456789abcdef0'] })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
  });

  it('filters by subnet, VPC and interface type', async () => {
    const network = await createNetwork(ec2);
    await interfaceEndpoint(network, network.subnetIds);
    const found = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'subnet-id', Values: [network.subnetIds[1]] },
          { Name: 'vpc-id', Values: [network.vpcId] },
          { Name: 'interface-type', Values: ['vpc_endpoint'] },
        ],
      }),
    );
    expect(found.NetworkInterfaces?.map((eni) => eni.PrivateIpAddress)).toEqual(['10.0.2.4']);
  });

  it('enforces MaxResults 5-1000 and refuses it together with ids', async () => {
    await expect(ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 4 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(
      ec2.send(
        new DescribeNetworkInterfacesCommand({
          MaxResults: 5,
          NetworkInterfaceIds: ['eni-0123456789abcdef0'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
  });

  it('pages through all interfaces', async () => {
    const network = await createNetwork(ec2);
    await interfaceEndpoint(network, network.subnetIds);
    await interfaceEndpoint(network, network.subnetIds);
    const pages = [];
    for await (const page of paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, {}))
      pages.push(page);
    expect(pages.map((page) => page.NetworkInterfaces?.length)).toEqual([5, 1]);
    const ips = pages.flatMap((page) => page.NetworkInterfaces?.map((eni) => eni.PrivateIpAddress));
    expect(new Set(ips).size).toBe(6);
  });
});

describe('filter value limit (FilterLimitExceeded)', () => {
  const ids = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}-${i.toString(16).padStart(17, '0')}`);
  const calls = {
    DescribeVpcEndpoints: (Filters: { Name: string; Values: string[] }[]) =>
      ec2.send(new DescribeVpcEndpointsCommand({ Filters })),
    DescribeNetworkInterfaces: (Filters: { Name: string; Values: string[] }[]) =>
      ec2.send(new DescribeNetworkInterfacesCommand({ Filters })),
    DescribeSubnets: (Filters: { Name: string; Values: string[] }[]) =>
      ec2.send(new DescribeSubnetsCommand({ Filters })),
    DescribeVpcs: (Filters: { Name: string; Values: string[] }[]) =>
      ec2.send(new DescribeVpcsCommand({ Filters })),
  };

  for (const [operation, call] of Object.entries(calls)) {
    it(`${operation} takes 200 filter values and refuses 201, counted over all filters`, async () => {
      const client = clientsFor(sim, { maxAttempts: 1 }).ec2;
      ec2 = client;
      await expect(call([{ Name: 'vpc-id', Values: ids('vpc', MAX_FILTER_VALUES) }])).resolves.toBeDefined();
      const split = [
        { Name: 'vpc-id', Values: ids('vpc', 150) },
        { Name: 'owner-id', Values: ids('owner', MAX_FILTER_VALUES + 1 - 150) },
      ];
      for (const filters of [[{ Name: 'vpc-id', Values: ids('vpc', MAX_FILTER_VALUES + 1) }], split]) {
        await expect(call(filters)).rejects.toMatchObject({
          name: 'FilterLimitExceeded',
          message: 'The maximum number of filter values specified on a single call is 200',
          $metadata: { httpStatusCode: 400 },
        });
      }
    });
  }

  it('finds endpoints and interfaces by 200 ids in one call', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, network.subnetIds);
    const endpointIds = [endpoint.VpcEndpointId, ...ids('vpce', MAX_FILTER_VALUES - 1)];
    const found = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: endpointIds }] }),
    );
    expect(found.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([endpoint.VpcEndpointId]);
    const eniIds = [...(endpoint.NetworkInterfaceIds ?? []), ...ids('eni', MAX_FILTER_VALUES - 3)];
    const enis = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: eniIds }] }),
    );
    expect(enis.NetworkInterfaces?.map((eni) => eni.NetworkInterfaceId).sort()).toEqual(
      [...(endpoint.NetworkInterfaceIds ?? [])].sort(),
    );
  });
});

describe('IpAddressType and IPv6 addresses over the wire', () => {
  async function ipv6OnlySubnet(network: Network): Promise<string> {
    const created = await ec2.send(
      new CreateSubnetCommand({
        VpcId: network.vpcId,
        Ipv6Native: true,
        Ipv6CidrBlock: network.vpcIpv6Cidr.replace(/0::\/56$/, '9::/64'),
        AvailabilityZone: 'us-east-1d',
      }),
    );
    return created.Subnet?.SubnetId ?? '';
  }

  it('reports each endpoint IpAddressType, and filters on it', async () => {
    const network = await createNetwork(ec2);
    const v4 = await interfaceEndpoint(network, [network.subnetIds[0]]);
    const dual = await interfaceEndpoint(network, [network.subnetIds[0]], 'dualstack');
    const v6 = await interfaceEndpoint(network, [await ipv6OnlySubnet(network)], 'ipv6');
    const all = await ec2.send(new DescribeVpcEndpointsCommand({}));
    const types = Object.fromEntries((all.VpcEndpoints ?? []).map((e) => [e.VpcEndpointId, e.IpAddressType]));
    expect(types).toEqual({
      [v4.VpcEndpointId]: 'ipv4',
      [dual.VpcEndpointId]: 'dualstack',
      [v6.VpcEndpointId]: 'ipv6',
    });
    const onlyV6 = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'ip-address-type', Values: ['ipv6'] }] }),
    );
    expect(onlyV6.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([v6.VpcEndpointId]);
  });

  it('gives an ipv4 endpoint no IPv6 address even in a dual-stack subnet', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0]], 'ipv4');
    const [eni] = await interfacesOf(endpoint.VpcEndpointId);
    expect(eni).toMatchObject({ PrivateIpAddress: '10.0.1.4', Ipv6Addresses: [], Ipv6Native: false });
  });

  it('gives a dualstack endpoint ENI both families', async () => {
    const network = await createNetwork(ec2);
    const endpoint = await interfaceEndpoint(network, [network.subnetIds[0]], 'dualstack');
    const [eni] = await interfacesOf(endpoint.VpcEndpointId);
    const prefix = network.vpcIpv6Cidr.replace(/0::\/56$/, '1::');
    expect(eni).toMatchObject({
      PrivateIpAddress: '10.0.1.4',
      PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.4', Primary: true }],
      Ipv6Addresses: [{ Ipv6Address: `${prefix}4` }],
      Ipv6Native: false,
    });
  });

  it('gives an ipv6 endpoint ENI an IPv6 address and no private IPv4 address', async () => {
    const network = await createNetwork(ec2);
    const subnetId = await ipv6OnlySubnet(network);
    const endpoint = await interfaceEndpoint(network, [subnetId], 'ipv6');
    const [eni] = await interfacesOf(endpoint.VpcEndpointId);
    expect(eni?.PrivateIpAddress).toBeUndefined();
    expect(eni?.PrivateDnsName).toBeUndefined();
    expect(eni).toMatchObject({
      SubnetId: subnetId,
      PrivateIpAddresses: [],
      Ipv6Addresses: [{ Ipv6Address: `${network.vpcIpv6Cidr.replace(/0::\/56$/, '9::')}4` }],
      Ipv6Native: true,
    });
    const byAddress = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'ipv6-addresses.ipv6-address', Values: [eni?.Ipv6Addresses?.[0]?.Ipv6Address ?? ''] },
        ],
      }),
    );
    expect(byAddress.NetworkInterfaces?.map((e) => e.NetworkInterfaceId)).toEqual([eni?.NetworkInterfaceId]);
  });

  it('refuses an ipv6 endpoint in a subnet without IPv6', async () => {
    const network = await createNetwork(ec2);
    const v4only = await ec2.send(
      new CreateSubnetCommand({
        VpcId: network.vpcId,
        CidrBlock: '10.0.9.0/24',
        AvailabilityZone: 'us-east-1d',
      }),
    );
    await expect(interfaceEndpoint(network, [v4only.Subnet?.SubnetId ?? ''], 'ipv6')).rejects.toMatchObject({
      name: 'InvalidParameter',
    });
  });
});

describe('secondary VPC CIDR blocks (AssociateVpcCidrBlock)', () => {
  const associate = (VpcId: string, CidrBlock: string) =>
    ec2.send(new AssociateVpcCidrBlockCommand({ VpcId, CidrBlock }));

  it('associates a block, lists every block in DescribeVpcs and keeps it in state', async () => {
    const network = await createNetwork(ec2);
    const associated = await associate(network.vpcId, '10.1.0.0/16');
    expect(associated).toMatchObject({
      VpcId: network.vpcId,
      CidrBlockAssociation: {
        AssociationId: expect.stringMatching(/^vpc-cidr-assoc-[0-9a-f]{17}$/),
        CidrBlock: '10.1.0.0/16',
        CidrBlockState: { State: 'associating' },
      },
    });
    const [vpc] = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [network.vpcId] }))).Vpcs ?? [];
    expect(vpc?.CidrBlock).toBe('10.0.0.0/16');
    expect(vpc?.CidrBlockAssociationSet?.map((a) => [a.CidrBlock, a.CidrBlockState?.State])).toEqual([
      ['10.0.0.0/16', 'associated'],
      ['10.1.0.0/16', 'associated'],
    ]);
    expect(vpc?.CidrBlockAssociationSet?.[1]?.AssociationId).toBe(
      associated.CidrBlockAssociation?.AssociationId,
    );
    expect(sim.state().ec2.vpcs.get(network.vpcId)?.secondaryCidrBlocks).toEqual(['10.1.0.0/16']);
    const bySecondary = await ec2.send(
      new DescribeVpcsCommand({
        Filters: [{ Name: 'cidr-block-association.cidr-block', Values: ['10.1.0.0/16'] }],
      }),
    );
    expect(bySecondary.Vpcs?.map((v) => v.VpcId)).toEqual([network.vpcId]);
  });

  it('creates subnets and endpoint ENIs in a secondary block', async () => {
    const network = await createNetwork(ec2);
    await associate(network.vpcId, '100.64.0.0/16');
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: network.vpcId,
        CidrBlock: '100.64.1.0/24',
        AvailabilityZone: 'us-east-1d',
      }),
    );
    const endpoint = await interfaceEndpoint(network, [subnet.Subnet?.SubnetId ?? '']);
    const [eni] = await interfacesOf(endpoint.VpcEndpointId);
    expect(eni?.PrivateIpAddress).toBe('100.64.1.4');
    await expect(
      ec2.send(new CreateSubnetCommand({ VpcId: network.vpcId, CidrBlock: '100.65.0.0/24' })),
    ).rejects.toMatchObject({ name: 'InvalidSubnet.Range' });
  });

  it('refuses blocks outside /16-/28 or overlapping a block of the VPC', async () => {
    const network = await createNetwork(ec2);
    for (const [block, message] of [
      ['10.2.0.0/15', "The CIDR '10.2.0.0/15' is invalid."],
      ['10.1.0.0/29', "The CIDR '10.1.0.0/29' is invalid."],
      ['10.0.128.0/17', expect.stringContaining('conflicts with a current CIDR block')],
    ] as const) {
      await expect(associate(network.vpcId, block)).rejects.toMatchObject({
        name: 'InvalidVpc.Range',
        message,
      });
    }
    await expect(associate(network.vpcId, '10.1.2.3/16')).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
    await expect(associate('vpc-0123456789abcdef0', '10.1.0.0/16')).rejects.toMatchObject({
      name: 'InvalidVpcID.NotFound',
    });
  });

  it('holds to the association restrictions table (RFC 1918 ranges, 198.19.0.0/16, 172.31.0.0/16)', async () => {
    const network = await createNetwork(ec2);
    for (const block of ['172.16.0.0/16', '192.168.0.0/16', '198.19.0.0/16']) {
      await expect(associate(network.vpcId, block)).rejects.toMatchObject({
        name: 'InvalidVpc.Range',
        message: expect.stringContaining('is restricted'),
      });
    }
    // 10.0.0.0/16 (inside 10.0.0.0/15) rules out more of 10.0.0.0/16; it is all taken here anyway.
    await expect(associate(network.vpcId, '10.2.0.0/16')).resolves.toBeDefined();
    await expect(associate(network.vpcId, '100.64.0.0/16')).resolves.toBeDefined();
    await expect(associate(network.vpcId, '52.94.0.0/22')).resolves.toBeDefined();
    const other = await ec2.send(new CreateVpcCommand({ CidrBlock: '172.20.0.0/16' }));
    await expect(associate(other.Vpc?.VpcId ?? '', '172.31.0.0/16')).rejects.toMatchObject({
      name: 'InvalidVpc.Range',
    });
    await expect(associate(other.Vpc?.VpcId ?? '', '172.21.0.0/16')).resolves.toBeDefined();
    // A VPC with a block in 10.0.0.0/15 may not add one from 10.0.0.0/16.
    const ten = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    await expect(associate(ten.Vpc?.VpcId ?? '', '10.0.5.0/24')).rejects.toMatchObject({
      name: 'InvalidVpc.Range',
      message: expect.stringContaining('is restricted'),
    });
  });

  it('allows five IPv4 blocks per VPC, the primary one included', async () => {
    const network = await createNetwork(ec2);
    for (const second of [1, 2, 3, 4]) await associate(network.vpcId, `10.${second}.0.0/16`);
    await expect(associate(network.vpcId, '10.5.0.0/16')).rejects.toMatchObject({
      name: 'CidrLimitExceeded',
      message: `This network '${network.vpcId}' has met its maximum number of allowed CIDRs: 5`,
    });
  });
});

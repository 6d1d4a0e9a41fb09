import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const PENDING_MS = 60_000;
const VISIBLE_MS = 300_000;
// Real time keeps running under the simulated clock: assert a second clear of each boundary.
const MARGIN_MS = 1_000;

let sim: Simulator;
let ec2: EC2Client;
let network: Network;

beforeEach(async () => {
  sim = await startSimulator({ endpointPendingMs: PENDING_MS, deletedEndpointVisibleMs: VISIBLE_MS });
  ec2 = clientsFor(sim).ec2;
  network = await createNetwork(ec2);
});
afterEach(() => sim.stop());

async function endpoint(id: string) {
  const described = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  return described.VpcEndpoints?.[0];
}

async function interfaceSubnets(): Promise<string[]> {
  const described = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }),
  );
  return (described.NetworkInterfaces ?? []).map((eni) => eni.SubnetId ?? '').sort();
}

async function createInterfaceEndpoint(subnetIds: string[]): Promise<string> {
  const created = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: network.vpcId,
      VpcEndpointType: 'Interface',
      ServiceName: 'com.amazonaws.us-east-1.s3',
      SubnetIds: subnetIds,
    }),
  );
  return created.VpcEndpoint?.VpcEndpointId ?? '';
}

describe('simulator clock', () => {
  it('moves simulated time forward on advance and refuses to go back', () => {
    const before = sim.clock.now();
    sim.clock.advance(3_600_000);
    expect(sim.clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    expect(() => sim.clock.advance(-1)).toThrow(RangeError);
  });
});

describe('interface endpoint lifecycle with endpointPendingMs', () => {
  it('is pending without network interfaces until the pending time has passed', async () => {
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: network.vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.s3',
        SubnetIds: [...network.subnetIds],
      }),
    );
    expect(created.VpcEndpoint).toMatchObject({
      State: 'pending',
      NetworkInterfaceIds: [],
      SubnetIds: [...network.subnetIds],
    });
    const id = created.VpcEndpoint?.VpcEndpointId ?? '';
    sim.clock.advance(PENDING_MS - MARGIN_MS);
    expect((await endpoint(id))?.State).toBe('pending');
    expect(await interfaceSubnets()).toEqual([]);
    sim.clock.advance(MARGIN_MS);
    const available = await endpoint(id);
    expect(available?.State).toBe('available');
    expect(available?.NetworkInterfaceIds).toHaveLength(3);
    expect(await interfaceSubnets()).toEqual([...network.subnetIds].sort());
  });

  it('goes pending on modify: new subnets get ENIs when available, removed ones lose theirs at once', async () => {
    const id = await createInterfaceEndpoint([network.subnetIds[0], network.subnetIds[1]]);
    sim.clock.advance(PENDING_MS);
    await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: id,
        AddSubnetIds: [network.subnetIds[2]],
        RemoveSubnetIds: [network.subnetIds[0]],
      }),
    );
    expect((await endpoint(id))?.State).toBe('pending');
    expect(await interfaceSubnets()).toEqual([network.subnetIds[1]]);
    sim.clock.advance(PENDING_MS);
    expect((await endpoint(id))?.State).toBe('available');
    expect(await interfaceSubnets()).toEqual([network.subnetIds[1], network.subnetIds[2]].sort());
  });

  it('reports deleting for the pending time, then deleted for deletedEndpointVisibleMs, then not found', async () => {
    const id = await createInterfaceEndpoint([network.subnetIds[0]]);
    sim.clock.advance(PENDING_MS);
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    expect((await endpoint(id))?.State).toBe('deleting');
    const deleting = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-state', Values: ['deleting'] }] }),
    );
    expect(deleting.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([id]);
    await expect(
      ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, PrivateDnsEnabled: false })),
    ).rejects.toMatchObject({
      name: 'InvalidVpcEndpointId.NotFound',
    });
    sim.clock.advance(PENDING_MS);
    const deleted = await endpoint(id);
    expect(deleted).toMatchObject({ State: 'deleted', NetworkInterfaceIds: [] });
    expect(await interfaceSubnets()).toEqual([]);
    sim.clock.advance(VISIBLE_MS - MARGIN_MS);
    const byState = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-state', Values: ['deleted'] }] }),
    );
    expect(byState.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([id]);
    sim.clock.advance(MARGIN_MS);
    await expect(endpoint(id)).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });
    const byFilter = await ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: [id] }] }),
    );
    expect(byFilter.VpcEndpoints).toEqual([]);
  });

  it('keeps the ENIs of a deleting endpoint (and their addresses) until it is deleted', async () => {
    const id = await createInterfaceEndpoint([network.subnetIds[0]]);
    sim.clock.advance(PENDING_MS);
    const [eniId] = (await endpoint(id))?.NetworkInterfaceIds ?? [];
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    expect((await endpoint(id))?.NetworkInterfaceIds).toEqual([eniId]);
    const during = await ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId ?? ''] }),
    );
    expect(during.NetworkInterfaces?.[0]?.PrivateIpAddress).toBe('10.0.1.4');
    // The address is still taken: another endpoint gets the next one.
    const other = await createInterfaceEndpoint([network.subnetIds[0]]);
    sim.clock.advance(PENDING_MS);
    await expect(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId ?? ''] })),
    ).rejects.toMatchObject({ name: 'InvalidNetworkInterfaceID.NotFound' });
    const otherEnis = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`*${other}`] }] }),
    );
    expect(otherEnis.NetworkInterfaces?.map((eni) => eni.PrivateIpAddress)).toEqual(['10.0.1.5']);
    // Once the deletion is done, the freed address is the lowest free one again.
    const third = await createInterfaceEndpoint([network.subnetIds[0]]);
    sim.clock.advance(PENDING_MS);
    const thirdEnis = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`*${third}`] }] }),
    );
    expect(thirdEnis.NetworkInterfaces?.map((eni) => eni.PrivateIpAddress)).toEqual(['10.0.1.4']);
  });

  it('leaves Gateway endpoints available at once', async () => {
    const created = await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: network.vpcId, ServiceName: 'com.amazonaws.us-east-1.s3' }),
    );
    expect(created.VpcEndpoint?.State).toBe('available');
  });
});

describe('states the service provider or AWS drive (sim.setEndpointState)', () => {
  const FINAL = ['rejected', 'failed', 'expired'] as const;

  async function availableEndpoint(): Promise<string> {
    const id = await createInterfaceEndpoint([network.subnetIds[0], network.subnetIds[1]]);
    sim.clock.advance(PENDING_MS);
    expect((await endpoint(id))?.State).toBe('available');
    return id;
  }

  it('holds a new endpoint in pendingAcceptance without ENIs; accepted, it is pending, then available', async () => {
    const id = await createInterfaceEndpoint([network.subnetIds[0], network.subnetIds[1]]);
    sim.setEndpointState(id, 'pendingAcceptance');
    sim.clock.advance(24 * 3_600_000);
    expect(await endpoint(id)).toMatchObject({ State: 'pendingAcceptance', NetworkInterfaceIds: [] });
    expect(await interfaceSubnets()).toEqual([]);
    const byState = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-endpoint-state', Values: ['pendingAcceptance'] }],
      }),
    );
    expect(byState.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([id]);
    // A modification meanwhile is allowed, and its new ENI waits for acceptance too.
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [network.subnetIds[2]] }));
    sim.clock.advance(PENDING_MS);
    expect(await endpoint(id)).toMatchObject({ State: 'pendingAcceptance', NetworkInterfaceIds: [] });

    sim.setEndpointState(id, 'available');
    expect((await endpoint(id))?.State).toBe('pending');
    expect(await interfaceSubnets()).toEqual([]);
    sim.clock.advance(PENDING_MS + MARGIN_MS);
    expect((await endpoint(id))?.NetworkInterfaceIds).toHaveLength(3);
    expect((await endpoint(id))?.State).toBe('available');
    expect(await interfaceSubnets()).toEqual([...network.subnetIds].sort());
  });

  for (const state of FINAL) {
    it(`makes ${state} final: no ENIs, no way back, Modify refused, Delete allowed`, async () => {
      const id = await availableEndpoint();
      sim.setEndpointState(id, state);
      expect(await endpoint(id)).toMatchObject({ State: state, NetworkInterfaceIds: [] });
      expect(await interfaceSubnets()).toEqual([]);
      sim.clock.advance(24 * 3_600_000);
      expect((await endpoint(id))?.State).toBe(state);
      expect(() => sim.setEndpointState(id, 'available')).toThrow(/cannot leave/);
      await expect(
        ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, PrivateDnsEnabled: false })),
      ).rejects.toMatchObject({ name: 'IncorrectState', $metadata: { httpStatusCode: 400 } });
      const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
      expect(deleted.Unsuccessful).toEqual([]);
      expect((await endpoint(id))?.State).toBe('deleting');
      sim.clock.advance(PENDING_MS);
      expect((await endpoint(id))?.State).toBe('deleted');
    });
  }

  it('reports partial with the ENIs it has, and available again when AWS clears it', async () => {
    const id = await availableEndpoint();
    sim.setEndpointState(id, 'partial');
    expect((await endpoint(id))?.State).toBe('partial');
    expect((await endpoint(id))?.NetworkInterfaceIds).toHaveLength(2);
    sim.setEndpointState(id, 'available');
    expect((await endpoint(id))?.State).toBe('available');
  });

  it('refuses to change a deleting or unknown endpoint, and works in another region', async () => {
    const id = await availableEndpoint();
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    expect(() => sim.setEndpointState(id, 'rejected')).toThrow(/deleting/);
    expect(() => sim.setEndpointState('vpce-0123456789abcdef0', 'rejected')).toThrow(/no endpoint/);
    const westEc2 = new EC2Client(sim.clientConfig({ region: 'eu-west-1' }));
    const vpc = await westEc2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const subnet = await westEc2.send(
      new CreateSubnetCommand({
        VpcId: vpc.Vpc?.VpcId,
        CidrBlock: '10.9.1.0/24',
        AvailabilityZone: 'eu-west-1a',
      }),
    );
    const created = await westEc2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpc.Vpc?.VpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.eu-west-1.s3',
        SubnetIds: [subnet.Subnet?.SubnetId ?? ''],
      }),
    );
    const westId = created.VpcEndpoint?.VpcEndpointId ?? '';
    expect(() => sim.setEndpointState(westId, 'rejected')).toThrow(/no endpoint/);
    sim.setEndpointState(westId, 'rejected', 'eu-west-1');
    const described = await westEc2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [westId] }));
    expect(described.VpcEndpoints?.[0]?.State).toBe('rejected');
  });
});

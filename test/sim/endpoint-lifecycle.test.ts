import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  ModifyVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

const PENDING_MS = 60_000;
// Real time keeps running under the simulated clock: assert a second clear of each boundary.
const MARGIN_MS = 1_000;

let sim: Simulator;
let ec2: EC2Client;
let network: Network;

beforeEach(async () => {
  sim = await startSimulator({ endpointPendingMs: PENDING_MS });
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

  it('reports deleting for the pending time, then not found', async () => {
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
    await expect(endpoint(id)).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });
  });

  it('leaves Gateway endpoints available at once', async () => {
    const created = await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: network.vpcId, ServiceName: 'com.amazonaws.us-east-1.s3' }),
    );
    expect(created.VpcEndpoint?.State).toBe('available');
  });
});

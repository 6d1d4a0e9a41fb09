import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let ec2: EC2Client;
let network: Network;

beforeEach(async () => {
  sim = await startSimulator();
  ec2 = clientsFor(sim, { maxAttempts: 1 }).ec2;
  network = await createNetwork(ec2);
});
afterEach(() => sim.stop());

async function group(name: string): Promise<string> {
  const created = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: network.vpcId }),
  );
  return created.GroupId ?? '';
}

describe('EC2 security groups and their rules', () => {
  it('gives a new group one outbound rule allowing everything, and no inbound rule', async () => {
    const id = await group('alb');
    const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
    expect(described.SecurityGroups?.[0]).toMatchObject({
      GroupId: id,
      GroupName: 'alb',
      VpcId: network.vpcId,
      IpPermissions: [],
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('authorizes ingress from a group and a CIDR (canonicalised), read back by group and by rule', async () => {
    const alb = await group('alb');
    const endpoint = await group('endpoint');
    const added = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: endpoint,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            UserIdGroupPairs: [{ GroupId: alb, Description: 'from the ALB' }],
            IpRanges: [{ CidrIp: '10.0.1.7/24' }],
          },
        ],
      }),
    );
    expect(added.Return).toBe(true);
    expect(added.SecurityGroupRules).toHaveLength(2);
    const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [endpoint] }));
    expect(described.SecurityGroups?.[0]?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        UserIdGroupPairs: [expect.objectContaining({ GroupId: alb, Description: 'from the ALB' })],
        IpRanges: [expect.objectContaining({ CidrIp: '10.0.1.0/24' })],
      }),
    ]);
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [endpoint] }] }),
    );
    const inbound = rules.SecurityGroupRules?.filter((r) => !r.IsEgress) ?? [];
    expect(inbound).toEqual([
      expect.objectContaining({ CidrIpv4: '10.0.1.0/24' }),
      expect.objectContaining({
        GroupId: endpoint,
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        ReferencedGroupInfo: expect.objectContaining({ GroupId: alb }),
      }),
    ]);
    const one = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        SecurityGroupRuleIds: [inbound[0]?.SecurityGroupRuleId ?? ''],
      }),
    );
    expect(one.SecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([
      inbound[0]?.SecurityGroupRuleId,
    ]);
  });

  it('authorizes egress, refuses a duplicate rule and leaves the group unchanged', async () => {
    const alb = await group('alb');
    const endpoint = await group('endpoint');
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: alb,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: endpoint }] },
        ],
      }),
    );
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: alb,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: endpoint }] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPermission.Duplicate' });
    const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [alb] }));
    expect(described.SecurityGroups?.[0]?.IpPermissionsEgress?.map((p) => p.IpProtocol)).toEqual([
      '-1',
      'tcp',
    ]);
  });

  it('fails for unknown groups (InvalidGroup.NotFound), filters by VPC, and lists the default group with its self rule', async () => {
    await expect(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-00000000000000000'] })),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    await expect(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: 'sg-00000000000000000',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidGroup.NotFound' });
    const inVpc = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [network.vpcId] }] }),
    );
    const fallback = inVpc.SecurityGroups?.find((g) => g.GroupName === 'default');
    expect(fallback?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: '-1',
        UserIdGroupPairs: [expect.objectContaining({ GroupId: fallback?.GroupId })],
      }),
    ]);
  });
});

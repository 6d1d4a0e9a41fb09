/**
 * One test per patch in test/moto/server.py: the AWS behaviour it adds, through the AWS SDK. In
 * `pnpm test:moto` they run against the patched moto; in `pnpm test` against the project's
 * simulator, which documents the same behaviours (so both emulators agree with AWS here).
 */
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeNetworkInterfacesCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  DescribeRulesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Vpc } from '../support/account.ts';
import { type Harness, startHarness } from '../support/harness.ts';

let h: Harness;
let vpc: Vpc;
beforeEach(async () => {
  h = await startHarness();
  vpc = await h.account.vpc(9);
});
afterEach(() => h.stop());

const UNKNOWN = 'vpce-0123456789abcdef0';

/** An IPv6 address with all eight groups, each of four hex digits. */
function expandIpv6(ip: string): string {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0')).join(':');
}

describe('moto patch 1: DescribeVpcEndpoints filter vpc-endpoint-id', () => {
  it('returns the endpoints with those ids and leaves unknown ids out, where an id list fails the call', async () => {
    const [a, b] = [await h.account.endpoint(vpc, 1), await h.account.endpoint(vpc, 1)];
    const filtered = await h.account.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: [a, UNKNOWN] }] }),
    );
    expect(filtered.VpcEndpoints?.map((e) => e.VpcEndpointId)).toEqual([a]);
    expect(b).not.toBe(a);

    const listed = h.account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [a, UNKNOWN] }));
    await expect(listed).rejects.toMatchObject({ name: 'InvalidVpcEndpointId.NotFound' });
  });
});

describe('moto patch 2: ModifyVpcEndpoint adds and removes endpoint network interfaces', () => {
  const enis = async (endpointId: string) => {
    const found = await h.account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    const ids = found.VpcEndpoints?.[0]?.NetworkInterfaceIds ?? [];
    if (ids.length === 0) return [];
    const described = await h.account.ec2.send(
      new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ids }),
    );
    return (described.NetworkInterfaces ?? []).map((n) => n.SubnetId).sort();
  };

  it('an added subnet gains one ENI, a removed subnet loses its ENI', async () => {
    const [first, second] = vpc.subnets.map((s) => s.subnetId) as [string, string];
    const endpointId = await h.account.endpoint(vpc, 1);
    expect(await enis(endpointId)).toEqual([first]);

    await h.account.addSubnet(endpointId, second);
    expect(await enis(endpointId)).toEqual([first, second].sort());
    expect(await h.account.endpointIps(endpointId)).toHaveLength(2);

    await h.account.removeSubnet(endpointId, first);
    expect(await enis(endpointId)).toEqual([second]);
  });
});

describe('moto patch 3: CreateVpcEndpoint IpAddressType', () => {
  it('a dualstack endpoint says so and each of its ENIs has an IPv6 address of its subnet, added ones too', async () => {
    const dual = await h.account.dualStackVpc(8, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const endpointId = await h.account.endpoint(dual, 2, 'Interface', 'dualstack');
    const found = await h.account.ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
    expect(found.VpcEndpoints?.[0]?.IpAddressType).toBe('dualstack');
    // The first 56 bits (the VPC's /56) of the addresses, compared written out in full: an
    // address's own text drops a group's leading zeros (`0a3f` reads `a3f`).
    const prefix = expandIpv6(await h.account.vpcIpv6Address(dual, 1)).slice(0, 17);
    expect(await h.account.endpointIps(endpointId, 'ipv6')).toHaveLength(2);
    await h.account.addSubnet(endpointId, dual.subnets[2]?.subnetId as string);
    const ipv6 = await h.account.endpointIps(endpointId, 'ipv6');
    expect(ipv6).toHaveLength(3);
    for (const ip of ipv6) expect(expandIpv6(ip).slice(0, 17), ip).toBe(prefix);

    const v4 = await h.account.ec2.send(
      new DescribeVpcEndpointsCommand({ VpcEndpointIds: [await h.account.endpoint(vpc, 1)] }),
    );
    expect(v4.VpcEndpoints?.[0]?.IpAddressType ?? 'ipv4').toBe('ipv4');
  });
});

describe('moto patch 4: GetMetricData matches exactly the dimensions asked for', () => {
  it('a query without dimensions gets only the datapoints published without dimensions', async () => {
    const cw = new CloudWatchClient(h.settings);
    const now = new Date();
    const put = (namespace: string, value: number, site?: string) =>
      cw.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: [
            {
              MetricName: 'Drift',
              Value: value,
              Unit: 'Count',
              Timestamp: now,
              ...(site ? { Dimensions: [{ Name: 'Site', Value: site }] } : {}),
            },
          ],
        }),
      );
    await put('VtsPatchTest', 1);
    await put('VtsPatchTest', 5, 'a');
    await put('VtsPatchTest', 7, 'b');
    await put('VtsOtherNamespace', 100, 'a');
    const sum = async (dimensions: { Name: string; Value: string }[]) => {
      const data = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 60_000),
          EndTime: new Date(now.getTime() + 60_000),
          MetricDataQueries: [
            {
              Id: 'm',
              MetricStat: {
                Metric: { Namespace: 'VtsPatchTest', MetricName: 'Drift', Dimensions: dimensions },
                Period: 60,
                Stat: 'Sum',
              },
            },
          ],
        }),
      );
      return (data.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
    };
    expect(await sum([])).toBe(1);
    expect(await sum([{ Name: 'Site', Value: 'a' }])).toBe(5);
    expect(await sum([{ Name: 'Site', Value: 'c' }])).toBe(0);
  });
});

describe('moto patch 5: CreateRule keeps the rule Transforms', () => {
  it('a rule created with a host-header-rewrite transform returns it, in CreateRule and DescribeRules', async () => {
    const arn = await h.account.site('rewritten', vpc);
    const lb = await h.account.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'patch-5',
        Type: 'application',
        Scheme: 'internal',
        Subnets: vpc.subnets.map((s) => s.subnetId),
      }),
    );
    const listener = await h.account.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    const ListenerArn = listener.Listeners?.[0]?.ListenerArn;
    const transforms = [
      {
        Type: 'host-header-rewrite' as const,
        HostHeaderRewriteConfig: {
          Rewrites: [{ Regex: '^.*$', Replace: 'content.s3.us-east-1.amazonaws.com' }],
        },
      },
    ];
    const created = await h.account.elbv2.send(
      new CreateRuleCommand({
        ListenerArn,
        Priority: 5,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: arn }],
        Transforms: transforms,
      }),
    );
    expect(created.Rules?.[0]?.Transforms).toEqual(transforms);
    const plain = await h.account.elbv2.send(
      new CreateRuleCommand({
        ListenerArn,
        Priority: 6,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: arn }],
      }),
    );

    const rules = (await h.account.elbv2.send(new DescribeRulesCommand({ ListenerArn }))).Rules ?? [];
    const byArn = (ruleArn: string | undefined) => rules.find((r) => r.RuleArn === ruleArn);
    expect(byArn(created.Rules?.[0]?.RuleArn)?.Transforms).toEqual(transforms);
    expect(byArn(plain.Rules?.[0]?.RuleArn)?.Transforms ?? []).toEqual([]);
  });
});

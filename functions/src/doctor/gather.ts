/**
 * The doctor's imperative shell: reads what the checks need for one site, read-only, through the
 * SDK (ELBv2 Describe*, EC2 Describe*, S3 HeadBucket/GetBucketPolicy). It never writes.
 */
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetBucketPolicyCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketNames, isS3Service } from './checks.ts';
import type {
  ActionFact,
  BucketFact,
  EndpointFact,
  ListenerFact,
  LoadBalancerFact,
  RuleFact,
  SecurityGroupFact,
  SecurityGroupRuleFact,
  SiteFacts,
  SubnetFact,
  TargetGroupFact,
} from './facts.ts';

export interface DoctorClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly s3: S3Client;
}

const nameOf = (error: unknown): string => (error as { name?: string })?.name ?? '';
const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

function actionFact(action: Action): ActionFact {
  const arns = [
    ...(action.TargetGroupArn ? [action.TargetGroupArn] : []),
    ...(action.ForwardConfig?.TargetGroups ?? []).flatMap((tg) =>
      tg.TargetGroupArn ? [tg.TargetGroupArn] : [],
    ),
  ];
  return {
    type: action.Type ?? '',
    order: action.Order,
    targetGroupArns: [...new Set(arns)],
    redirectPath: action.RedirectConfig?.Path,
  };
}

function ruleFacts(permissions: readonly IpPermission[] | undefined): SecurityGroupRuleFact[] {
  return (permissions ?? []).flatMap((p) => {
    const base = {
      protocol: p.IpProtocol ?? '-1',
      fromPort: p.FromPort ?? -1,
      toPort: p.ToPort ?? -1,
    };
    return [
      ...(p.IpRanges ?? []).map((r) => ({
        ...base,
        cidrIpv4: r.CidrIp,
        cidrIpv6: undefined,
        groupId: undefined,
      })),
      ...(p.Ipv6Ranges ?? []).map((r) => ({
        ...base,
        cidrIpv4: undefined,
        cidrIpv6: r.CidrIpv6,
        groupId: undefined,
      })),
      ...(p.UserIdGroupPairs ?? []).map((g) => ({
        ...base,
        cidrIpv4: undefined,
        cidrIpv6: undefined,
        groupId: g.GroupId,
      })),
    ];
  });
}

async function targetGroupFact(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<TargetGroupFact> {
  const found = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
  const tg = found.TargetGroups?.[0];
  if (!tg) throw new Error(`target group ${arn} not found`);
  return {
    arn,
    name: tg.TargetGroupName ?? arn,
    targetType: tg.TargetType ?? '',
    protocol: tg.Protocol,
    port: tg.Port,
    ipAddressType: tg.IpAddressType ?? 'ipv4',
    vpcId: tg.VpcId,
    healthCheckProtocol: tg.HealthCheckProtocol,
    healthCheckPath: tg.HealthCheckPath,
    matcher: tg.Matcher?.HttpCode,
    loadBalancerArns: tg.LoadBalancerArns ?? [],
  };
}

async function endpointFact(ec2: EC2Client, id: string): Promise<EndpointFact | undefined> {
  try {
    const found = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    const e = found.VpcEndpoints?.[0];
    if (!e) return undefined;
    return {
      id,
      type: e.VpcEndpointType ?? '',
      state: String(e.State ?? '').toLowerCase(),
      vpcId: e.VpcId ?? '',
      serviceName: e.ServiceName ?? '',
      ipAddressType: e.IpAddressType ?? 'ipv4',
      subnetIds: e.SubnetIds ?? [],
      securityGroupIds: (e.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
      policyDocument: e.PolicyDocument,
      privateDnsEnabled: e.PrivateDnsEnabled ?? false,
    };
  } catch (error) {
    if (nameOf(error) === 'InvalidVpcEndpointId.NotFound') return undefined;
    throw error;
  }
}

async function listenersAndRules(
  elbv2: ElasticLoadBalancingV2Client,
  balancers: readonly LoadBalancerFact[],
): Promise<{ listeners: ListenerFact[]; rules: RuleFact[] }> {
  const listeners: ListenerFact[] = [];
  for (const lb of balancers) listeners.push(...(await listenersOf(elbv2, lb.arn)));
  const rules: RuleFact[] = [];
  for (const listener of listeners) rules.push(...(await rulesOf(elbv2, listener.arn)));
  return { listeners, rules };
}

async function listenersOf(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<ListenerFact[]> {
  const listeners: ListenerFact[] = [];
  let marker: string | undefined;
  do {
    const page = await elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker }),
    );
    for (const l of page.Listeners ?? []) {
      listeners.push({
        arn: l.ListenerArn ?? '',
        loadBalancerArn,
        protocol: l.Protocol ?? '',
        port: l.Port ?? 0,
      });
    }
    marker = page.NextMarker;
  } while (marker);
  return listeners;
}

async function rulesOf(elbv2: ElasticLoadBalancingV2Client, listenerArn: string): Promise<RuleFact[]> {
  const rules: RuleFact[] = [];
  let marker: string | undefined;
  do {
    const page = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker }));
    for (const r of page.Rules ?? []) rules.push(listenerRuleFact(listenerArn, r));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

function listenerRuleFact(listenerArn: string, r: Rule): RuleFact {
  return {
    listenerArn,
    priority: r.Priority ?? '',
    isDefault: r.IsDefault ?? false,
    conditions: (r.Conditions ?? []).map((c) => ({
      field: c.Field ?? '',
      values:
        c.HostHeaderConfig?.Values ??
        c.PathPatternConfig?.Values ??
        c.HttpRequestMethodConfig?.Values ??
        c.SourceIpConfig?.Values ??
        c.Values ??
        [],
    })),
    actions: (r.Actions ?? []).map(actionFact),
    transforms: (r.Transforms ?? []).map((t) => ({
      type: t.Type ?? '',
      rewrites: (t.HostHeaderRewriteConfig?.Rewrites ?? t.UrlRewriteConfig?.Rewrites ?? []).map((w) => ({
        regex: w.Regex ?? '',
        replace: w.Replace ?? '',
      })),
    })),
  };
}

async function bucketFact(s3: S3Client, name: string): Promise<BucketFact> {
  let region: string | undefined;
  try {
    region = (await s3.send(new HeadBucketCommand({ Bucket: name }))).BucketRegion;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || nameOf(error) === 'NotFound' || nameOf(error) === 'NoSuchBucket')
      return { exists: false, policy: null, region: undefined };
    if (status === 403) return { exists: 'forbidden', policy: 'unreadable', region: undefined };
    throw error;
  }
  try {
    const policy = await s3.send(new GetBucketPolicyCommand({ Bucket: name }));
    return { exists: true, policy: policy.Policy ?? null, region };
  } catch (error) {
    if (nameOf(error) === 'NoSuchBucketPolicy') return { exists: true, policy: null, region };
    if (statusOf(error) === 403) return { exists: true, policy: 'unreadable', region };
    throw error;
  }
}

/** Everything the checks read about one site (a target group and the endpoint its tag names). */
export async function gatherSite(
  clients: DoctorClients,
  region: string,
  targetGroupArn: string,
  endpointId: string,
): Promise<SiteFacts> {
  const { ec2, elbv2, s3 } = clients;
  const [targetGroup, endpoint] = await Promise.all([
    targetGroupFact(elbv2, targetGroupArn),
    endpointFact(ec2, endpointId),
  ]);
  const balancers = await loadBalancerFacts(elbv2, targetGroup.loadBalancerArns);
  const { listeners, rules } = await listenersAndRules(elbv2, balancers);
  const subnets = await subnetFacts(ec2, [
    ...(endpoint?.subnetIds ?? []),
    ...balancers.flatMap((lb) => lb.zones.map((z) => z.subnetId)),
  ]);
  const securityGroups = await securityGroupFacts(ec2, [
    ...(endpoint?.securityGroupIds ?? []),
    ...balancers.flatMap((lb) => lb.securityGroupIds),
  ]);
  const buckets: Record<string, BucketFact> = {};
  if (endpoint && isS3Service(endpoint.serviceName)) {
    for (const name of bucketNames({ rules, targetGroup })) buckets[name] = await bucketFact(s3, name);
  }
  return {
    region,
    targetGroup,
    endpointId,
    endpoint,
    subnets,
    loadBalancers: balancers,
    listeners,
    rules,
    securityGroups,
    buckets,
  };
}

async function loadBalancerFacts(
  elbv2: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<LoadBalancerFact[]> {
  if (arns.length === 0) return [];
  const found = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [...arns] }));
  return (found.LoadBalancers ?? []).map((lb) => ({
    arn: lb.LoadBalancerArn ?? '',
    name: lb.LoadBalancerName ?? '',
    type: lb.Type ?? '',
    vpcId: lb.VpcId ?? '',
    zones: (lb.AvailabilityZones ?? []).map((z) => ({
      zone: z.ZoneName ?? '',
      subnetId: z.SubnetId ?? '',
    })),
    securityGroupIds: lb.SecurityGroups ?? [],
  }));
}

/** The distinct subnets among `ids`, by id. */
async function subnetFacts(ec2: EC2Client, ids: readonly string[]): Promise<Record<string, SubnetFact>> {
  const subnetIds = [...new Set(ids)];
  const subnets: Record<string, SubnetFact> = {};
  if (subnetIds.length === 0) return subnets;
  const found = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }));
  for (const s of found.Subnets ?? []) {
    const id = s.SubnetId ?? '';
    subnets[id] = { id, zone: s.AvailabilityZone ?? '', vpcId: s.VpcId ?? '', cidrIpv4: s.CidrBlock };
  }
  return subnets;
}

/** The distinct security groups among `ids`, by id. */
async function securityGroupFacts(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<Record<string, SecurityGroupFact>> {
  const groupIds = [...new Set(ids)];
  const securityGroups: Record<string, SecurityGroupFact> = {};
  if (groupIds.length === 0) return securityGroups;
  const found = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
  for (const g of found.SecurityGroups ?? []) {
    const id = g.GroupId ?? '';
    securityGroups[id] = {
      id,
      ingress: ruleFacts(g.IpPermissions),
      egress: ruleFacts(g.IpPermissionsEgress),
    };
  }
  return securityGroups;
}

import { describe, expect, it } from 'vitest';
// The doctor is internal to the CLI (./cli exports only main); its checks are unit-tested here.
import { bucketOfHost, cidrCovers, isS3Service, matcherAccepts, runChecks } from '../src/doctor/checks.ts';
import type { SiteFacts } from '../src/doctor/facts.ts';

const TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site/0123456789abcdef';
const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/2';

/** A healthy site's facts, as the gatherer would read them; tests change one thing at a time. */
function facts(overrides: Partial<SiteFacts> = {}): SiteFacts {
  return {
    region: 'us-east-1',
    targetGroup: {
      arn: TG,
      name: 'site',
      targetType: 'ip',
      protocol: 'HTTPS',
      port: 443,
      ipAddressType: 'ipv4',
      vpcId: 'vpc-1',
      healthCheckProtocol: 'HTTPS',
      healthCheckPath: '/',
      matcher: '200-399,405',
      loadBalancerArns: ['alb'],
    },
    endpointId: 'vpce-0123456789abcdef0',
    endpoint: {
      id: 'vpce-0123456789abcdef0',
      type: 'Interface',
      state: 'available',
      vpcId: 'vpc-1',
      serviceName: 'com.amazonaws.us-east-1.s3',
      ipAddressType: 'ipv4',
      subnetIds: ['subnet-a', 'subnet-b'],
      securityGroupIds: ['sg-endpoint'],
      policyDocument: JSON.stringify({
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:Get*',
          Resource: 'arn:aws:s3:::docs-bucket/*',
        },
      }),
      privateDnsEnabled: false,
    },
    subnets: {
      'subnet-a': { id: 'subnet-a', zone: 'us-east-1a', vpcId: 'vpc-1', cidrIpv4: '10.0.1.0/24' },
      'subnet-b': { id: 'subnet-b', zone: 'us-east-1b', vpcId: 'vpc-1', cidrIpv4: '10.0.2.0/24' },
    },
    loadBalancers: [
      {
        arn: 'alb',
        name: 'alb',
        type: 'application',
        vpcId: 'vpc-1',
        zones: [
          { zone: 'us-east-1a', subnetId: 'subnet-a' },
          { zone: 'us-east-1b', subnetId: 'subnet-b' },
        ],
        securityGroupIds: ['sg-alb'],
      },
    ],
    listeners: [{ arn: LISTENER, loadBalancerArn: 'alb', protocol: 'HTTPS', port: 443 }],
    rules: [
      {
        listenerArn: LISTENER,
        priority: '1',
        isDefault: false,
        conditions: [{ field: 'path-pattern', values: ['/docs/'] }],
        actions: [
          { type: 'redirect', order: undefined, targetGroupArns: [], redirectPath: '/#{path}index.html' },
        ],
        transforms: [],
      },
      {
        listenerArn: LISTENER,
        priority: '2',
        isDefault: false,
        conditions: [{ field: 'host-header', values: ['docs.example.com'] }],
        actions: [{ type: 'forward', order: undefined, targetGroupArns: [TG], redirectPath: undefined }],
        transforms: [
          { type: 'host-header-rewrite', rewrites: [{ regex: '^docs\\.(.*)$', replace: 'docs-bucket' }] },
        ],
      },
    ],
    securityGroups: {
      // A CIDR covering the ALB's subnets is as good as its security group.
      'sg-endpoint': {
        id: 'sg-endpoint',
        ingress: [
          {
            protocol: 'tcp',
            fromPort: 400,
            toPort: 500,
            cidrIpv4: '10.0.0.0/16',
            cidrIpv6: undefined,
            groupId: undefined,
          },
        ],
        egress: [],
      },
      'sg-alb': {
        id: 'sg-alb',
        ingress: [],
        egress: [
          {
            protocol: '-1',
            fromPort: -1,
            toPort: -1,
            cidrIpv4: '0.0.0.0/0',
            cidrIpv6: undefined,
            groupId: undefined,
          },
        ],
      },
    },
    buckets: {
      'docs-bucket': {
        exists: true,
        region: 'us-east-1',
        policy: JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject'],
              Resource: 'arn:aws:s3:::docs-bucket/*',
              Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
            },
          ],
        }),
      },
    },
    ...overrides,
  };
}

const statuses = (f: SiteFacts) => Object.fromEntries(runChecks(f).map((c) => [c.id, c.status]));

describe('doctor checks (pure)', () => {
  it('reads matchers, CIDRs, S3 service names and virtual-host bucket hosts', () => {
    expect(matcherAccepts('200-399,405', 307)).toBe(true);
    expect(matcherAccepts('200,302', 307)).toBe(false);
    expect(cidrCovers('10.0.0.0/16', '10.0.2.0/24')).toBe(true);
    expect(cidrCovers('10.0.1.0/24', '10.0.2.0/24')).toBe(false);
    expect(cidrCovers('0.0.0.0/0', '192.168.0.0/24')).toBe(true);
    expect(isS3Service('com.amazonaws.eu-west-1.s3')).toBe(true);
    expect(isS3Service('com.amazonaws.eu-west-1.s3-outposts')).toBe(false);
    expect(bucketOfHost('docs.example.com.s3.us-east-1.amazonaws.com')).toBe('docs.example.com');
    expect(bucketOfHost('docs.example.com')).toBe('docs.example.com');
  });

  it('passes a site reached by CIDR rules, a matcher range, a rewrite and an aws:SourceVpc policy', () => {
    expect(Object.values(statuses(facts())).every((s) => s === 'pass')).toBe(true);
  });

  it('warns for zones the ALB enables without an ENI, and fails an ALB egress that cannot reach the endpoint', () => {
    const base = facts();
    const endpoint = base.endpoint;
    if (!endpoint) throw new Error('no endpoint');
    expect(statuses(facts({ endpoint: { ...endpoint, subnetIds: ['subnet-a'] } }))['az-coverage']).toBe(
      'warn',
    );
    const closed = facts({
      securityGroups: {
        ...base.securityGroups,
        'sg-alb': { id: 'sg-alb', ingress: [], egress: [] },
      },
    });
    const check = runChecks(closed).find((c) => c.id === 'security-groups');
    expect(check?.status).toBe('fail');
    expect(check?.finding).toContain('allow no outbound TCP 443 to endpoint vpce-0123456789abcdef0');
  });

  it('fails a wildcard host without a rewrite, and an endpoint policy that denies the bucket', () => {
    const base = facts();
    const wildcard = facts({
      rules: base.rules.map((r) =>
        r.priority === '2'
          ? { ...r, conditions: [{ field: 'host-header', values: ['*.example.com'] }], transforms: [] }
          : r,
      ),
    });
    expect(statuses(wildcard)['host-bucket']).toBe('fail');
    const endpoint = base.endpoint;
    if (!endpoint) throw new Error('no endpoint');
    const denied = facts({
      endpoint: {
        ...endpoint,
        policyDocument: JSON.stringify({
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
            { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::docs-bucket/*' },
          ],
        }),
      },
    });
    expect(statuses(denied)['endpoint-policy']).toBe('fail');
  });
});

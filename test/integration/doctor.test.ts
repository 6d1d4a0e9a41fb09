/**
 * `vpce-target-sync doctor` through the real CLI process against the simulator: a site built like
 * the EndpointSite construct passes every check, and for each check id a site with the classic
 * mistake fails (or warns) it, with the finding and the fix asserted.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildEndpointSite,
  certificateArn,
  type EndpointSiteClients,
  type EndpointSiteFixture,
  type EndpointSiteOptions,
} from '../support/endpoint-site.ts';
import { EXTERNAL_ENDPOINT, type Harness, runCli, startHarness } from '../support/harness.ts';

let h: Harness;
let clients: EndpointSiteClients;
let second = 40;

async function buildSite(name: string, options: EndpointSiteOptions = {}): Promise<EndpointSiteFixture> {
  return buildEndpointSite(clients, await h.account.vpc(second++), name, options);
}

type Site = EndpointSiteFixture;

interface DoctorJson {
  region: string;
  sites: {
    targetGroupArn: string;
    targetGroupName: string;
    endpointId: string | null;
    error: string | null;
    checks: { id: string; status: string; finding: string; fix: string | null }[];
  }[];
  summary: Record<string, number>;
}

async function doctor(site: Site): Promise<{ code: number | null; report: DoctorJson; stderr: string }> {
  const result = await runCli(h, ['doctor', '--target-group', site.name, '--json']);
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorJson, stderr: result.stderr };
}

async function check(site: Site, id: string) {
  const { report } = await doctor(site);
  const found = report.sites[0]?.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}: ${JSON.stringify(report)}`);
  return found;
}

beforeAll(async () => {
  h = await startHarness();
  clients = {
    ec2: new EC2Client(h.settings),
    elbv2: new ElasticLoadBalancingV2Client(h.settings),
    s3: new S3Client({ ...h.settings, forcePathStyle: true }),
    certificate: await certificateArn(h.sim ? undefined : EXTERNAL_ENDPOINT),
  };
});
afterAll(() => h.stop());

describe('doctor', () => {
  it('passes every check for a site configured like the EndpointSite construct, read-only', async () => {
    const site = await buildSite('good');
    h.sim?.resetCalls();
    const { code, report } = await doctor(site);
    expect(code).toBe(0);
    const checks = report.sites[0]?.checks ?? [];
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['target-group', 'pass'],
      ['health-check', 'pass'],
      ['load-balancer', 'pass'],
      ['az-coverage', 'pass'],
      ['security-groups', 'pass'],
      ['host-bucket', 'pass'],
      ['bucket-policy', 'pass'],
      ['endpoint-policy', 'pass'],
      ['private-dns', 'pass'],
      ['index-document', 'pass'],
    ]);
    expect(checks.every((c) => c.fix === null)).toBe(true);
    expect(checks.find((c) => c.id === 'host-bucket')?.finding).toBe(
      `host ${site.host} is bucket ${site.host}`,
    );
    expect(checks.find((c) => c.id === 'health-check')?.finding).toBe(
      `target group good: health check HTTPS / matcher 307,405`,
    );
    expect(report.summary).toMatchObject({ pass: 10, warn: 0, fail: 0, skip: 0 });
    // Read-only: no call that changes anything, and no metrics.
    const writes = (h.sim?.calls ?? []).filter((c) => !/^(Describe|Get|Head|List)/.test(c.operation));
    expect(writes).toEqual([]);
  });

  it('prints a table with one line per check, and --help without loading the SDK', async () => {
    const result = await runCli(h, ['doctor', '--target-group', 'good']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^good \(vpce-[0-9a-f]{17}\)$/m);
    expect(result.stdout).toMatch(
      /^ {2}pass {3}host-bucket {6}host good\.example\.com is bucket good\.example\.com$/m,
    );
    expect(result.stdout).toMatch(/us-east-1: 1 site; 10 pass, 0 warn, 0 fail, 0 skip/);
    const help = await runCli(h, ['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: vpce-target-sync doctor');
    const usage = await runCli(h, ['doctor', '--publish-metrics']);
    expect(usage.code).toBe(2);
  });

  it('target-group: fails a target group of type instance', async () => {
    const site = await buildSite('tg-instance', { targetType: 'instance' });
    const { code } = await doctor(site);
    expect(code).toBe(1);
    expect(await check(site, 'target-group')).toEqual({
      id: 'target-group',
      status: 'fail',
      finding: 'target group tg-instance has target type instance; endpoint ENI IPs can only be ip targets',
      fix: 'recreate tg-instance with --target-type ip (the target type cannot be changed)',
    });
  });

  it('target-group: warns for HTTP on 80', async () => {
    const site = await buildSite('tg-http', { protocol: 'HTTP' });
    expect(await check(site, 'target-group')).toEqual({
      id: 'target-group',
      status: 'warn',
      finding:
        'target group tg-http is HTTP:80: traffic from the load balancer to the endpoint is not encrypted',
      fix: 'recreate tg-http as HTTPS on port 443 (protocol and port cannot be changed)',
    });
  });

  it('health-check: fails a matcher of 200 alone against S3', async () => {
    const site = await buildSite('hc-200', { matcher: '200' });
    expect(await check(site, 'health-check')).toEqual({
      id: 'health-check',
      status: 'fail',
      finding:
        'target group hc-200: health check HTTPS / matcher 200 does not accept 307 and 405; S3 answers a health check with 307 or 405, so every target is unhealthy',
      fix: `aws elbv2 modify-target-group --target-group-arn ${site.targetGroupArn} --matcher HttpCode=200,307,405`,
    });
  });

  it('load-balancer: fails a group no listener rule forwards to', async () => {
    const site = await buildSite('lb-unused', { forward: false });
    expect(await check(site, 'load-balancer')).toEqual({
      id: 'load-balancer',
      status: 'fail',
      finding: 'target group lb-unused is used by no load balancer listener rule or default action',
      fix: "add a listener rule (or default action) on the site's ALB that forwards to lb-unused",
    });
  });

  it('az-coverage: fails an endpoint zone the load balancer does not enable', async () => {
    const site = await buildSite('az-gap', { lbZones: [0, 1] });
    expect(await check(site, 'az-coverage')).toEqual({
      id: 'az-coverage',
      status: 'fail',
      finding: `endpoint ${site.endpointId} has ENIs in us-east-1c, which load balancer az-gap-alb does not enable: those targets are unused`,
      fix: `enable us-east-1c on az-gap-alb (aws elbv2 set-subnets), or remove those subnets from ${site.endpointId}`,
    });
  });

  it('security-groups: fails an endpoint security group without 443 from the ALB', async () => {
    const site = await buildSite('closed-sg', { ingress: false });
    expect(await check(site, 'security-groups')).toEqual({
      id: 'security-groups',
      status: 'fail',
      finding: `endpoint ${site.endpointId} security groups (${site.endpointSg}) allow no inbound TCP 443 from load balancer closed-sg-alb (${site.albSg})`,
      fix: `aws ec2 authorize-security-group-ingress --group-id ${site.endpointSg} --protocol tcp --port 443 --source-group ${site.albSg}`,
    });
  });

  it('host-bucket: fails a host no bucket is named like', async () => {
    const site = await buildSite('no-bucket', { bucket: 'none' });
    expect(await check(site, 'host-bucket')).toEqual({
      id: 'host-bucket',
      status: 'fail',
      finding:
        'rule priority 11 matches host no-bucket.example.com, but no bucket no-bucket.example.com exists (S3 reads the bucket from the Host header)',
      fix: "create bucket no-bucket.example.com, or add a host-header-rewrite transform to the rule that rewrites no-bucket.example.com to the bucket's name",
    });
  });

  // On moto through test/moto/server.py patch 5 (moto 5.2.1 alone keeps no rule Transforms).
  it('host-bucket: passes a host-header rewrite to an existing bucket (EndpointSite with its own bucket)', async () => {
    const rewritten = await buildSite('rewrite', { hostRewriteTo: 'rewrite-content' });
    const { code, report } = await doctor(rewritten);
    expect(report.sites[0]?.checks.find((c) => c.id === 'host-bucket')).toEqual({
      id: 'host-bucket',
      status: 'pass',
      finding: 'host rewrite.example.com -> bucket rewrite-content',
      fix: null,
    });
    expect(code).toBe(0);
  });

  it('bucket-policy: fails a public bucket policy and a bucket without one', async () => {
    const site = await buildSite('public', { bucketPolicy: 'public' });
    expect(await check(site, 'bucket-policy')).toEqual({
      id: 'bucket-policy',
      status: 'fail',
      finding:
        'bucket public.example.com is public: its policy allows s3:GetObject to everyone with no condition',
      fix: `add Condition StringEquals aws:SourceVpce ${site.endpointId} to that statement (and keep Block Public Access on)`,
    });
    const bare = await buildSite('no-policy', { bucketPolicy: 'none' });
    expect(await check(bare, 'bucket-policy')).toEqual({
      id: 'bucket-policy',
      status: 'fail',
      finding: `bucket no-policy.example.com has no bucket policy, so requests through endpoint ${bare.endpointId} (anonymous) are denied`,
      fix: `allow s3:GetObject on arn:aws:s3:::no-policy.example.com/* to Principal "*" with Condition StringEquals aws:SourceVpce ${bare.endpointId}`,
    });
  });

  it('endpoint-policy: fails a policy for another bucket, warns for the allow-everything default', async () => {
    const site = await buildSite('ep-other', { endpointPolicy: 'other-bucket' });
    expect(await check(site, 'endpoint-policy')).toEqual({
      id: 'endpoint-policy',
      status: 'fail',
      finding: `endpoint ${site.endpointId} policy does not allow s3:GetObject on arn:aws:s3:::ep-other.example.com/*`,
      fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${site.endpointId} --policy-document file://policy.json (add an Allow of s3:GetObject on arn:aws:s3:::ep-other.example.com/*)`,
    });
    const open = await buildSite('ep-default', { endpointPolicy: 'default' });
    expect(await check(open, 'endpoint-policy')).toEqual({
      id: 'endpoint-policy',
      status: 'warn',
      finding: `endpoint ${open.endpointId} policy allows every action on every resource (the default): the endpoint reaches any bucket`,
      fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${open.endpointId} --policy-document file://policy.json (allow s3:GetObject on this site's buckets only)`,
    });
  });

  it('private-dns: warns when the S3 endpoint has private DNS on', async () => {
    const site = await buildSite('dns-on', { privateDns: true });
    const { code } = await doctor(site);
    expect(code).toBe(0);
    expect(await check(site, 'private-dns')).toEqual({
      id: 'private-dns',
      status: 'warn',
      finding: `endpoint ${site.endpointId} has private DNS on: every S3 call in ${site.vpc.vpcId} now goes through it (and its policy)`,
      fix: `aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${site.endpointId} --no-private-dns-enabled`,
    });
  });

  it('index-document: warns without a rule mapping paths ending in / to index.html', async () => {
    const site = await buildSite('no-index', { indexRule: false });
    expect(await check(site, 'index-document')).toEqual({
      id: 'index-document',
      status: 'warn',
      finding:
        'no rule on the listeners forwarding to target group no-index maps paths ending in / to index.html: S3 answers them with a listing error',
      fix: 'add a rule with path-pattern */ that redirects to /#{path}index.html (or rewrites the URL to it)',
    });
  });

  it('skips the S3 checks for an endpoint of another service', async () => {
    const site = await buildSite('ssm-site', { service: 'com.amazonaws.us-east-1.ssm', bucket: 'none' });
    const { report } = await doctor(site);
    const checks = report.sites[0]?.checks ?? [];
    const skipped = checks.filter((c) => c.status === 'skip').map((c) => c.id);
    expect(skipped).toEqual([
      'host-bucket',
      'bucket-policy',
      'endpoint-policy',
      'private-dns',
      'index-document',
    ]);
    expect(checks.find((c) => c.id === 'private-dns')?.finding).toBe(
      `endpoint ${site.endpointId} serves com.amazonaws.us-east-1.ssm, not S3; this check is for S3 sites`,
    );
  });

  it('reports a selected target group that is not opted in as not checked (exit 1)', async () => {
    const result = await runCli(h, ['doctor', '--target-group', 'no-such-group', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DoctorJson;
    expect(report.sites[0]?.error).toMatch(/no-such-group/);
    expect(report.summary.siteErrors).toBe(1);
  });
});

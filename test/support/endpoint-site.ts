/**
 * An ALB -> S3 interface endpoint site built through AWS API calls, as the EndpointSite construct
 * builds it, with options to make each of the classic mistakes the doctor checks for. Used by the
 * doctor's integration tests and the demo; runs on the simulator and on moto.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { ENDPOINT_ID_TAG } from '@vpce-target-sync/shared';
import type { Vpc } from './account.ts';

const S3_SERVICE = 'com.amazonaws.us-east-1.s3';

export interface EndpointSiteClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** With forcePathStyle: bucket names like hosts make no virtual-host URL against an IP endpoint. */
  readonly s3: S3Client;
  /** For the HTTPS listener: `certificateArn()`. */
  readonly certificate: string;
}

/** The simulator takes any certificate ARN; moto wants one it issued (see certificateArn). */
const SIM_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

/**
 * A certificate for the HTTPS listeners. On another emulator (moto checks listener certificates in
 * ACM) one ACM RequestCertificate in its JSON 1.1 protocol, unsigned: emulators do not check
 * signatures, and the project has no ACM client to sign it with.
 */
export async function certificateArn(externalEndpoint: string | undefined): Promise<string> {
  if (!externalEndpoint) return SIM_CERTIFICATE;
  const response = await fetch(externalEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CertificateManager.RequestCertificate',
      authorization: `AWS4-HMAC-SHA256 Credential=${process.env.AWS_ACCESS_KEY_ID ?? 'testing'}/20250101/us-east-1/acm/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ DomainName: 'example.com' }),
  });
  const body = (await response.json()) as { CertificateArn?: string };
  if (!body.CertificateArn) throw new Error(`RequestCertificate answered ${response.status}`);
  return body.CertificateArn;
}

export interface EndpointSiteOptions {
  readonly targetType?: 'ip' | 'instance';
  readonly protocol?: 'HTTPS' | 'HTTP';
  readonly port?: number;
  readonly matcher?: string;
  readonly forward?: boolean;
  /** AZ indexes (0-2) the load balancer enables; the endpoint is in all three. */
  readonly lbZones?: readonly number[];
  readonly ingress?: boolean;
  readonly bucket?: 'same' | 'none';
  readonly bucketPolicy?: 'endpoint' | 'public' | 'none';
  readonly endpointPolicy?: 'site' | 'default' | 'other-bucket';
  readonly privateDns?: boolean;
  readonly indexRule?: boolean;
  readonly hostRewriteTo?: string;
  readonly service?: string;
}

export interface EndpointSiteFixture {
  readonly name: string;
  readonly host: string;
  readonly targetGroupArn: string;
  readonly endpointId: string;
  readonly albSg: string;
  readonly endpointSg: string;
  readonly vpc: Vpc;
}

/**
 * A site as the EndpointSite construct builds it: HTTPS target group with health check matcher
 * 307,405, an HTTPS listener with a host-header forward rule and a `*\/` -> index.html redirect, a
 * bucket named like the host whose policy allows reads only through the endpoint, an endpoint with
 * private DNS off and a policy for that bucket, and the endpoint's SG letting the ALB's SG in on 443.
 */
export async function buildEndpointSite(
  clients: EndpointSiteClients,
  vpc: Vpc,
  name: string,
  options: EndpointSiteOptions = {},
): Promise<EndpointSiteFixture> {
  const { ec2, elbv2, s3, certificate } = clients;
  const host = `${name}.example.com`;
  const sg = async (group: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `${name}-${group}`,
          Description: group,
          VpcId: vpc.vpcId,
        }),
      )
    ).GroupId ?? '';
  const albSg = await sg('alb');
  const endpointSg = await sg('endpoint');
  if (options.ingress ?? true) {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: endpointSg,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: albSg }] },
        ],
      }),
    );
  }
  const bucketArn = `arn:aws:s3:::${options.hostRewriteTo ?? host}/*`;
  const endpointPolicy =
    options.endpointPolicy === 'default'
      ? undefined
      : JSON.stringify({
          Statement: [
            {
              Effect: 'Allow',
              Principal: '*',
              Action: 's3:GetObject',
              Resource:
                options.endpointPolicy === 'other-bucket' ? 'arn:aws:s3:::another-bucket/*' : bucketArn,
            },
          ],
        });
  const endpoint = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: vpc.vpcId,
      VpcEndpointType: 'Interface',
      ServiceName: options.service ?? S3_SERVICE,
      SubnetIds: vpc.subnets.map((s) => s.subnetId),
      SecurityGroupIds: [endpointSg],
      PrivateDnsEnabled: options.privateDns ?? false,
      ...(endpointPolicy ? { PolicyDocument: endpointPolicy } : {}),
    }),
  );
  const endpointId = endpoint.VpcEndpoint?.VpcEndpointId ?? '';
  const lb = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: `${name}-alb`,
      Scheme: 'internal',
      Subnets: (options.lbZones ?? [0, 1, 2]).map((i) => vpc.subnets[i]?.subnetId ?? ''),
      SecurityGroups: [albSg],
    }),
  );
  const protocol = options.protocol ?? 'HTTPS';
  const tg = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: protocol,
      Port: options.port ?? (protocol === 'HTTPS' ? 443 : 80),
      VpcId: vpc.vpcId,
      TargetType: options.targetType ?? 'ip',
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/',
      Matcher: { HttpCode: options.matcher ?? '307,405' },
      Tags: [{ Key: ENDPOINT_ID_TAG, Value: endpointId }],
    }),
  );
  const targetGroupArn = tg.TargetGroups?.[0]?.TargetGroupArn ?? '';
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: certificate }],
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ],
    }),
  );
  const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
  if (options.indexRule ?? true) {
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 10,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: [host] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['*/'] } },
        ],
        Actions: [
          { Type: 'redirect', RedirectConfig: { Path: '/#{path}index.html', StatusCode: 'HTTP_302' } },
        ],
      }),
    );
  }
  if (options.forward ?? true) {
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 11,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
        ...(options.hostRewriteTo
          ? {
              Transforms: [
                {
                  Type: 'host-header-rewrite',
                  HostHeaderRewriteConfig: {
                    Rewrites: [
                      { Regex: '^.*$', Replace: `${options.hostRewriteTo}.s3.us-east-1.amazonaws.com` },
                    ],
                  },
                },
              ],
            }
          : {}),
      }),
    );
  }
  const bucket = options.hostRewriteTo ?? host;
  if ((options.bucket ?? 'same') === 'same') {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const policy = options.bucketPolicy ?? 'endpoint';
    if (policy !== 'none') {
      await s3.send(
        new PutBucketPolicyCommand({
          Bucket: bucket,
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ReadOnlyThroughTheSiteEndpoint',
                Effect: 'Allow',
                Principal: { AWS: '*' },
                Action: 's3:GetObject',
                Resource: `arn:aws:s3:::${bucket}/*`,
                ...(policy === 'endpoint'
                  ? { Condition: { StringEquals: { 'aws:SourceVpce': endpointId } } }
                  : {}),
              },
            ],
          }),
        }),
      );
    }
  }
  return { name, host, targetGroupArn, endpointId, albSg, endpointSg, vpc };
}

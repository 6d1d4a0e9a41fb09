import { anonymousPrincipal, runSimulation } from '@cloud-copilot/iam-simulate';
import { EndpointSite, type EndpointSiteProps, ExampleSiteStack } from '@vpce-target-sync/infra';
import { ENDPOINT_ID_TAG, POLICY_TAG, type Policy } from '@vpce-target-sync/shared';
import { CfnParameter, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import {
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  SecurityGroup,
  SubnetFilter,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  type IApplicationListener,
  ListenerAction,
  ListenerCertificate,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, resolveIntrinsics } from './support/intrinsics.ts';
import { onlyResource, resourcesOf, templateOf, testApp } from './support/synth.ts';

const HOST = 'docs.internal.example.com';
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

/** A stack with a VPC and an HTTPS listener, and one EndpointSite built with the given props. */
function siteStack(
  props: Partial<EndpointSiteProps> = {},
  build?: (stack: Stack) => Partial<EndpointSiteProps>,
) {
  const stack = new Stack(testApp(), 'Site');
  const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) as IVpc;
  const alb = new ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener: IApplicationListener = alb.addListener('Https', {
    protocol: ApplicationProtocol.HTTPS,
    certificates: [ListenerCertificate.fromArn(CERT)],
    defaultAction: ListenerAction.fixedResponse(404),
  });
  const site = new EndpointSite(stack, 'Site', {
    vpc,
    listener,
    hostName: HOST,
    priority: 10,
    ...props,
    ...build?.(stack),
  });
  return { stack, site, template: templateOf(stack) };
}

const rules = (template: Template) =>
  Object.values(resourcesOf(template))
    .filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .map((r) => r.Properties ?? {});

describe('EndpointSite in the example stack', () => {
  let template: Template;
  let endpointId: string;
  let bucketId: string;

  beforeAll(() => {
    template = templateOf(new ExampleSiteStack(testApp(), 'Example', { hostName: HOST }));
    endpointId = onlyResource(template, 'AWS::EC2::VPCEndpoint').id;
    bucketId = onlyResource(template, 'AWS::S3::Bucket').id;
  });

  it('creates an S3 interface endpoint with private DNS off, admitting only the ALB on 443', () => {
    const endpoint = onlyResource(template, 'AWS::EC2::VPCEndpoint').properties;
    expect(endpoint).toMatchObject({ VpcEndpointType: 'Interface', PrivateDnsEnabled: false });
    expect(JSON.stringify(endpoint.ServiceName)).toContain('.s3');
    const [endpointSg] = endpoint.SecurityGroupIds as [{ 'Fn::GetAtt': [string, string] }];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: endpointSg,
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlbSecurityGroup'), 'GroupId'] },
    });
    const sgProps = resourcesOf(template)[endpointSg['Fn::GetAtt'][0]]?.Properties;
    expect(sgProps?.SecurityGroupIngress).toBeUndefined();
  });

  it('has an HTTPS:443 ip target group whose health check accepts 307 and 405, tagged with the endpoint', () => {
    const targetGroup = onlyResource(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').properties;
    expect(targetGroup).toMatchObject({
      TargetType: 'ip',
      Protocol: 'HTTPS',
      Port: 443,
      HealthCheckProtocol: 'HTTPS',
      Matcher: { HttpCode: '307,405' },
    });
    expect(targetGroup.Targets).toBeUndefined();
    expect(targetGroup.Tags).toEqual([{ Key: ENDPOINT_ID_TAG, Value: { Ref: endpointId } }]);
  });

  it('redirects paths ending in / to index.html before forwarding the host to the target group', () => {
    const [redirect, forward] = rules(template).sort((a, b) => Number(a.Priority) - Number(b.Priority));
    expect(redirect).toMatchObject({
      Priority: 10,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: [HOST] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['*/'] } },
      ],
      Actions: [{ Type: 'redirect', RedirectConfig: { Path: '/#{path}index.html', StatusCode: 'HTTP_302' } }],
    });
    expect(forward).toMatchObject({
      Priority: 11,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOST] } }],
      Actions: [
        {
          Type: 'forward',
          TargetGroupArn: { Ref: onlyResource(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').id },
        },
      ],
    });
    // Bucket named as the host: no rewrite needed.
    expect(forward?.Transforms).toBeUndefined();
  });

  it('names the bucket as the host, blocks public access, requires TLS', () => {
    expect(onlyResource(template, 'AWS::S3::Bucket').properties).toMatchObject({
      BucketName: HOST,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('allows anonymous reads only through the endpoint (aws:SourceVpce)', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'ReadOnlyThroughTheSiteEndpoint',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
            Condition: { StringEquals: { 'aws:SourceVpce': { Ref: endpointId } } },
          },
        ]),
      },
    });
  });

  it('as evaluated by an IAM simulator with Block Public Access on: reads through the endpoint only, no writes', async () => {
    const resources = resourcesOf(template);
    const policy = resolveIntrinsics(
      onlyResource(template, 'AWS::S3::BucketPolicy').properties.PolicyDocument,
      resources,
    );
    const endpoint = resolveIntrinsics({ Ref: endpointId }, resources) as string;
    const object = `${resolveIntrinsics({ 'Fn::GetAtt': [bucketId, 'Arn'] }, resources)}/index.html`;
    const decide = async (action: string, context: Record<string, string>) => {
      const result = await runSimulation(
        {
          request: {
            principal: anonymousPrincipal,
            action,
            resource: { resource: object, accountId: ACCOUNT },
            contextVariables: { 'aws:SecureTransport': 'true', ...context },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy,
          additionalSettings: { s3: { blockPublicAccess: true } },
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    expect(await decide('s3:GetObject', { 'aws:SourceVpce': endpoint })).toBe('Allowed');
    expect(await decide('s3:GetObject', { 'aws:SourceVpce': 'vpce-0fffffffffffffff0' })).not.toBe('Allowed');
    expect(await decide('s3:GetObject', {})).not.toBe('Allowed');
    expect(await decide('s3:PutObject', { 'aws:SourceVpce': endpoint })).not.toBe('Allowed');
  });

  it('gives the new endpoint a policy that allows only reads of the site bucket objects', () => {
    expect(onlyResource(template, 'AWS::EC2::VPCEndpoint').properties.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadOnlyTheSiteBucket',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        },
      ],
    });
  });

  it('as evaluated by an IAM simulator, the endpoint reaches only the site objects, read-only', async () => {
    const resources = resourcesOf(template);
    const endpoint = resolveIntrinsics({ Ref: endpointId }, resources) as string;
    const endpointPolicy = resolveIntrinsics(
      onlyResource(template, 'AWS::EC2::VPCEndpoint').properties.PolicyDocument,
      resources,
    );
    const siteBucket = resolveIntrinsics({ 'Fn::GetAtt': [bucketId, 'Arn'] }, resources) as string;
    const otherBucket = 'arn:aws:s3:::another-bucket-in-the-account';
    /** Any anonymous request to `bucket` through the endpoint, which a bucket policy of its own would allow. */
    const decide = async (action: string, resource: string, bucket: string) => {
      const result = await runSimulation(
        {
          request: {
            principal: anonymousPrincipal,
            action,
            resource: { resource, accountId: ACCOUNT },
            contextVariables: { 'aws:SecureTransport': 'true', 'aws:SourceVpce': endpoint },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: [bucket, `${bucket}/*`] },
            ],
          },
          vpcEndpointPolicies: [{ name: 'site-endpoint', policy: endpointPolicy }],
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    expect(await decide('s3:GetObject', `${siteBucket}/index.html`, siteBucket)).toBe('Allowed');
    expect(await decide('s3:GetObject', `${otherBucket}/secret.txt`, otherBucket)).not.toBe('Allowed');
    expect(await decide('s3:PutObject', `${siteBucket}/index.html`, siteBucket)).not.toBe('Allowed');
    expect(await decide('s3:DeleteObject', `${siteBucket}/index.html`, siteBucket)).not.toBe('Allowed');
    expect(await decide('s3:ListBucket', siteBucket, siteBucket)).not.toBe('Allowed');
  });

  it('has an internal load balancer that drops invalid header fields', () => {
    expect(onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').properties).toMatchObject({
      Scheme: 'internal',
      LoadBalancerAttributes: expect.arrayContaining([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    });
  });

  it('has no custom resource and no Lambda function at all', () => {
    const types = Object.values(resourcesOf(template)).map((r) => r.Type);
    expect(
      types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource'),
    ).toEqual([]);
    expect(types).not.toContain('AWS::Lambda::Function');
  });
});

describe('EndpointSite options', () => {
  it('reuses an existing endpoint: no new endpoint, its security group admits the ALB, the tag names it', () => {
    const { template } = siteStack({}, (stack) => ({
      endpoint: InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Existing', {
        vpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
        port: 443,
        securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'ExistingSg', 'sg-0123456789abcdef0')],
      }),
    }));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0123456789abcdef0',
      FromPort: 443,
      ToPort: 443,
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Tags: [{ Key: ENDPOINT_ID_TAG, Value: 'vpce-0a1b2c3d4e5f60718' }],
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718' } } }),
        ]),
      },
    });
  });

  it('rewrites the Host header to a bucket named otherwise (ALB host-header-rewrite transform)', () => {
    const { template } = siteStack({}, (stack) => ({
      bucket: Bucket.fromBucketName(stack, 'B', 'my-site-bucket'),
    }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const forward = rules(template).find((r) => Number(r.Priority) === 11);
    expect(forward?.Transforms).toEqual([
      {
        Type: 'host-header-rewrite',
        HostHeaderRewriteConfig: {
          Rewrites: [
            {
              Regex: '^.*$',
              Replace: {
                'Fn::Join': [
                  '',
                  ['my-site-bucket.s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
                ],
              },
            },
          ],
        },
      },
    ]);
  });

  it('authenticates with OIDC before forwarding', () => {
    const { template } = siteStack({
      oidc: {
        issuer: 'https://idp.example.com',
        authorizationEndpoint: 'https://idp.example.com/authorize',
        tokenEndpoint: 'https://idp.example.com/token',
        userInfoEndpoint: 'https://idp.example.com/userinfo',
        clientId: 'client',
        clientSecret: SecretValue.unsafePlainText('not-a-secret'),
      },
    });
    const forward = rules(template).find((r) => Number(r.Priority) === 11);
    expect((forward?.Actions as { Type: string; Order: number }[]).map((a) => [a.Order, a.Type])).toEqual([
      [1, 'authenticate-oidc'],
      [2, 'forward'],
    ]);
  });

  it('authenticates with Cognito before forwarding', () => {
    const { template } = siteStack({}, (stack) => {
      const userPool = new UserPool(stack, 'Users');
      return {
        cognito: {
          userPool,
          userPoolClient: userPool.addClient('Client', { generateSecret: true }),
          userPoolDomain: userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'docs-example' } }),
        },
      };
    });
    const forward = rules(template).find((r) => Number(r.Priority) === 11);
    expect((forward?.Actions as { Type: string }[]).map((a) => a.Type)).toEqual([
      'authenticate-cognito',
      'forward',
    ]);
  });

  it('sets the policy tag when asked', () => {
    const { template } = siteStack({ policy: 'observe' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Tags: Match.arrayWith([{ Key: POLICY_TAG, Value: 'observe' }]),
    });
  });

  it('exposes the read statement, for a bucket whose policy it cannot change', () => {
    const { stack, site } = siteStack({}, (stack) => ({
      bucket: Bucket.fromBucketName(stack, 'B', 'my-site-bucket'),
    }));
    expect(stack.resolve(site.readPolicyStatement.toStatementJson())).toMatchObject({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', expect.arrayContaining([':s3:::my-site-bucket/*'])] },
      Condition: { StringEquals: { 'aws:SourceVpce': { Ref: expect.stringMatching(/^SiteS3Endpoint/) } } },
    });
  });

  it("writes the new bucket's server access logs to a logs bucket, under the host name by default", () => {
    const { template } = siteStack({}, (stack) => ({
      serverAccessLogsBucket: Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
    }));
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: HOST,
      LoggingConfiguration: { DestinationBucketName: 'access-logs-bucket', LogFilePrefix: `${HOST}/` },
    });
    const custom = siteStack({}, (stack) => ({
      serverAccessLogsBucket: Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
      serverAccessLogsPrefix: 's3/docs/',
    }));
    custom.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'access-logs-bucket', LogFilePrefix: 's3/docs/' },
    });
  });

  it('rejects access-log settings it could not apply', () => {
    expect(() =>
      siteStack({}, (stack) => ({
        bucket: Bucket.fromBucketName(stack, 'B', 'my-site-bucket'),
        serverAccessLogsBucket: Bucket.fromBucketName(stack, 'Logs', 'access-logs-bucket'),
      })),
    ).toThrow(
      'EndpointSite: serverAccessLogsBucket and serverAccessLogsPrefix apply to the bucket EndpointSite creates; with bucket, configure its server access logs where that bucket is defined',
    );
    expect(() => siteStack({ serverAccessLogsPrefix: 'docs/' })).toThrow(
      'EndpointSite: serverAccessLogsPrefix is "docs/" but serverAccessLogsBucket is not set; expected both, or neither',
    );
  });

  it.each([
    [
      'an uppercase host',
      { hostName: 'Docs.Example.com' },
      /hostName is "Docs.Example.com"; expected a lowercase DNS name/,
    ],
    [
      'a host too long for a bucket name',
      { hostName: `${'a'.repeat(60)}.example.com` },
      /cannot name an S3 bucket/,
    ],
    ['priority 0', { priority: 0 }, /priority is 0; expected a whole number from 1 to 49999/],
    ['priority 50000', { priority: 50_000 }, /priority is 50000/],
    [
      'an unknown policy',
      { policy: 'mirror' as never },
      /policy is "mirror"; expected one of sync, upsert-only, observe/,
    ],
  ])('rejects %s early with a clear error', (_label, props, message) => {
    expect(() => siteStack(props)).toThrow(message);
  });

  it('takes a token host name and policy unchecked, and says why a token priority cannot work', () => {
    const { template } = siteStack({}, (stack) => ({
      hostName: new CfnParameter(stack, 'Host', { type: 'String' }).valueAsString,
      bucket: Bucket.fromBucketName(stack, 'B', 'my-site-bucket'),
      policy: new CfnParameter(stack, 'Policy', { type: 'String' }).valueAsString as Policy,
    }));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Tags: Match.arrayWith([{ Key: POLICY_TAG, Value: { Ref: 'Policy' } }]),
    });
    expect(() =>
      siteStack({}, (stack) => ({
        priority: new CfnParameter(stack, 'Priority', { type: 'Number' }).valueAsNumber,
      })),
    ).toThrow('EndpointSite: priority is a token; expected a number known at synth');
  });

  it('rejects OIDC and Cognito together', () => {
    expect(() =>
      siteStack({}, (stack) => {
        const userPool = new UserPool(stack, 'Users');
        return {
          oidc: {
            issuer: 'https://idp.example.com',
            authorizationEndpoint: 'https://idp.example.com/authorize',
            tokenEndpoint: 'https://idp.example.com/token',
            userInfoEndpoint: 'https://idp.example.com/userinfo',
            clientId: 'client',
            clientSecret: SecretValue.unsafePlainText('not-a-secret'),
          },
          cognito: {
            userPool,
            userPoolClient: userPool.addClient('Client'),
            userPoolDomain: userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: 'docs-example' } }),
          },
        };
      }),
    ).toThrow('EndpointSite: pass oidc or cognito, not both');
  });
});

describe('EndpointSite and the load balancer zones', () => {
  const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  /** A stack in a known region (literal zones), a VPC in three zones and an internal ALB in `albZones`. */
  function zonedStack(
    albZones: string[],
    build: (stack: Stack, vpc: IVpc) => Partial<EndpointSiteProps> = () => ({}),
  ) {
    const app = testApp({
      context: { 'availability-zones:account=123456789012:region=eu-west-1': ZONES },
    });
    const stack = new Stack(app, 'Zoned', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const vpc = new Vpc(stack, 'Vpc', {
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC },
        { name: 'private', subnetType: SubnetType.PRIVATE_ISOLATED },
      ],
    }) as IVpc;
    const alb = new ApplicationLoadBalancer(stack, 'Alb', {
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED, availabilityZones: albZones },
    });
    const listener = alb.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      certificates: [ListenerCertificate.fromArn(CERT)],
      defaultAction: ListenerAction.fixedResponse(404),
    });
    const site = new EndpointSite(stack, 'Site', {
      vpc,
      listener,
      hostName: HOST,
      priority: 10,
      ...build(stack, vpc),
    });
    return { stack, site, template: templateOf(stack) };
  }

  /** The zone and subnet group (`public`/`private`) of each subnet the new endpoint is in. */
  const endpointPlacement = (template: Template) => {
    const resources = resourcesOf(template);
    const ids = onlyResource(template, 'AWS::EC2::VPCEndpoint').properties.SubnetIds as { Ref: string }[];
    return ids.map(({ Ref }) => {
      const subnet = resources[Ref]?.Properties as {
        AvailabilityZone: string;
        Tags: { Key: string; Value: string }[];
      };
      const group = subnet.Tags.find((t) => t.Key === 'aws-cdk:subnet-name')?.Value;
      return `${subnet.AvailabilityZone} ${group}`;
    });
  };

  it("places a new endpoint only in the load balancer's zones by default", () => {
    const { template } = zonedStack(['eu-west-1a', 'eu-west-1b']);
    expect(endpointPlacement(template)).toEqual(['eu-west-1a private', 'eu-west-1b private']);
  });

  it("narrows an endpointSubnets selection by type to the load balancer's zones", () => {
    const { template } = zonedStack(['eu-west-1b'], () => ({
      endpointSubnets: { subnetType: SubnetType.PUBLIC },
    }));
    expect(endpointPlacement(template)).toEqual(['eu-west-1b public']);
  });

  it('keeps explicit endpoint subnets inside the load balancer zones as given', () => {
    const { template } = zonedStack(ZONES, () => ({
      endpointSubnets: { availabilityZones: ['eu-west-1c'] },
    }));
    expect(endpointPlacement(template)).toEqual(['eu-west-1c private']);
  });

  it('fails on explicit endpoint subnets in a zone the load balancer does not enable, naming the zones', () => {
    expect(() =>
      zonedStack(['eu-west-1a', 'eu-west-1b'], () => ({
        endpointSubnets: { availabilityZones: ['eu-west-1b', 'eu-west-1c'] },
      })),
    ).toThrow(
      /^EndpointSite: endpointSubnets has subnets in eu-west-1c, where the load balancer is not enabled \(it is in eu-west-1a, eu-west-1b\)/,
    );
  });

  it("fails when a filtered selection has no subnet in the load balancer's zones", () => {
    expect(() =>
      zonedStack(['eu-west-1a'], () => ({
        endpointSubnets: { subnetFilters: [SubnetFilter.availabilityZones(['eu-west-1c'])] },
      })),
    ).toThrow(
      'EndpointSite: endpointSubnets selects subnets in eu-west-1c, none of them in a zone the load balancer is enabled in (eu-west-1a); pass endpointSubnets with subnets in eu-west-1a',
    );
  });

  it("fails for an existing endpoint with no subnet in the load balancer's zones, and warns for a partial one", () => {
    const existing = (zones: string[]) => (stack: Stack, vpc: IVpc) => ({
      endpoint: new InterfaceVpcEndpoint(stack, 'Existing', {
        vpc,
        service: InterfaceVpcEndpointAwsService.S3,
        subnets: { subnetType: SubnetType.PRIVATE_ISOLATED, availabilityZones: zones },
      }),
    });
    expect(() => zonedStack(['eu-west-1a', 'eu-west-1b'], existing(['eu-west-1c']))).toThrow(
      /^EndpointSite: endpoint has subnets in eu-west-1c only, and the load balancer is enabled in eu-west-1a, eu-west-1b/,
    );
    const { site } = zonedStack(['eu-west-1a', 'eu-west-1b'], existing(ZONES));
    const warnings = site.node.metadata
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringContaining(
        'The endpoint has network interfaces in eu-west-1c, where the load balancer is not enabled (it is in eu-west-1a, eu-west-1b)',
      ),
    ]);
    expect(() =>
      zonedStack(['eu-west-1a', 'eu-west-1b'], existing(['eu-west-1a', 'eu-west-1b'])),
    ).not.toThrow();
  });

  it('does not fail on zones it cannot know: an imported endpoint, or unresolved zones', () => {
    expect(() =>
      zonedStack(['eu-west-1a'], (stack) => ({
        endpoint: InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(stack, 'Imported', {
          vpcEndpointId: 'vpce-0a1b2c3d4e5f60718',
          port: 443,
        }),
      })),
    ).not.toThrow();
    // Environment-agnostic: zones are tokens, compared by identity but never cause a failure.
    const { template } = siteStack({}, (stack) => ({
      endpointSubnets: { availabilityZones: [stack.availabilityZones[1] as string] },
    }));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
  });

  it('narrows by identity when the zones are tokens (an environment-agnostic stack)', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 }) as IVpc;
    const firstZone = stack.availabilityZones[0] as string;
    const alb = new ApplicationLoadBalancer(stack, 'Alb', {
      vpc,
      vpcSubnets: { availabilityZones: [firstZone], subnetType: SubnetType.PRIVATE_ISOLATED },
    });
    const listener = alb.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      certificates: [ListenerCertificate.fromArn(CERT)],
      defaultAction: ListenerAction.fixedResponse(404),
    });
    new EndpointSite(stack, 'Site', { vpc, listener, hostName: HOST, priority: 10 });
    const template = templateOf(stack);
    const ids = onlyResource(template, 'AWS::EC2::VPCEndpoint').properties.SubnetIds as { Ref: string }[];
    expect(ids).toHaveLength(1);
    expect(resourcesOf(template)[ids[0]?.Ref as string]?.Properties?.AvailabilityZone).toEqual({
      'Fn::Select': [0, { 'Fn::GetAZs': '' }],
    });
  });
});

import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientsFor, createNetwork, type Network } from './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let elbv2: ElasticLoadBalancingV2Client;
let network: Network;
let targetGroupArn: string;
let loadBalancerArn: string;

beforeEach(async () => {
  sim = await startSimulator();
  const clients = clientsFor(sim, { maxAttempts: 1 });
  elbv2 = clients.elbv2;
  network = await createNetwork(clients.ec2);
  const group = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: 'site',
      Protocol: 'HTTPS',
      Port: 443,
      VpcId: network.vpcId,
      TargetType: 'ip',
    }),
  );
  targetGroupArn = group.TargetGroups?.[0]?.TargetGroupArn ?? '';
  const balancer = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'alb', Subnets: [network.subnetIds[0], network.subnetIds[1]] }),
  );
  loadBalancerArn = balancer.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
});
afterEach(() => sim.stop());

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

async function listener(protocol: 'HTTP' | 'HTTPS' = 'HTTPS', port = 443): Promise<string> {
  const created = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: protocol,
      Port: port,
      ...(protocol === 'HTTPS' ? { Certificates: [{ CertificateArn: CERTIFICATE }] } : {}),
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
      ],
    }),
  );
  return created.Listeners?.[0]?.ListenerArn ?? '';
}

describe('DescribeListeners', () => {
  it('lists a load balancer’s listeners with protocol, certificates and default actions', async () => {
    const arn = await listener();
    const redirect = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
        ],
      }),
    );
    const listed = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }));
    expect(listed.Listeners).toEqual([
      expect.objectContaining({
        ListenerArn: arn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn: CERTIFICATE }],
        DefaultActions: [
          expect.objectContaining({
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
          }),
        ],
      }),
      expect.objectContaining({
        ListenerArn: redirect.Listeners?.[0]?.ListenerArn,
        DefaultActions: [
          expect.objectContaining({
            Type: 'redirect',
            RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' },
          }),
        ],
      }),
    ]);
    const byArn = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
    expect(byArn.Listeners?.map((l) => l.ListenerArn)).toEqual([arn]);
  });

  it('fails for unknown listeners and for both or neither selector', async () => {
    const arn = await listener();
    await expect(
      elbv2.send(new DescribeListenersCommand({ ListenerArns: [`${arn.slice(0, -1)}0`] })),
    ).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
    await expect(elbv2.send(new DescribeListenersCommand({}))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(
      elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, ListenerArns: [arn] })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});

describe('CreateRule and DescribeRules', () => {
  it('creates rules with host-header and path-pattern conditions, forward, redirect and authenticate actions, and a host header rewrite', async () => {
    const arn = await listener();
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: arn,
        Priority: 20,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['docs.example.com'] } },
          { Field: 'path-pattern', Values: ['*/'] },
        ],
        Actions: [
          { Type: 'redirect', RedirectConfig: { Path: '/#{path}index.html', StatusCode: 'HTTP_301' } },
        ],
      }),
    );
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: arn,
        Priority: 10,
        Conditions: [{ Field: 'host-header', Values: ['docs.example.com'] }],
        Actions: [
          {
            Type: 'authenticate-oidc',
            Order: 1,
            AuthenticateOidcConfig: {
              Issuer: 'https://idp.example.com',
              AuthorizationEndpoint: 'https://idp.example.com/authorize',
              TokenEndpoint: 'https://idp.example.com/token',
              UserInfoEndpoint: 'https://idp.example.com/userinfo',
              ClientId: 'client',
              ClientSecret: 'secret',
            },
          },
          { Type: 'forward', Order: 2, TargetGroupArn: targetGroupArn },
        ],
        Transforms: [
          {
            Type: 'host-header-rewrite',
            HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^.*$', Replace: 'docs-bucket' }] },
          },
        ],
      }),
    );
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: arn }));
    expect(rules.Rules?.map((r) => [r.Priority, r.IsDefault])).toEqual([
      ['10', false],
      ['20', false],
      ['default', true],
    ]);
    const [forward, redirect, fallback] = rules.Rules ?? [];
    expect(forward).toMatchObject({
      Conditions: [
        {
          Field: 'host-header',
          Values: ['docs.example.com'],
          HostHeaderConfig: { Values: ['docs.example.com'] },
        },
      ],
      Actions: [
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: { Issuer: 'https://idp.example.com', ClientId: 'client' },
        },
        { Type: 'forward', Order: 2, TargetGroupArn: targetGroupArn },
      ],
      Transforms: [
        {
          Type: 'host-header-rewrite',
          HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^.*$', Replace: 'docs-bucket' }] },
        },
      ],
    });
    // DescribeRules never returns the client secret.
    expect(forward?.Actions?.[0]?.AuthenticateOidcConfig?.ClientSecret).toBeUndefined();
    expect(redirect).toMatchObject({
      Conditions: [
        { Field: 'host-header' },
        { Field: 'path-pattern', Values: ['*/'], PathPatternConfig: { Values: ['*/'] } },
      ],
      Actions: [{ Type: 'redirect', RedirectConfig: { Path: '/#{path}index.html', StatusCode: 'HTTP_301' } }],
    });
    expect(fallback).toMatchObject({ Conditions: [], Actions: [{ Type: 'fixed-response' }] });
    const byArn = await elbv2.send(new DescribeRulesCommand({ RuleArns: [fallback?.RuleArn ?? ''] }));
    expect(byArn.Rules?.[0]?.IsDefault).toBe(true);
  });

  it('makes a target group forwarded to by a rule in use by the load balancer, until it is deleted', async () => {
    const arn = await listener();
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: arn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
      }),
    );
    const groups = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
    expect(groups.TargetGroups?.[0]?.LoadBalancerArns).toEqual([loadBalancerArn]);
    await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: loadBalancerArn }));
    const after = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
    expect(after.TargetGroups?.[0]?.LoadBalancerArns).toEqual([]);
  });

  it('refuses a priority in use, an unknown listener, no conditions, two host-header conditions, and authenticate on HTTP', async () => {
    const arn = await listener();
    const http = await listener('HTTP', 80);
    const rule = (overrides: Partial<ConstructorParameters<typeof CreateRuleCommand>[0]>) =>
      elbv2.send(
        new CreateRuleCommand({
          ListenerArn: arn,
          Priority: 5,
          Conditions: [{ Field: 'host-header', Values: ['a.example.com'] }],
          Actions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
          ...overrides,
        }),
      );
    await rule({});
    await expect(rule({})).rejects.toMatchObject({ name: 'PriorityInUseException' });
    await expect(rule({ Priority: 6, ListenerArn: `${arn.slice(0, -1)}0` })).rejects.toMatchObject({
      name: 'ListenerNotFoundException',
    });
    await expect(rule({ Priority: 6, Conditions: [] })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(rule({ Priority: 50001 })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      rule({
        Priority: 6,
        Conditions: [
          { Field: 'host-header', Values: ['a.example.com'] },
          { Field: 'host-header', Values: ['b.example.com'] },
        ],
      }),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(
      rule({
        ListenerArn: http,
        Priority: 6,
        Actions: [
          {
            Type: 'authenticate-cognito',
            Order: 1,
            AuthenticateCognitoConfig: {
              UserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc',
              UserPoolClientId: 'client',
              UserPoolDomain: 'login',
            },
          },
          { Type: 'forward', Order: 2, TargetGroupArn: targetGroupArn },
        ],
      }),
    ).rejects.toMatchObject({ name: 'InvalidLoadBalancerActionException' });
    await expect(
      rule({
        Priority: 7,
        Actions: [
          { Type: 'forward', Order: 1, TargetGroupArn: targetGroupArn },
          { Type: 'redirect', Order: 2, RedirectConfig: { StatusCode: 'HTTP_302' } },
        ],
      }),
    ).rejects.toMatchObject({ name: 'InvalidLoadBalancerActionException' });
  });
});

import { type EvaluationResult, runSimulation } from '@cloud-copilot/iam-simulate';
import { ENDPOINT_ID_TAG, METRIC_NAMESPACE } from '@vpce-target-sync/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESCRIBE_ACTIONS } from '../src/reconciler.ts';
import { ReconcilerStack } from '../src/reconciler-stack.ts';
import { ACCOUNT, REGION, resolveIntrinsics } from './support/intrinsics.ts';
import { onlyResource, resourcesOf, templateOf, testApp } from './support/synth.ts';

const TAGGED_TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/site-a/0123456789abcdef`;
const UNTAGGED_TG = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/other-app/fedcba9876543210`;
const OTHER_ACCOUNT_TG = `arn:aws:elasticloadbalancing:${REGION}:210987654321:targetgroup/site-a/0123456789abcdef`;
const OPTED_IN = { [`aws:ResourceTag/${ENDPOINT_ID_TAG}`]: 'vpce-0a1b2c3d4e5f60718' };
const OTHER_TAG = { 'aws:ResourceTag/team': 'web' };

/**
 * Evaluates the synthesised role's policies (resolved as CloudFormation would in ACCOUNT/REGION)
 * with an IAM policy simulator, the way IAM would decide the reconciler's requests.
 */
describe('the reconciler role, evaluated by an IAM policy simulator', () => {
  let identityPolicies: { name: string; policy: unknown }[];
  let ownQueueArn: string;

  beforeAll(() => {
    const template = templateOf(new ReconcilerStack(testApp(), 'VpceTargetSync'));
    const resources = resourcesOf(template);
    const role = onlyResource(template, 'AWS::IAM::Role');
    identityPolicies = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) => JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: role.id }]))
      .map(([id, r]) => ({ name: id, policy: resolveIntrinsics(r.Properties?.PolicyDocument, resources) }));
    expect(identityPolicies.length).toBeGreaterThan(0);
    const queueId = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties?.RedrivePolicy,
    )?.[0];
    ownQueueArn = resolveIntrinsics({ 'Fn::GetAtt': [queueId, 'Arn'] }, resources) as string;
  });

  async function decide(
    action: string,
    resource: string,
    contextVariables: Record<string, string> = {},
  ): Promise<EvaluationResult> {
    const result = await runSimulation(
      {
        request: {
          principal: `arn:aws:iam::${ACCOUNT}:role/reconciler`,
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables,
        },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  it.each(['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'])(
    'allows %s on a target group tagged with the opt-in tag',
    async (action) => {
      expect(await decide(action, TAGGED_TG, OPTED_IN)).toBe('Allowed');
    },
  );

  it.each(['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'])(
    'denies %s on an untagged target group, and on one with other tags only',
    async (action) => {
      expect(await decide(action, UNTAGGED_TG)).toBe('ImplicitlyDenied');
      expect(await decide(action, UNTAGGED_TG, OTHER_TAG)).toBe('ImplicitlyDenied');
    },
  );

  it('denies target writes in another account even with the tag', async () => {
    expect(await decide('elasticloadbalancing:RegisterTargets', OTHER_ACCOUNT_TG, OPTED_IN)).toBe(
      'ImplicitlyDenied',
    );
  });

  it.each([
    'elasticloadbalancing:ModifyTargetGroup',
    'elasticloadbalancing:DeleteTargetGroup',
    'elasticloadbalancing:ModifyTargetGroupAttributes',
  ])('denies %s even on an opted-in target group', async (action) => {
    expect(await decide(action, TAGGED_TG, OPTED_IN)).toBe('ImplicitlyDenied');
  });

  it.each([
    ['ec2:CreateVpcEndpoint', `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60718`],
    ['ec2:ModifyVpcEndpoint', `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60718`],
    ['ec2:DeleteVpcEndpoints', `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60718`],
    [
      'ec2:CreateNetworkInterface',
      `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0a1b2c3d4e5f60718`,
    ],
    [
      'ec2:DeleteNetworkInterface',
      `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0a1b2c3d4e5f60718`,
    ],
    [
      'ec2:AuthorizeSecurityGroupIngress',
      `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0a1b2c3d4e5f60718`,
    ],
    ['ec2:CreateTags', `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60718`],
    ['ec2:TerminateInstances', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0a1b2c3d4e5f60718`],
  ])('denies the ec2 write %s', async (action, resource) => {
    expect(await decide(action, resource)).toBe('ImplicitlyDenied');
  });

  it('allows PutMetricData in the contract namespace only', async () => {
    expect(await decide('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': METRIC_NAMESPACE })).toBe(
      'Allowed',
    );
    expect(await decide('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'SomeoneElse' })).toBe(
      'ImplicitlyDenied',
    );
    expect(await decide('cloudwatch:PutMetricData', '*', { 'cloudwatch:namespace': 'AWS/EC2' })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('allows SendMessage to its own queue only', async () => {
    expect(await decide('sqs:SendMessage', ownQueueArn)).toBe('Allowed');
    expect(await decide('sqs:SendMessage', `arn:aws:sqs:${REGION}:${ACCOUNT}:someone-elses-queue`)).toBe(
      'ImplicitlyDenied',
    );
  });

  it.each([...DESCRIBE_ACTIONS])('allows the read %s', async (action) => {
    expect(await decide(action, '*')).toBe('Allowed');
  });

  it.each([
    ['tag:TagResources', '*'],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
    ['s3:GetObject', 'arn:aws:s3:::any-bucket/any-key'],
    ['lambda:InvokeFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:any`],
  ])('denies anything else, e.g. %s', async (action, resource) => {
    expect(await decide(action, resource)).toBe('ImplicitlyDenied');
  });
});

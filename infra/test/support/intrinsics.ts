import type { Resources } from './synth.ts';

/** The account and region a template is "deployed" to when a test resolves it. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/**
 * Where a template is "deployed" when a test resolves it: the region, the account, and the physical
 * names CloudFormation would give resources (by logical id; default `name-of-<logical id>`), e.g.
 * the name of a queue a simulator holds.
 */
export interface Deployment {
  readonly region?: string;
  readonly account?: string;
  readonly names?: Readonly<Record<string, string>>;
}

const pseudo = (region: string, account: string): Record<string, string> => ({
  'AWS::Partition': 'aws',
  'AWS::Region': region,
  'AWS::AccountId': account,
  'AWS::URLSuffix': 'amazonaws.com',
});

/** What `Fn::GetAtt [id, Arn]` and `Ref id` resolve to for the resource types the tests meet. */
function attribute(resources: Resources, id: string, attr: 'Arn' | 'Ref', deployment: Deployment): string {
  const type = resources[id]?.Type;
  const name = deployment.names?.[id] ?? `name-of-${id}`;
  const region = deployment.region ?? REGION;
  const account = deployment.account ?? ACCOUNT;
  switch (`${type} ${attr}`) {
    case 'AWS::SQS::Queue Arn':
      return `arn:aws:sqs:${region}:${account}:${name}`;
    case 'AWS::SQS::Queue Ref':
      return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
    case 'AWS::Logs::LogGroup Arn':
      return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
    case 'AWS::Events::Rule Arn':
      return `arn:aws:events:${region}:${account}:rule/${name}`;
    case 'AWS::IAM::Role Arn':
      return `arn:aws:iam::${account}:role/${name}`;
    case 'AWS::S3::Bucket Arn':
      return `arn:aws:s3:::${name}`;
    case 'AWS::S3::Bucket Ref':
      return name;
    case 'AWS::EC2::VPCEndpoint Ref':
      return 'vpce-0a1b2c3d4e5f60718';
    default:
      throw new Error(`the test resolver does not know ${attr} of ${id} (${type})`);
  }
}

/**
 * Resolves the CloudFormation intrinsics of a policy document (`Ref`, `Fn::GetAtt`, `Fn::Join`)
 * to concrete strings, as CloudFormation would in ACCOUNT/REGION (or the given deployment), so a
 * policy simulator can read it.
 */
export function resolveIntrinsics(
  value: unknown,
  resources: Resources,
  deployment: Deployment = {},
): unknown {
  const resolve = (v: unknown) => resolveIntrinsics(v, resources, deployment);
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const ref = object.Ref as string;
    return (
      pseudo(deployment.region ?? REGION, deployment.account ?? ACCOUNT)[ref] ??
      attribute(resources, ref, 'Ref', deployment)
    );
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attr] = object['Fn::GetAtt'] as [string, string];
    if (attr !== 'Arn') throw new Error(`the test resolver does not know Fn::GetAtt ${id}.${attr}`);
    return attribute(resources, id, 'Arn', deployment);
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(object[k])]));
}

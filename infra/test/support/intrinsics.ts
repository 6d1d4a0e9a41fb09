import type { Resources } from './synth.ts';

/** The account and region a template is "deployed" to when a test resolves it. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** What `Fn::GetAtt [id, Arn]` and `Ref id` resolve to for the resource types the tests meet. */
function attribute(resources: Resources, id: string, attr: 'Arn' | 'Ref'): string {
  const type = resources[id]?.Type;
  const name = `name-of-${id}`;
  switch (`${type} ${attr}`) {
    case 'AWS::SQS::Queue Arn':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    case 'AWS::SQS::Queue Ref':
      return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
    case 'AWS::Logs::LogGroup Arn':
      return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
    case 'AWS::IAM::Role Arn':
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
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
 * to concrete strings, as CloudFormation would in ACCOUNT/REGION, so a policy simulator can read it.
 */
export function resolveIntrinsics(value: unknown, resources: Resources): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, resources));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === 'Ref') {
    const ref = object.Ref as string;
    return PSEUDO[ref] ?? attribute(resources, ref, 'Ref');
  }
  if (keys.length === 1 && keys[0] === 'Fn::GetAtt') {
    const [id, attr] = object['Fn::GetAtt'] as [string, string];
    if (attr !== 'Arn') throw new Error(`the test resolver does not know Fn::GetAtt ${id}.${attr}`);
    return attribute(resources, id, 'Arn');
  }
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveIntrinsics(p, resources)).join(separator);
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(object[k], resources)]));
}

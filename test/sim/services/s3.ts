import { AwsError } from '../aws-error.ts';
import { parseIp } from '../ip.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Bucket } from '../state.ts';
import { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** "The maximum size of a bucket policy is 20 KB." */
const MAX_POLICY_BYTES = 20 * 1024;
/** General purpose bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const US_EAST_1 = 'us-east-1';

function s3Params(params: Params): ParamReader {
  return new ParamReader(params, {
    missing: (name) => new AwsError('InvalidRequest', `Missing required parameter ${name}`),
    invalid: (name) => new AwsError('InvalidArgument', `Invalid value for ${name}`),
  });
}

function noSuchBucket(): AwsError {
  return new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
}

function requireBucket(ctx: ServiceContext, name: string): Bucket {
  const bucket = ctx.state.s3.buckets.get(name);
  if (!bucket) throw noSuchBucket();
  return bucket;
}

function validBucketName(name: string): boolean {
  return (
    BUCKET_NAME.test(name) &&
    !name.includes('..') &&
    parseIp(name)?.version !== 4 &&
    !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) &&
    !RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))
  );
}

/**
 * CreateBucket: a valid name; outside us-east-1 a LocationConstraint naming the region (in
 * us-east-1 none). A bucket you already own: 200 in us-east-1 (the legacy behaviour), else
 * BucketAlreadyOwnedByYou.
 */
function createBucket(params: Params, ctx: ServiceContext): object {
  const p = s3Params(params);
  const name = p.str('Bucket');
  if (!validBucketName(name)) throw new AwsError('InvalidBucketName', 'The specified bucket is not valid.');
  const constraint = p.optStr('LocationConstraint');
  if (ctx.region === US_EAST_1 ? constraint !== undefined && constraint !== '' : constraint !== ctx.region) {
    throw new AwsError(
      constraint === US_EAST_1 ? 'InvalidLocationConstraint' : 'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  if (ctx.state.s3.buckets.has(name)) {
    if (ctx.region === US_EAST_1) return { Location: `/${name}` };
    throw new AwsError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
    );
  }
  ctx.state.s3.buckets.set(name, {
    name,
    seq: ctx.state.nextSeq(),
    region: ctx.region,
    createdAt: ctx.clock.now(),
    policy: undefined,
  });
  return { Location: `/${name}` };
}

/** HeadBucket: 200 with the bucket's region in `x-amz-bucket-region`, or a bare 404. */
function headBucket(params: Params, ctx: ServiceContext): object {
  const bucket = requireBucket(ctx, s3Params(params).str('Bucket'));
  return { BucketRegion: bucket.region };
}

/** PutBucketPolicy: a JSON object with a Statement, at most 20 KB; stored as given. */
function putBucketPolicy(params: Params, ctx: ServiceContext): object {
  const p = s3Params(params);
  const bucket = requireBucket(ctx, p.str('Bucket'));
  const text = p.optStr('Policy') ?? '';
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw new AwsError('MalformedPolicy', 'Policy exceeds the maximum allowed document size.');
  }
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    throw new AwsError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
  if (!('Statement' in policy)) throw new AwsError('MalformedPolicy', 'Missing required field Statement');
  bucket.policy = text;
  return {};
}

/** GetBucketPolicy: the policy's JSON text as the payload, or NoSuchBucketPolicy. */
function getBucketPolicy(params: Params, ctx: ServiceContext): object {
  const bucket = requireBucket(ctx, s3Params(params).str('Bucket'));
  if (bucket.policy === undefined) {
    throw new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
  }
  return { Policy: bucket.policy };
}

function deleteBucketPolicy(params: Params, ctx: ServiceContext): object {
  const bucket = requireBucket(ctx, s3Params(params).str('Bucket'));
  bucket.policy = undefined;
  return {};
}

/** The S3 bucket operations the doctor reads and tests arrange buckets with. */
export const s3Operations: Operations = {
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
};

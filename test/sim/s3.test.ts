import { type IncomingMessage, request } from 'node:http';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import './fixtures.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
let s3: S3Client;

beforeEach(async () => {
  sim = await startSimulator();
  // Bucket names with dots (named like the host) need path style against an IP endpoint: the SDK
  // would build http://docs.example.com.127.0.0.1:PORT/ otherwise.
  s3 = new S3Client({ ...sim.clientConfig(), forcePathStyle: true, maxAttempts: 1 });
});
afterEach(() => sim.stop());

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::docs.example.com/*',
      Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } },
    },
  ],
});

describe('S3 buckets (REST-XML)', () => {
  it('creates a bucket that HeadBucket finds, with its region in x-amz-bucket-region', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'docs.example.com' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'docs.example.com' }));
    expect(head.BucketRegion).toBe('us-east-1');
    expect(head.$metadata.httpStatusCode).toBe(200);
    // The SDK sends path style to an IP-address endpoint.
    const call = sim.calls.find((c) => c.operation === 'HeadBucket');
    expect(call).toMatchObject({ service: 's3', params: { Bucket: 'docs.example.com' }, status: 200 });
  });

  it('answers HeadBucket for an unknown bucket with a bare 404, which the SDK names NotFound', async () => {
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'missing-bucket' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses invalid bucket names and, outside us-east-1, a LocationConstraint of another region', async () => {
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'Upper_Case' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
    await expect(s3.send(new CreateBucketCommand({ Bucket: '192.168.1.1' }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
    const west = new S3Client({ ...sim.clientConfig({ region: 'eu-west-1' }), maxAttempts: 1 });
    await expect(
      west.send(
        new CreateBucketCommand({
          Bucket: 'west-site',
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
    // The SDK adds the client's region as LocationConstraint itself; a name without dots works
    // without forcePathStyle (the SDK sends path style to an IP endpoint).
    await west.send(new CreateBucketCommand({ Bucket: 'west-site' }));
    expect((await west.send(new HeadBucketCommand({ Bucket: 'west-site' }))).BucketRegion).toBe('eu-west-1');
  });

  it('returns 200 for a bucket you own in us-east-1, BucketAlreadyOwnedByYou elsewhere', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'site-a' }));
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'site-a' }))).resolves.toBeDefined();
    const west = new S3Client({ ...sim.clientConfig({ region: 'eu-west-1' }), maxAttempts: 1 });
    const config = { CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' as const } };
    await west.send(new CreateBucketCommand({ Bucket: 'site-b', ...config }));
    await expect(west.send(new CreateBucketCommand({ Bucket: 'site-b', ...config }))).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      $metadata: { httpStatusCode: 409 },
    });
  });

  it('stores a bucket policy and returns it as given; NoSuchBucketPolicy without one', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'docs.example.com' }));
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'docs.example.com' }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
      $metadata: { httpStatusCode: 404 },
    });
    const put = await s3.send(new PutBucketPolicyCommand({ Bucket: 'docs.example.com', Policy: POLICY }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    const got = await s3.send(new GetBucketPolicyCommand({ Bucket: 'docs.example.com' }));
    expect(got.Policy).toBe(POLICY);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'docs.example.com' }));
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'docs.example.com' }))).rejects.toMatchObject({
      name: 'NoSuchBucketPolicy',
    });
  });

  it('refuses a policy that is not a JSON object with a Statement (MalformedPolicy), and NoSuchBucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'site-c' }));
    await expect(
      s3.send(new PutBucketPolicyCommand({ Bucket: 'site-c', Policy: 'not json' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicy', $metadata: { httpStatusCode: 400 } });
    await expect(
      s3.send(new PutBucketPolicyCommand({ Bucket: 'site-c', Policy: '{"Version":"2012-10-17"}' })),
    ).rejects.toMatchObject({ name: 'MalformedPolicy', message: 'Missing required field Statement' });
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'nope-bucket' }))).rejects.toMatchObject({
      name: 'NoSuchBucket',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('accepts virtual-host style requests (Host: <bucket>.localhost)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'vhost-site' }));
    const { port } = new URL(sim.url);
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'HEAD',
        path: '/',
        headers: {
          host: `vhost-site.localhost:${port}`,
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0',
        },
      });
      req.on('response', resolve).on('error', reject).end();
    });
    response.resume();
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amz-bucket-region']).toBe('us-east-1');
  });
});

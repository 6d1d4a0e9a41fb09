import { AwsError } from '../aws-error.ts';
import type { DecodedCall, WireProtocol, WireRequest, WireResponse } from './protocol.ts';
import { escapeXml, XML_DECLARATION } from './xml.ts';

/**
 * How each S3 operation's output is bound to the HTTP response (Smithy's httpResponseCode,
 * httpHeader and httpPayload traits): the services return plain objects, this says which member
 * goes where.
 */
const OUTPUT_BINDINGS: Readonly<
  Record<
    string,
    { status: number; headers?: Readonly<Record<string, string>>; payload?: string; contentType?: string }
  >
> = {
  HeadBucket: { status: 200, headers: { 'x-amz-bucket-region': 'BucketRegion' } },
  CreateBucket: { status: 200, headers: { location: 'Location' } },
  PutBucketPolicy: { status: 204 },
  DeleteBucketPolicy: { status: 204 },
  GetBucketPolicy: { status: 200, payload: 'Policy', contentType: 'application/json' },
};

/** Sub-resources (`?policy`) that pick an operation, by method. */
const BUCKET_OPERATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '': { HEAD: 'HeadBucket', PUT: 'CreateBucket' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
};

/**
 * The bucket a request is for: virtual-host style when the Host is `<bucket>.localhost[:port]`
 * (or `<bucket>.s3.<region>.amazonaws.com`), path style (`/<bucket>`) otherwise, which is what
 * the SDK sends to an IP-address endpoint such as `http://127.0.0.1:PORT`.
 */
function bucketAndKey(request: WireRequest, path: string): { bucket: string; key: string } {
  const host = String(request.headers.host ?? '').replace(/:\d+$/, '');
  const virtual = /^(.+)\.(?:localhost|s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com)$/.exec(host)?.[1];
  if (virtual) return { bucket: virtual, key: path.replace(/^\//, '') };
  const [, bucket = '', ...key] = path.split('/');
  return { bucket: decodeURIComponent(bucket), key: key.join('/') };
}

/**
 * S3's REST-XML protocol, for the bucket operations the simulator has: the HTTP method, the
 * bucket (path or virtual-host style) and the sub-resource name the operation; bodies are the
 * operation's payload (a policy's JSON, CreateBucketConfiguration XML); results go to status
 * codes, headers and payloads; errors are `<Error><Code/><Message/><RequestId/></Error>`, and a
 * HEAD error has no body at all, only its status.
 */
export const restXmlS3Protocol: WireProtocol = {
  decode(request: WireRequest): DecodedCall {
    const url = new URL(request.url, 'http://s3.local');
    const { bucket, key } = bucketAndKey(request, url.pathname);
    if (!bucket) throw new AwsError('NotImplemented', 'The simulator has no ListBuckets', 501);
    if (key) throw new AwsError('NotImplemented', 'The simulator has no object operations', 501);
    const subresource = [...url.searchParams.keys()].find((name) => BUCKET_OPERATIONS[name]) ?? '';
    const operation = BUCKET_OPERATIONS[subresource]?.[request.method];
    if (!operation) {
      throw new AwsError(
        'NotImplemented',
        `A ${request.method} of ${subresource ? `?${subresource}` : 'a bucket'} is not simulated`,
        501,
      );
    }
    const params: Record<string, unknown> = { Bucket: bucket };
    if (operation === 'PutBucketPolicy') params.Policy = request.body;
    if (operation === 'CreateBucket') {
      const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(request.body)?.[1];
      if (constraint !== undefined) params.LocationConstraint = constraint;
    }
    return { operation, params };
  },

  encodeResult(operation: string, result: object, requestId: string): WireResponse {
    const binding = OUTPUT_BINDINGS[operation] ?? { status: 200 };
    const values = result as Record<string, unknown>;
    const headers: Record<string, string> = { 'x-amz-request-id': requestId };
    for (const [header, member] of Object.entries(binding.headers ?? {})) {
      const value = values[member];
      if (value !== undefined) headers[header] = String(value);
    }
    const body = binding.payload ? String(values[binding.payload] ?? '') : '';
    if (binding.contentType) headers['content-type'] = binding.contentType;
    return { status: binding.status, headers, body };
  },

  encodeError(operation: string, error: AwsError, requestId: string): WireResponse {
    const headers = { 'content-type': 'application/xml', 'x-amz-request-id': requestId };
    // "A message body isn't included" in a HEAD answer: the client sees only the status.
    if (operation === 'HeadBucket') return { status: error.status, headers, body: '' };
    const body = `${XML_DECLARATION}<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${escapeXml(requestId)}</RequestId></Error>`;
    return { status: error.status, headers, body };
  },

  unknownOperation(operation: string): AwsError {
    return new AwsError('NotImplemented', `${operation} is not simulated`, 501);
  },
};

import type { IncomingHttpHeaders } from 'node:http';
import type { AwsError } from '../aws-error.ts';

/** Request parameters as decoded from the wire, under the API's own wire names. */
export type Params = { [name: string]: unknown };

export interface WireRequest {
  /** The HTTP method and request target (path and query): REST protocols (S3) route on them. */
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface DecodedCall {
  readonly operation: string;
  readonly params: Params;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One AWS wire protocol: how a call is read off the request and how a result or an error is
 * written back. Services never see these details; they take and return plain objects.
 */
export interface WireProtocol {
  /** Throws an AwsError when the request carries no operation this protocol can read. */
  decode(request: WireRequest): DecodedCall;
  encodeResult(operation: string, result: object, requestId: string): WireResponse;
  encodeError(operation: string, error: AwsError, requestId: string): WireResponse;
  /** The error this protocol's services answer for an operation they don't have. */
  unknownOperation(operation: string): AwsError;
}

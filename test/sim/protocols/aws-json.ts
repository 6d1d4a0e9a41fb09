import { AwsError } from '../aws-error.ts';
import type { DecodedCall, Params, WireProtocol, WireRequest, WireResponse } from './protocol.ts';

export interface AwsJsonSettings {
  readonly version: '1.0' | '1.1';
  /** The `x-amz-target` prefix, e.g. `GraniteServiceVersion20100801`. */
  readonly targetPrefix: string;
  /** The Smithy namespace that qualifies error shape names in `__type`. */
  readonly namespace: string;
  /**
   * Services that moved from awsQuery to JSON keep their old error codes: the client sends
   * `x-amzn-query-mode: true` and reads the code from the `x-amzn-query-error: Code;Fault`
   * header rather than from `__type`.
   */
  readonly queryCompatible: boolean;
  /** Error code -> JSON error shape name where they differ (`InvalidParameterValue` -> `…Exception`). */
  readonly errorShapes?: Readonly<Record<string, string>>;
  /** The member holding the error message: most services say `message`, some `Message`. */
  readonly messageKey?: 'message' | 'Message';
}

/**
 * The AWS JSON 1.0 / 1.1 protocols: `POST /` with `x-amz-target: Prefix.Operation` and a
 * JSON body; results are JSON with timestamps as epoch seconds; errors carry `__type`.
 */
export function awsJsonProtocol(settings: AwsJsonSettings): WireProtocol {
  const contentType = `application/x-amz-json-${settings.version}`;
  return {
    decode(request: WireRequest): DecodedCall {
      const target = request.headers['x-amz-target'];
      const prefix = `${settings.targetPrefix}.`;
      if (typeof target !== 'string' || !target.startsWith(prefix)) {
        throw new AwsError('UnknownOperationException', `Unknown target ${String(target)}`);
      }
      return { operation: target.slice(prefix.length), params: parseBody(request.body) };
    },

    encodeResult(_operation: string, result: object, _requestId: string): WireResponse {
      return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(toJson(result)) };
    },

    encodeError(_operation: string, error: AwsError, _requestId: string): WireResponse {
      const shape = settings.errorShapes?.[error.code] ?? error.code;
      const type = shape.includes('#') ? shape : `${settings.namespace}#${shape}`;
      const headers: Record<string, string> = { 'content-type': contentType };
      if (settings.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
      const body = JSON.stringify({ __type: type, [settings.messageKey ?? 'message']: error.message });
      return { status: error.status, headers, body };
    },

    unknownOperation(operation: string): AwsError {
      return new AwsError('UnknownOperationException', `Unknown operation ${operation}`);
    },
  };
}

function parseBody(body: string): Params {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Params;
  } catch {
    // Falls through to the same error as a non-object body.
  }
  throw new AwsError('SerializationException', 'The request body is not a JSON object');
}

// JSON protocols send timestamps as epoch seconds (fractional), not ISO strings.
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value;
}

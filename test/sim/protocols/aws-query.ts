import { AwsError } from '../aws-error.ts';
import { decodeForm } from './form.ts';
import type { DecodedCall, WireProtocol, WireRequest, WireResponse } from './protocol.ts';
import { content, escapeXml, XML_DECLARATION } from './xml.ts';

const CONTENT_TYPE = 'text/xml';

/**
 * The awsQuery protocol (ELBv2): form-encoded requests with `member` lists
 * (`Targets.member.1.Id=`), XML responses wrapped in `<OpResult>` with
 * `<ResponseMetadata><RequestId>`, `<member>` list entries, and `<ErrorResponse>` errors.
 */
export function awsQueryProtocol(xmlns: string): WireProtocol {
  return {
    decode(request: WireRequest): DecodedCall {
      const { action, params } = decodeForm(request.body);
      if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
      return { operation: action, params };
    },

    encodeResult(operation: string, result: object, requestId: string): WireResponse {
      const body = `${XML_DECLARATION}<${operation}Response xmlns="${xmlns}"><${operation}Result>${content(result, 'member')}</${operation}Result><ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
      return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body };
    },

    encodeError(_operation: string, error: AwsError, requestId: string): WireResponse {
      const body = `${XML_DECLARATION}<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
      return { status: error.status, headers: { 'content-type': CONTENT_TYPE }, body };
    },

    unknownOperation(operation: string): AwsError {
      return new AwsError('InvalidAction', `Could not find operation ${operation} for version 2015-12-01`);
    },
  };
}

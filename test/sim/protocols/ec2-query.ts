import { AwsError } from '../aws-error.ts';
import { decodeForm } from './form.ts';
import type { DecodedCall, WireProtocol, WireRequest, WireResponse } from './protocol.ts';
import { content, escapeXml, XML_DECLARATION } from './xml.ts';

const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const CONTENT_TYPE = 'text/xml;charset=UTF-8';

/**
 * The EC2 query protocol: form-encoded requests with flat 1-based lists (`SubnetId.1=`),
 * XML responses with no Result wrapper, lowerCamel names, `<xxxSet><item>` lists, and the
 * request id inside the body. Errors use EC2's own `<Response><Errors>` envelope.
 */
export const ec2QueryProtocol: WireProtocol = {
  decode(request: WireRequest): DecodedCall {
    const { action, params } = decodeForm(request.body);
    if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
    return { operation: action, params };
  },

  encodeResult(operation: string, result: object, requestId: string): WireResponse {
    const body = `${XML_DECLARATION}<${operation}Response xmlns="${XMLNS}"><requestId>${escapeXml(requestId)}</requestId>${content(result, 'item')}</${operation}Response>`;
    return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body };
  },

  encodeError(_operation: string, error: AwsError, requestId: string): WireResponse {
    const body = `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`;
    return { status: error.status, headers: { 'content-type': CONTENT_TYPE }, body };
  },

  unknownOperation(operation: string): AwsError {
    return new AwsError('InvalidAction', `The action ${operation} is not valid for this web service.`);
  },
};

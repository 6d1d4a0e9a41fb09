import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '../state.ts';

// Transport type bytes of SQS's message-attribute digest: string-like values vs binary.
const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

export function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * MD5OfMessageAttributes as SQS computes it: for each attribute in name order, the name,
 * the data type and the value, each prefixed with its 4-byte big-endian length, with a
 * transport-type byte before the value.
 */
export function md5OfMessageAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes[name];
    if (!attribute) continue;
    parts.push(lengthPrefixed(Buffer.from(name)), lengthPrefixed(Buffer.from(attribute.DataType)));
    if (attribute.BinaryValue !== undefined) {
      parts.push(
        Buffer.from([BINARY_TRANSPORT]),
        lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64')),
      );
    } else {
      parts.push(Buffer.from([STRING_TRANSPORT]), lengthPrefixed(Buffer.from(attribute.StringValue ?? '')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A tiny XML writer for query-protocol responses: plain values in, escaped elements out. */

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/**
 * `<name>value</name>`. Arrays become wrapped lists whose entries are `<listItem>` elements
 * (EC2 says `item`, awsQuery says `member`), objects become child elements, Dates become
 * ISO 8601, and null or undefined members are left out, as AWS omits absent fields.
 */
function element(name: string, value: unknown, listItem: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((item) => element(listItem, item, listItem)).join('')}</${name}>`;
  }
  return `<${name}>${content(value, listItem)}</${name}>`;
}

/** The inside of an element: children for an object, escaped text for a scalar. */
export function content(value: unknown, listItem: string): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, child]) => element(key, child, listItem))
      .join('');
  }
  return escapeXml(String(value));
}

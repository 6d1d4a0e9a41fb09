import type { AwsError } from '../aws-error.ts';

export interface Page<T> {
  readonly items: readonly T[];
  /** Absent on the last page. */
  readonly nextToken: string | undefined;
}

/**
 * Cursor paging in creation order: the token names the last item returned, so items created
 * or deleted between pages neither repeat nor shift the rest, as with AWS's opaque tokens.
 * `items` must be sorted by `seq`.
 */
export function paginate<T extends { readonly seq: number }>(
  items: readonly T[],
  token: string | undefined,
  limit: number,
  invalidToken: () => AwsError,
): Page<T> {
  const after = token ? decodeToken(token, invalidToken) : 0;
  const rest = items.filter((item) => item.seq > after);
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return { items: page, nextToken: rest.length > limit && last ? encodeToken(last.seq) : undefined };
}

function encodeToken(seq: number): string {
  return Buffer.from(`after:${seq}`).toString('base64url');
}

function decodeToken(token: string, invalidToken: () => AwsError): number {
  const match = /^after:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match?.[1]) throw invalidToken();
  return Number(match[1]);
}

// Kratos' keyset pagination (ory/x keysetpagination): `page_size` (default
// 250, documented min 1 / max 1000; larger values are capped, not rejected)
// and an opaque `page_token` (base64 of "column=value/..."). Pages are
// announced in a `Link` header built from the request URL with page_token and
// page_size replaced: `<...>; rel="first",<...>; rel="next"` ("next" omitted on
// the last page). Current Kratos builds it from r.URL, so the links are
// relative; `absolute` reproduces older releases that used the admin base URL.
import { badRequest } from './kratos-error.ts';

export const DEFAULT_PAGE_SIZE = 250;
export const MAX_PAGE_SIZE = 1000;
export const INVALID_TOKEN_REASON = 'The page token is invalid, do not craft your own page tokens';

export type LinkStyle = 'relative' | 'absolute';

/** Encodes "k=v/k=v" as unpadded standard base64 (MapPageToken.Encode). */
export function encodePageToken(fields: Record<string, string>): string {
  const raw = Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join('/');
  return Buffer.from(raw, 'utf8').toString('base64').replace(/=+$/, '');
}

/** Decodes a token produced by encodePageToken; throws a 400 for anything else. */
export function decodePageToken(token: string, required: readonly string[]): Record<string, string> {
  if (!/^[A-Za-z0-9+/]+$/.test(token)) throw badRequest(INVALID_TOKEN_REASON);
  const fields: Record<string, string> = {};
  for (const part of Buffer.from(token, 'base64').toString('utf8').split('/')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  for (const key of required) if (!fields[key]) throw badRequest(INVALID_TOKEN_REASON);
  return fields;
}

/** Parses page_size: non-integers and values below 1 are 400s; values above `max` are capped. */
export function parsePageSize(raw: string | null, max: number): number {
  if (raw === null || raw === '') return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!/^-?\d+$/.test(raw)) throw badRequest(`strconv.Atoi: parsing "${raw}": invalid syntax`);
  const size = Number(raw);
  if (size < 1) throw badRequest(`page_size must be at least 1, got ${size}`);
  return Math.min(size, max);
}

function pageLink(requestUrl: URL, style: LinkStyle, rel: string, token: string, size: number): string {
  const params = new URLSearchParams(requestUrl.search);
  params.set('page_token', token);
  params.set('page_size', String(size));
  params.sort(); // Go's url.Values.Encode sorts by key
  const path = `${requestUrl.pathname}?${params.toString()}`;
  const target = style === 'absolute' ? `${requestUrl.origin}${path}` : path;
  return `<${target}>; rel="${rel}"`;
}

/** The Link header value for a page: always "first", plus "next" when more items exist. */
export function linkHeader(
  requestUrl: URL,
  style: LinkStyle,
  size: number,
  firstToken: string,
  nextToken: string | undefined,
): string {
  const links = [pageLink(requestUrl, style, 'first', firstToken, size)];
  if (nextToken !== undefined) links.push(pageLink(requestUrl, style, 'next', nextToken, size));
  return links.join(',');
}

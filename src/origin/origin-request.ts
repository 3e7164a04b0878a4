/**
 * Forwards a request to ORIGIN_URL unchanged but for the identity headers and
 * the gateway's own cookies, under their `__Host-` and bare names (the app
 * never sees the sealed session).
 */
import { GATEWAY_COOKIE_NAMES } from '../http/cookie-names.ts';
import { stripIdentityHeaders } from './identity-headers.ts';

function withoutGatewayCookies(cookie: string): string {
  return cookie
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !GATEWAY_COOKIE_NAMES.has(c.split('=', 1)[0]!.trim()))
    .join('; ');
}

/** `incoming` is the request's URL when the caller has parsed it already. */
export function originRequest(req: Request, originUrl: string, incoming = new URL(req.url)): { url: string; headers: Headers } {
  const url = `${originUrl}${incoming.pathname}${incoming.search}`;
  const headers = new Headers(req.headers);
  stripIdentityHeaders(headers);
  const cookie = headers.get('cookie');
  if (cookie) {
    const rest = withoutGatewayCookies(cookie);
    if (rest) headers.set('cookie', rest);
    else headers.delete('cookie');
  }
  headers.set('x-forwarded-host', incoming.host);
  headers.set('x-forwarded-proto', incoming.protocol.replace(':', ''));
  return { url, headers };
}

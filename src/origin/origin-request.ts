/**
 * Forwards a request to ORIGIN_URL unchanged but for the identity headers and
 * the gateway's own cookies (the app never sees the sealed session).
 */
import { SESSION_COOKIE } from '../verify/session.ts';
import { LOGIN_COOKIE } from '../oidc/login-transaction.ts';
import { COHORT_COOKIE } from '../flag/cohort.ts';
import { stripIdentityHeaders } from './identity-headers.ts';

const GATEWAY_COOKIES = new Set([SESSION_COOKIE, LOGIN_COOKIE, COHORT_COOKIE]);

function withoutGatewayCookies(cookie: string): string {
  return cookie
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !GATEWAY_COOKIES.has(c.split('=', 1)[0]!.trim()))
    .join('; ');
}

export function originRequest(req: Request, originUrl: string): { url: string; headers: Headers } {
  const incoming = new URL(req.url);
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

/**
 * The identity headers the app reads. They are always removed from the
 * incoming request first, whatever their case, so a client can never claim an
 * identity by sending them itself.
 */
import type { Principal } from '../verify/principal.ts';

export const IDENTITY_HEADERS = ['x-auth-sub', 'x-auth-provider', 'x-auth-email', 'x-auth-issuer', 'x-auth-assertion'] as const;

export function stripIdentityHeaders(headers: Headers): void {
  for (const h of IDENTITY_HEADERS) headers.delete(h);
}

/** Header values cannot carry CR/LF; an email with them is dropped, not forwarded. */
function safeValue(v: string | undefined): string | undefined {
  return v !== undefined && /^[\x20-\x7e]*$/.test(v) ? v : undefined;
}

export function setIdentityHeaders(headers: Headers, p: Principal, assertion: string | undefined): void {
  headers.set('x-auth-sub', safeValue(p.sub) ?? encodeURIComponent(p.sub));
  headers.set('x-auth-provider', p.provider);
  headers.set('x-auth-issuer', p.issuer);
  const email = safeValue(p.email);
  if (email) headers.set('x-auth-email', email);
  if (assertion) headers.set('x-auth-assertion', assertion);
}

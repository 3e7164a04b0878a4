/**
 * The identity headers the app reads. Every incoming header that an app
 * server could read as one of them is removed first, so a client can never
 * claim an identity by sending it itself.
 *
 * "Could read as" is wider than an exact match: CGI-style servers (WSGI,
 * Rack, PHP) expose `X-Auth-Sub`, `X_Auth_Sub` and `x.auth.sub` alike as
 * `HTTP_X_AUTH_SUB`. So a name is folded (lower case, every character other
 * than a letter or digit read as `-`) before it is compared, and everything
 * under the `x-auth-` prefix is reserved to the gateway, including headers it
 * does not set today.
 */
import type { GatewayConfig } from '../config.ts';
import type { Principal } from '../verify/principal.ts';

export const IDENTITY_HEADERS = ['x-auth-sub', 'x-auth-provider', 'x-auth-email', 'x-auth-email-verified', 'x-auth-issuer', 'x-auth-assertion'] as const;
export const IDENTITY_PREFIX = 'x-auth-';

/** The name as the most lenient app server could read it. */
export function foldHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '-');
}

export function isIdentityHeaderName(name: string): boolean {
  const folded = foldHeaderName(name);
  return folded.startsWith(IDENTITY_PREFIX) || (IDENTITY_HEADERS as readonly string[]).includes(folded);
}

/** Only a name whose first character is `x` can fold to `x-auth-...`: every other name is let through without folding. */
const X = 'x'.charCodeAt(0);

/** Names only (`keys()`): `forEach` would copy every value into a string, a session cookie or a bearer token included. */
export function stripIdentityHeaders(headers: Headers): void {
  let names: string[] | undefined;
  for (const name of headers.keys()) {
    if ((name.charCodeAt(0) | 0x20) === X && isIdentityHeaderName(name)) (names ??= []).push(name);
  }
  if (names) for (const name of names) headers.delete(name);
}

/** Header values cannot carry CR/LF; an email with them is dropped, not forwarded. */
function safeValue(v: string | undefined): string | undefined {
  return v !== undefined && /^[\x20-\x7e]*$/.test(v) ? v : undefined;
}

/**
 * What `X-Auth-Provider` says: the product that signed the user in, so an app
 * can tell a Cognito user from a Clerk one: the legacy kind's id (`auth0`,
 * `cognito`, `clerk`) for the legacy role, `olympus` for the target, as the
 * gateway assertion's `idp` claim. The stored data and the assertion's
 * `provider` claim keep the role id (docs/storage.md, "Provider ids").
 */
export function providerHeaderValue(config: Pick<GatewayConfig, 'providers'>, role: Principal['provider']): string {
  return role === 'olympus' ? 'olympus' : config.providers[role].kind;
}

export function setIdentityHeaders(headers: Headers, p: Principal, assertion: string | undefined, provider: string): void {
  headers.set('x-auth-sub', safeValue(p.sub) ?? encodeURIComponent(p.sub));
  headers.set('x-auth-provider', provider);
  headers.set('x-auth-issuer', p.issuer);
  const email = safeValue(p.email);
  if (email) {
    headers.set('x-auth-email', email);
    // Only when the provider said so with a literal boolean; absent means unknown, never "true".
    if (p.emailVerified !== undefined) headers.set('x-auth-email-verified', String(p.emailVerified));
  }
  if (assertion) headers.set('x-auth-assertion', assertion);
}

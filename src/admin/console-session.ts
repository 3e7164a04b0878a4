/**
 * The operator console's sign-in session. An admin API token is typed into
 * the console's sign-in form once and exchanged for this session; the token
 * itself is never kept by the page (no localStorage, no JavaScript-readable
 * cookie), so a script injected into the page cannot take it away.
 *
 * The session is a sealed cookie (JWE, its own HKDF purpose from
 * SESSION_SECRET, src/verify/sealed-cookie.ts), `__Host-sb_console`,
 * HttpOnly, Secure, SameSite=Strict, for at most CONSOLE_SESSION_SECONDS. It
 * names the admin token entry it was made from (that entry's SHA-256, which
 * is already a hash of a random secret): removing or rotating the token in
 * ADMIN_TOKENS ends every console session made with it, and a role changed
 * there applies at once.
 *
 * Every state-changing call made with the session must carry its CSRF token
 * (`X-CSRF-Token`, a random value sealed in the cookie and given to the page
 * in a <meta> element) and must not come from another site (Sec-Fetch-Site):
 * SameSite=Strict alone leaves sibling subdomains and old browsers.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { base64url } from 'jose';
import type { AdminTokenEntry, GatewayConfig } from '../config.ts';
import { constantTimeEqual } from '../core/bytes.ts';
import { cookieName } from '../http/cookie-names.ts';
import { seal, unseal } from '../verify/sealed-cookie.ts';
import type { AdminActor } from './admin-auth.ts';

/** Eight hours: one oncall shift. Long enough not to sign out mid-incident, short enough that a forgotten laptop expires. */
export const CONSOLE_SESSION_SECONDS = 8 * 60 * 60;

/** The header every console call that changes something carries. */
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleSession {
  actor: AdminActor;
  /** The value the page must echo in X-CSRF-Token on every change. */
  csrf: string;
  expiresAt: number;
}

function randomToken(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
}

/** Seals a session for `entry` and sets the cookie on the response. */
export async function startConsoleSession(c: Context, config: GatewayConfig, entry: AdminTokenEntry, now: number): Promise<ConsoleSession> {
  const csrf = randomToken();
  const expiresAt = Math.floor(now / 1000) + CONSOLE_SESSION_SECONDS;
  const value = await seal(config.sessionSecret, 'console', { sub: entry.name, tok: entry.sha256, csrf }, expiresAt);
  setCookie(c, cookieName(config, 'console'), value, { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'Strict', maxAge: CONSOLE_SESSION_SECONDS });
  return { actor: { name: entry.name, role: entry.role }, csrf, expiresAt };
}

export function endConsoleSession(c: Context, config: GatewayConfig): void {
  deleteCookie(c, cookieName(config, 'console'), { path: '/', secure: config.cookieSecure, httpOnly: true, sameSite: 'Strict' });
}

/**
 * The session the request's cookie carries, if it opens, has not expired and
 * its admin token is still configured (with its current role). Never throws:
 * a tampered, expired or foreign cookie is simply no session.
 */
export async function readConsoleSession(c: Context, config: GatewayConfig): Promise<ConsoleSession | undefined> {
  const value = getCookie(c, cookieName(config, 'console'));
  if (value === undefined) return undefined;
  let claims;
  try {
    claims = await unseal(config.sessionSecret, 'console', value);
  } catch {
    return undefined;
  }
  const { sub, tok, csrf, exp } = claims;
  if (typeof sub !== 'string' || typeof tok !== 'string' || typeof csrf !== 'string' || typeof exp !== 'number') return undefined;
  const entry = config.adminTokens.find((t) => t.name === sub && constantTimeEqual(t.sha256, tok));
  if (!entry) return undefined;
  return { actor: { name: entry.name, role: entry.role }, csrf, expiresAt: exp };
}

/** True when the request carries the session's CSRF token (compared in constant time). */
export function csrfMatches(c: Context, session: ConsoleSession): boolean {
  const sent = c.req.header(CSRF_HEADER);
  return sent !== undefined && sent.length <= 128 && constantTimeEqual(sent, session.csrf);
}

/** GET and HEAD read; everything else changes something and needs the CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

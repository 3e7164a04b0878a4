/**
 * The gateway's cookies in one place: names (`__Host-` when secure, see
 * cookie-names.ts) and attributes: HttpOnly, Secure (unless COOKIE_SECURE=false
 * for plain-http dev), SameSite=Lax, Path=/, never a Domain.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import type { GatewayConfig } from '../config.ts';
import { cookieName, legacyCookieName, type GatewayCookie } from './cookie-names.ts';
import { sealedForPrefixedName } from '../verify/sealed-cookie.ts';

export function cookieOptions(config: GatewayConfig, maxAgeSeconds: number): CookieOptions {
  return { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'Lax', maxAge: Math.max(0, Math.floor(maxAgeSeconds)) };
}

export interface ReadCookie {
  value: string | undefined;
  /** Found only under the bare name issued before the `__Host-` prefix. */
  legacy: boolean;
}

/** The current name first; the bare legacy name when only it is present and holds a value sealed before the prefix. */
export function readCookie(c: Context, config: GatewayConfig, kind: GatewayCookie): ReadCookie {
  const name = cookieName(config, kind);
  const value = getCookie(c, name);
  if (value !== undefined || name === legacyCookieName(kind)) return { value, legacy: false };
  const old = getCookie(c, legacyCookieName(kind));
  // This release sets sealed values only under the prefixed name: one under the bare name was planted
  // (cookie tossing from a sibling subdomain or plain http), a session fixation or a forged login transaction.
  if (old !== undefined && sealedForPrefixedName(old)) return { value: undefined, legacy: false };
  return { value: old, legacy: old !== undefined };
}

/** Sets the cookie under its current name, and removes a legacy copy the browser still sends. */
export function writeCookie(c: Context, config: GatewayConfig, kind: GatewayCookie, value: string, maxAgeSeconds: number): void {
  setCookie(c, cookieName(config, kind), value, cookieOptions(config, maxAgeSeconds));
  dropLegacy(c, config, kind);
}

/** Deletes the cookie under its current name and, when the browser sent one, the legacy name. */
export function clearCookie(c: Context, config: GatewayConfig, kind: GatewayCookie): void {
  deleteCookie(c, cookieName(config, kind), { path: '/', secure: config.cookieSecure, httpOnly: true, sameSite: 'Lax' });
  dropLegacy(c, config, kind);
}

function dropLegacy(c: Context, config: GatewayConfig, kind: GatewayCookie): void {
  const legacy = legacyCookieName(kind);
  if (legacy !== cookieName(config, kind) && getCookie(c, legacy) !== undefined) {
    deleteCookie(c, legacy, { path: '/', secure: config.cookieSecure, httpOnly: true, sameSite: 'Lax' });
  }
}

/** Cookie attributes in one place: HttpOnly, Secure (unless COOKIE_SECURE=false for plain-http dev), SameSite=Lax. */
import type { CookieOptions } from 'hono/utils/cookie';
import type { GatewayConfig } from '../config.ts';

export function cookieOptions(config: GatewayConfig, maxAgeSeconds: number): CookieOptions {
  return { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'Lax', maxAge: Math.max(0, Math.floor(maxAgeSeconds)) };
}

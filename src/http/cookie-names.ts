/**
 * The gateway's cookie names. With COOKIE_SECURE (the default) they carry the
 * `__Host-` prefix (RFC 6265bis §4.1.3.2): a browser then keeps them only when
 * set with Secure, Path=/ and no Domain, so a sibling subdomain or a plain-http
 * page on the same host cannot plant or overwrite the session, the login
 * transaction or the cohort. Plain-http dev (COOKIE_SECURE=false) keeps the
 * bare names, which browsers would refuse with the prefix.
 *
 * The bare names are what the gateway issued before the prefix: they are still
 * read as a fallback (docs/storage.md, "Cookie names").
 */
import type { GatewayConfig } from '../config.ts';

export type GatewayCookie = 'session' | 'login' | 'cohort' | 'console';

const BARE_NAMES = { session: 'sb_session', login: 'sb_login', cohort: 'sb_cohort', console: 'sb_console' } as const satisfies Record<GatewayCookie, string>;

export const HOST_PREFIX = '__Host-';

/** The name the gateway sets. */
export function cookieName(config: Pick<GatewayConfig, 'cookieSecure'>, kind: GatewayCookie): string {
  return config.cookieSecure ? `${HOST_PREFIX}${BARE_NAMES[kind]}` : BARE_NAMES[kind];
}

/** The name issued before the prefix; read only as a fallback, when it differs from cookieName(). */
export function legacyCookieName(kind: GatewayCookie): string {
  return BARE_NAMES[kind];
}

/** Every name the gateway owns, prefixed or bare: none of them reaches the origin. */
export const GATEWAY_COOKIE_NAMES: ReadonlySet<string> = new Set(Object.values(BARE_NAMES).flatMap((n) => [n, `${HOST_PREFIX}${n}`]));

/**
 * The gateway session: who signed in, through which provider, until when.
 * Stored in a sealed, HttpOnly, Secure, SameSite=Lax cookie (format v1 in
 * docs/storage.md). It carries no provider access or refresh token; it keeps
 * the provider's ID token only as the `id_token_hint` RP-initiated logout
 * needs (Ory Hydra refuses `post_logout_redirect_uri` without it), and only
 * while the sealed value stays within a browser's cookie size limit.
 */
import type { GatewayConfig } from '../config.ts';
import { isProviderId, type ProviderId } from '../core/provider-id.ts';
import { log } from '../core/log.ts';
import type { Principal } from './principal.ts';
import { seal, unseal } from './sealed-cookie.ts';
import { VerifyError } from './verify-error.ts';
import { CLOCK_SKEW_SECONDS } from './clock.ts';
import { verifiedOnce } from './verified-cache.ts';

/**
 * Browsers keep at least 4096 bytes of name + value per cookie (RFC 6265 §6.1);
 * the name (`__Host-sb_session=`) and some slack come off that.
 */
export const SESSION_VALUE_MAX_BYTES = 3900;

export interface SessionData {
  provider: ProviderId;
  issuer: string;
  sub: string;
  email: string | undefined;
  /** The ID token's `email_verified` when it was a literal boolean. */
  emailVerified: boolean | undefined;
  name: string | undefined;
  /** Unix seconds. */
  expiresAt: number;
  /** The ID token of the sign-in, kept for `id_token_hint` at logout. */
  idToken?: string | undefined;
}

export async function createSession(config: GatewayConfig, data: SessionData): Promise<string> {
  const claims = { v: 1, prv: data.provider, iss: data.issuer, sub: data.sub, email: data.email, ev: data.emailVerified, name: data.name };
  if (data.idToken) {
    const withHint = await seal(config.sessionSecret, 'session', { ...claims, idt: data.idToken }, data.expiresAt);
    if (withHint.length <= SESSION_VALUE_MAX_BYTES) return withHint;
    // Logout then goes without a hint (see src/routes/logout.ts); the sign-in itself must not fail on it.
    log('warn', { event: 'session_id_token_dropped', reason: 'id_token_too_large', provider: data.provider, bytes: withHint.length });
  }
  return seal(config.sessionSecret, 'session', claims, data.expiresAt);
}

/** Opens a session cookie: everything it holds, the ID token included. */
export async function openSession(config: GatewayConfig, cookie: string): Promise<SessionData> {
  let c;
  try {
    c = await unseal(config.sessionSecret, 'session', cookie);
  } catch (err) {
    const expired = err instanceof Error && 'code' in err && (err as { code: string }).code === 'ERR_JWT_EXPIRED';
    throw new VerifyError(expired ? 'session_expired' : 'session_malformed', expired ? undefined : String(err));
  }
  if (c.v !== 1 || !isProviderId(c.prv) || typeof c.iss !== 'string' || typeof c.sub !== 'string') {
    throw new VerifyError('session_malformed', 'unknown session format');
  }
  // The issuer must still be the one configured for that provider.
  if (config.providers[c.prv].issuer !== c.iss) throw new VerifyError('issuer_unknown', 'session issuer no longer configured');
  return {
    provider: c.prv,
    issuer: c.iss,
    sub: c.sub,
    email: typeof c.email === 'string' ? c.email : undefined,
    emailVerified: typeof c.ev === 'boolean' ? c.ev : undefined,
    name: typeof c.name === 'string' ? c.name : undefined,
    expiresAt: c.exp!,
    idToken: typeof c.idt === 'string' ? c.idt : undefined,
  };
}

/**
 * The session as a verified caller (no ID token: it never travels further
 * than logout); a cookie opened in the last minute is not decrypted again
 * (verified-cache.ts).
 */
export async function readSession(config: GatewayConfig, cookie: string, now = Date.now()): Promise<Principal & { name: string | undefined }> {
  return verifiedOnce(config, 'session', cookie, now, CLOCK_SKEW_SECONDS, async () => {
    const s = await openSession(config, cookie);
    return { provider: s.provider, issuer: s.issuer, sub: s.sub, email: s.email, emailVerified: s.emailVerified, name: s.name, expiresAt: s.expiresAt, via: 'session' as const, scopes: [] };
  });
}

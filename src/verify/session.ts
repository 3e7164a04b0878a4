/**
 * The gateway session: who signed in, through which provider, until when.
 * Stored in a sealed, HttpOnly, Secure, SameSite=Lax cookie (format v1 in
 * docs/storage.md). It carries no provider token, only the identity.
 */
import type { GatewayConfig } from '../config.ts';
import { isProviderId, type ProviderId } from '../core/provider-id.ts';
import type { Principal } from './principal.ts';
import { seal, unseal } from './sealed-cookie.ts';
import { VerifyError } from './verify-error.ts';

export const SESSION_COOKIE = 'sb_session';

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
}

export function createSession(config: GatewayConfig, data: SessionData): Promise<string> {
  return seal(config.sessionSecret, 'session', { v: 1, prv: data.provider, iss: data.issuer, sub: data.sub, email: data.email, ev: data.emailVerified, name: data.name }, data.expiresAt);
}

export async function readSession(config: GatewayConfig, cookie: string): Promise<Principal & { name: string | undefined }> {
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
    via: 'session',
    scopes: [],
  };
}

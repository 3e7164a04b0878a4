/**
 * The verified caller. Users are keyed by issuer + `sub`, never `sub` alone:
 * the same `sub` string at Auth0 and at Olympus can name two different people.
 */
import type { ProviderId } from '../core/provider-id.ts';

export interface Principal {
  provider: ProviderId;
  issuer: string;
  sub: string;
  email: string | undefined;
  /** The provider's `email_verified`, only when it is a literal boolean; undefined: unknown. */
  emailVerified: boolean | undefined;
  /** Unix seconds after which this credential is no longer accepted. */
  expiresAt: number;
  via: 'session' | 'bearer';
  scopes: string[];
}

export function principalKey(p: Pick<Principal, 'issuer' | 'sub'>): string {
  return JSON.stringify([p.issuer, p.sub]);
}

/** Reads both `scope` (RFC 9068 / introspection string) and Hydra's `scp` array. */
/** `email_verified` counts only as a literal boolean (a string "true" is not a claim we trust). */
export function emailVerifiedOf(claims: Record<string, unknown> | undefined): boolean | undefined {
  const v = claims?.email_verified;
  return typeof v === 'boolean' ? v : undefined;
}

export function scopesOf(claims: Record<string, unknown>): string[] {
  const out = new Set<string>();
  if (typeof claims.scope === 'string') for (const s of claims.scope.split(' ')) if (s) out.add(s);
  if (Array.isArray(claims.scp)) for (const s of claims.scp) if (typeof s === 'string' && s) out.add(s);
  return [...out];
}

/**
 * A bearer token must have been issued for this gateway, not merely by a
 * provider it trusts: otherwise another application's token (or a
 * client-credentials token) of the same issuer would open every route.
 *
 * - `audience` binding: `aud` holds `<P>_AUDIENCE` (Auth0 APIs; RFC 9068 §4).
 * - `client` binding: the client the token was issued to, `client_id`
 *   (RFC 9068 §2.2, RFC 7662 §2.2, Hydra) and/or `azp` (Auth0, OIDC), is
 *   `<P>_CLIENT_ID`; every one of them that is present must match, and at
 *   least one must be. `aud` is still checked when an audience is set.
 */
import type { ProviderOptions } from '../config.ts';
import { VerifyError } from './verify-error.ts';

export function checkAudience(p: ProviderOptions, claims: Record<string, unknown>): void {
  if (p.audience === undefined) return;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(p.audience)) throw new VerifyError('audience_mismatch', undefined, p.issuer);
}

export function checkTokenBinding(p: ProviderOptions, claims: Record<string, unknown>): void {
  checkAudience(p, claims);
  if (p.tokenBinding === 'audience') return;
  const named = [claims.client_id, claims.azp].filter((v) => v !== undefined);
  if (named.length === 0) throw new VerifyError('client_mismatch', 'no client_id or azp claim', p.issuer);
  if (!named.every((v) => v === p.clientId)) throw new VerifyError('client_mismatch', 'issued to another client', p.issuer);
}

/**
 * Verified credentials, remembered per isolate (issue 14): a bearer JWT or a
 * session cookie seen again soon is not verified again. A client sends the
 * same credential with every request, and its verification (an RS256/ES256
 * signature, or an AES-GCM decryption, and the claims) was most of the
 * gateway's CPU per request; a hit costs one SHA-256 of the credential.
 * Envoy's jwt_authn keeps such a cache too (`jwt_cache_config`).
 *
 * What is kept, and what is not:
 * - successes only: a refused credential is verified (and refused) again;
 * - keyed by a SHA-256 of the credential, never the credential itself (as
 *   the introspection cache), for the parsed configuration that verified it
 *   (a new secret, issuer or audience verifies again);
 * - at most TTL_MS, and a hit is re-checked against the credential's own
 *   expiry, with the tolerance its verification allows; so a key a provider
 *   removes from its key set stops a token within TTL_MS of the gateway
 *   noticing (key sets themselves are kept up to 10 minutes);
 * - only the verification: what follows it (the overlap policy, the flag,
 *   the identity headers) runs on every request.
 */
import type { GatewayConfig } from '../config.ts';
import { IsolateCache } from '../core/isolate-cache.ts';
import type { Principal } from './principal.ts';

export const VERIFIED_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/** `config`: the parsed configuration that verified it; another one (a changed secret, issuer, audience) verifies again. */
type Entry = { until: number; principal: Principal; config: GatewayConfig };

const cache = new IsolateCache<Entry>(MAX_ENTRIES);
const encoder = new TextEncoder();

/** SHA-256 of a credential, base64: a cache key that does not hold the credential. */
export async function credentialHash(credential: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(credential)));
  return btoa(String.fromCharCode(...d));
}

/**
 * The principal `verify` gives for `credential`, from the cache while it is
 * fresh and the credential unexpired (`expiresAt + toleranceSeconds > now`,
 * seconds, as jose's own check with that tolerance).
 */
export async function verifiedOnce<P extends Principal>(
  config: GatewayConfig,
  kind: 'jwt' | 'session',
  credential: string,
  now: number,
  toleranceSeconds: number,
  verify: () => Promise<P>,
): Promise<P> {
  const key = `${kind}:${await credentialHash(credential)}`;
  const hit = cache.get(key);
  if (hit && hit.config === config && hit.until > now && hit.principal.expiresAt + toleranceSeconds > Math.floor(now / 1000)) return hit.principal as P;
  if (hit) cache.delete(key);
  const principal = await verify();
  // Shared by the requests that reuse it: nobody may change it.
  Object.freeze(principal.scopes);
  cache.set(key, { until: now + VERIFIED_TTL_MS, principal: Object.freeze(principal), config });
  return principal;
}

/** Test hook (the runtime tests' resetGatewayCaches). */
export function clearVerifiedCache(): void {
  cache.clear();
}

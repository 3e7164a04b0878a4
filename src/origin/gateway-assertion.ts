/**
 * A short-lived assertion of the verified identity, signed with the gateway's
 * own ES256 key, so an app verifies one issuer (the gateway, JWKS at
 * /.well-known/switchback/jwks.json) whatever provider the user came from.
 *
 * Signing costs CPU, so an assertion is reused for the same principal for
 * half its lifetime: a busy user costs one signature per 30 s, not per request.
 */
import { importJWK, SignJWT, type JWK } from 'jose';
import type { JsonWebKeyWithKid } from '../config.ts';
import { principalKey, type Principal } from '../verify/principal.ts';

export const ASSERTION_TTL_SECONDS = 60;
const REUSE_MS = (ASSERTION_TTL_SECONDS / 2) * 1000;
const MAX_CACHED = 5_000;

/** The settled key only, never a pending import shared across requests (the isolate-cache rule). */
let imported: { kid: string; d: string; key: CryptoKey } | undefined;
const cache = new Map<string, { jwt: string; until: number }>();

async function signingKey(jwk: JsonWebKeyWithKid): Promise<CryptoKey> {
  if (imported && imported.kid === jwk.kid && imported.d === jwk.d) return imported.key;
  const key = (await importJWK(jwk as JWK, 'ES256')) as CryptoKey;
  imported = { kid: jwk.kid, d: jwk.d!, key };
  return key;
}

/** The public half only: never `d`. */
export function publicJwks(jwk: JsonWebKeyWithKid): { keys: JWK[] } {
  return { keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: 'ES256', use: 'sig' }] };
}

/**
 * Claims: `provider` the role (`auth0` for the legacy role whatever its kind,
 * `olympus`; stored ids, docs/storage.md "Provider ids"), `idp` the product
 * that signed the user in (`auth0`, `cognito`, `clerk`, `olympus`: what
 * X-Auth-Provider says), `idp_iss`, `email`, `email_verified`, `auth_via`.
 */
export async function gatewayAssertion(jwk: JsonWebKeyWithKid, gatewayIssuer: string, audience: string, p: Principal, idp: string, now = Date.now()): Promise<string> {
  const cacheKey = `${principalKey(p)}|${p.provider}|${idp}|${p.via}|${p.email ?? ''}|${p.emailVerified ?? ''}|${gatewayIssuer}|${audience}`;
  const hit = cache.get(cacheKey);
  if (hit && hit.until > now) return hit.jwt;
  const iat = Math.floor(now / 1000);
  const jwt = await new SignJWT({ provider: p.provider, idp, idp_iss: p.issuer, email: p.email, email_verified: p.emailVerified, auth_via: p.via })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'switchback-assertion+jwt' })
    .setIssuer(gatewayIssuer)
    .setAudience(audience)
    .setSubject(p.sub)
    .setIssuedAt(iat)
    .setExpirationTime(Math.min(iat + ASSERTION_TTL_SECONDS, p.expiresAt))
    .sign(await signingKey(jwk));
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, { jwt, until: now + Math.min(REUSE_MS, (p.expiresAt - iat) * 500) });
  return jwt;
}

/**
 * RFC 7662 token introspection for opaque access tokens (Hydra's default).
 *
 * Hydra's introspection endpoint sits on its admin port, which is firewalled
 * and unauthenticated: from the edge it is reached only through a protected
 * route, whose credentials are `<P>_INTROSPECTION_HEADERS` (for example a
 * Cloudflare Access service token) and/or HTTP Basic client credentials.
 *
 * Results are cached per isolate for a short time, keyed by a SHA-256 of the
 * token (the raw token is never kept), and never beyond the token's own `exp`.
 */
import type { GatewayConfig, ProviderOptions } from '../config.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { emailVerifiedOf, scopesOf, type Principal } from './principal.ts';
import { VerifyError } from './verify-error.ts';
import { checkTokenBinding } from './token-binding.ts';
import { IsolateCache } from '../core/isolate-cache.ts';
import { CLOCK_SKEW_SECONDS } from './clock.ts';
import { credentialHash } from './verified-cache.ts';

const MAX_ENTRIES = 10_000;
const NEGATIVE_TTL_MS = 5_000;
const FETCH_TIMEOUT_MS = 3_000;

type CacheEntry = { until: number; principal?: Principal; reason?: VerifyError };
/** Settled answers only: concurrent first uses of a token each call the endpoint (no shared pending promise, core/isolate-cache). */
const cache = new IsolateCache<CacheEntry>(MAX_ENTRIES);

function remember(key: string, entry: CacheEntry): void {
  cache.set(key, entry);
}

async function endpointFor(p: ProviderOptions): Promise<string> {
  if (p.introspectionUrl) return p.introspectionUrl;
  let meta;
  try {
    meta = await getProviderMetadata(p.issuer);
  } catch (err) {
    throw new VerifyError('provider_unavailable', String(err), p.issuer);
  }
  if (!meta.introspection_endpoint) throw new VerifyError('introspection_unavailable', 'no introspection endpoint configured or discovered', p.issuer);
  return meta.introspection_endpoint;
}

function toPrincipal(p: ProviderOptions, body: Record<string, unknown>, now: number): Principal {
  if (body.active !== true) throw new VerifyError('token_inactive', undefined, p.issuer);
  const nowS = Math.floor(now / 1000);
  if (typeof body.exp !== 'number') throw new VerifyError('claim_missing', 'exp', p.issuer);
  if (body.exp + CLOCK_SKEW_SECONDS <= nowS) throw new VerifyError('expired', undefined, p.issuer);
  if (typeof body.nbf === 'number' && body.nbf - CLOCK_SKEW_SECONDS > nowS) throw new VerifyError('not_yet_valid', undefined, p.issuer);
  if (body.iss !== undefined && body.iss !== p.issuer) throw new VerifyError('claim_invalid', 'iss', p.issuer);
  // Hydra says token_use, RFC 7662 says token_type; a refresh token is not an access token.
  const use = body.token_use ?? body.token_type;
  if (typeof use === 'string' && !/^(access_token|bearer)$/i.test(use)) throw new VerifyError('typ_not_access_token', use, p.issuer);
  checkTokenBinding(p, body);
  if (typeof body.sub !== 'string' || body.sub === '') throw new VerifyError('claim_missing', 'sub', p.issuer);
  const ext = typeof body.ext === 'object' && body.ext !== null ? (body.ext as Record<string, unknown>) : {};
  const email = typeof body.email === 'string' ? body.email : typeof ext.email === 'string' ? ext.email : undefined;
  // Hydra puts session claims under `ext`; a top-level claim wins when both are present.
  const emailVerified = emailVerifiedOf(body) ?? emailVerifiedOf(ext);
  return { provider: p.id, issuer: p.issuer, sub: body.sub, email, emailVerified, expiresAt: body.exp, via: 'bearer', scopes: scopesOf(body) };
}

async function callEndpoint(p: ProviderOptions, token: string): Promise<Record<string, unknown>> {
  const url = await endpointFor(p);
  const headers: Record<string, string> = {
    ...p.introspectionHeaders,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    authorization: `Basic ${btoa(`${encodeURIComponent(p.introspectionClientId)}:${encodeURIComponent(p.introspectionClientSecret)}`)}`,
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (err) {
    throw new VerifyError('introspection_unavailable', String(err), p.issuer);
  }
  if (!res.ok) throw new VerifyError('introspection_unavailable', `HTTP ${res.status}`, p.issuer);
  const body = (await res.json().catch(() => null)) as unknown;
  // RFC 7662 §2.2: a JSON object whose `active` is a boolean. Anything else is the endpoint failing, not the token.
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new VerifyError('introspection_unavailable', 'response is not a JSON object', p.issuer);
  if (typeof (body as { active?: unknown }).active !== 'boolean') throw new VerifyError('introspection_unavailable', 'response has no boolean "active"', p.issuer);
  return body as Record<string, unknown>;
}

export async function introspect(config: GatewayConfig, p: ProviderOptions, token: string, now = Date.now()): Promise<Principal> {
  const key = `${p.id}:${await credentialHash(token)}`;
  const hit = cache.get(key);
  if (hit && hit.until > now) {
    if (hit.reason) throw hit.reason;
    // Re-check expiry: a cached answer never outlives the token.
    if (hit.principal!.expiresAt + CLOCK_SKEW_SECONDS > Math.floor(now / 1000)) return hit.principal!;
  }
  const body = await callEndpoint(p, token);
  try {
    const principal = toPrincipal(p, body, now);
    const ttl = Math.min(config.introspectionCacheSeconds * 1000, principal.expiresAt * 1000 - now);
    if (ttl > 0) remember(key, { until: now + ttl, principal });
    return principal;
  } catch (err) {
    if (err instanceof VerifyError) remember(key, { until: now + NEGATIVE_TTL_MS, reason: err });
    throw err;
  }
}

export function clearIntrospectionCache(): void {
  cache.clear();
}

/**
 * Per-issuer signing key sets (JWKS), pinned to the issuer that published
 * them and cached at module scope so the hot path imports no key and fetches
 * nothing in steady state.
 *
 * - Keys are looked up only by `kid` and `alg`: `jku`, `x5u` and `jwk` header
 *   parameters are never read (a token must not choose its own key source).
 * - A `kid` missing from the cached set triggers at most one refetch per
 *   cooldown (key rotation), so a flood of random kids cannot hammer the IdP.
 * - When the key endpoint is down, the last good set keeps serving
 *   (stale-if-error); only an isolate that never saw the keys fails closed.
 * - Only settled key sets are shared between requests, never a pending fetch
 *   (core/isolate-cache); an aged set is refreshed by one request while the
 *   others keep using it.
 */
import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTHeaderParameters } from 'jose';
import { log } from '../core/log.ts';
import { VerifyError } from '../verify/verify-error.ts';
import { IsolateCache, refreshInProgress } from '../core/isolate-cache.ts';

const MAX_AGE_MS = 10 * 60 * 1000;
const COOLDOWN_MS = 30 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_KEYS = 32;

type Resolver = ReturnType<typeof createLocalJWKSet>;

interface Entry {
  jwksUri: string;
  resolver?: Resolver;
  fetchedAt: number;
  /** Last failed fetch: an isolate without keys retries at most once per cooldown. */
  failedAt: number;
  /** Last refetch caused by an unknown kid: at most one per cooldown. */
  missRefetchAt: number;
  /** A request started refreshing an aged key set at this time; the others keep using it meanwhile. */
  refreshingSince?: number;
}
/** Settled key sets only, never a pending fetch (core/isolate-cache: jose#355, #509). */
const entries = new IsolateCache<Entry>(16);

async function fetchKeySet(uri: string): Promise<JSONWebKeySet> {
  const res = await fetch(uri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`JWKS answered HTTP ${res.status}`);
  const body = (await res.json()) as { keys?: unknown };
  if (!body || !Array.isArray(body.keys)) throw new Error('JWKS document has no keys array');
  // Only public asymmetric signing keys are usable; anything else is dropped.
  const keys = body.keys.filter(
    (k): k is JSONWebKeySet['keys'][number] =>
      typeof k === 'object' && k !== null && ['RSA', 'EC', 'OKP'].includes((k as { kty?: string }).kty ?? '') && !('d' in k) && ((k as { use?: string }).use ?? 'sig') === 'sig',
  );
  return { keys: keys.slice(0, MAX_KEYS) };
}

/** Fetches the key set and stores the result; concurrent callers each fetch (no shared pending promise). */
async function refresh(issuer: string, jwksUri: string): Promise<Entry> {
  try {
    const jwks = await fetchKeySet(jwksUri);
    const next: Entry = { ...entryFor(issuer, jwksUri), resolver: createLocalJWKSet(jwks), fetchedAt: Date.now(), failedAt: 0, refreshingSince: undefined };
    entries.set(issuer, next);
    return next;
  } catch (err) {
    const last = entryFor(issuer, jwksUri);
    log('warn', { event: 'jwks_fetch_failed', issuer, reason: 'keys_unavailable', error: String(err), stale: Boolean(last.resolver) });
    const next: Entry = { ...last, failedAt: Date.now(), refreshingSince: undefined };
    entries.set(issuer, next);
    return next;
  }
}

function entryFor(issuer: string, jwksUri: string): Entry {
  let e = entries.get(issuer);
  if (!e || e.jwksUri !== jwksUri) {
    e = { jwksUri, fetchedAt: 0, failedAt: 0, missRefetchAt: 0 };
    entries.set(issuer, e);
  }
  return e;
}

function isNoMatch(err: unknown): boolean {
  return err instanceof joseErrors.JWKSNoMatchingKey;
}

/**
 * Resolves the verification key for a token of `issuer`. Only this issuer's
 * keys are ever tried.
 */
export async function resolveIssuerKey(issuer: string, jwksUri: string, header: JWTHeaderParameters): Promise<CryptoKey> {
  let e = entryFor(issuer, jwksUri);
  const now = Date.now();
  if (!e.resolver) {
    if (now - e.failedAt >= COOLDOWN_MS) e = await refresh(issuer, jwksUri);
    if (!e.resolver) throw new VerifyError('keys_unavailable', 'no key set has been fetched for this issuer', issuer);
  } else if (now - e.fetchedAt > MAX_AGE_MS && now - e.failedAt >= COOLDOWN_MS && !refreshInProgress(e.refreshingSince, now, FETCH_TIMEOUT_MS)) {
    entries.set(issuer, { ...e, refreshingSince: now });
    e = await refresh(issuer, jwksUri);
  }
  // Hand jose only what key selection may depend on.
  const selector = { alg: header.alg, kid: header.kid } as JWTHeaderParameters;
  try {
    return (await e.resolver!(selector)) as CryptoKey;
  } catch (err) {
    if (!isNoMatch(err)) throw new VerifyError('kid_not_found', String(err), issuer);
  }
  if (Date.now() - entryFor(issuer, jwksUri).missRefetchAt >= COOLDOWN_MS) {
    entries.set(issuer, { ...entryFor(issuer, jwksUri), missRefetchAt: Date.now() });
    e = await refresh(issuer, jwksUri);
    try {
      if (e.resolver) return (await e.resolver(selector)) as CryptoKey;
    } catch {
      /* fall through */
    }
  }
  throw new VerifyError('kid_not_found', `no key with kid ${JSON.stringify(header.kid ?? null)}`, issuer);
}

/** Warms the cache (used at login so the callback never waits on the JWKS). */
export async function preloadKeySet(issuer: string, jwksUri: string): Promise<void> {
  const e = entryFor(issuer, jwksUri);
  if (!e.resolver && Date.now() - e.failedAt >= COOLDOWN_MS) await refresh(issuer, jwksUri);
}

export function clearKeySetCache(): void {
  entries.clear();
}

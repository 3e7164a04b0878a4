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
 */
import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTHeaderParameters } from 'jose';
import { log } from '../core/log.ts';
import { VerifyError } from '../verify/verify-error.ts';

const MAX_AGE_MS = 10 * 60 * 1000;
const COOLDOWN_MS = 30 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_KEYS = 32;

type Resolver = ReturnType<typeof createLocalJWKSet>;

interface Entry {
  jwksUri: string;
  resolver?: Resolver;
  fetchedAt: number;
  attemptedAt: number;
  /** Last refetch caused by an unknown kid: at most one per cooldown. */
  missRefetchAt: number;
  pending?: Promise<void>;
}
const entries = new Map<string, Entry>();

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

function refresh(issuer: string, e: Entry): Promise<void> {
  if (!e.pending) {
    e.attemptedAt = Date.now();
    e.pending = fetchKeySet(e.jwksUri)
      .then((jwks) => {
        e.resolver = createLocalJWKSet(jwks);
        e.fetchedAt = Date.now();
      })
      .catch((err: unknown) => {
        log('warn', { event: 'jwks_fetch_failed', issuer, reason: 'keys_unavailable', error: String(err), stale: Boolean(e.resolver) });
      })
      .finally(() => {
        e.pending = undefined;
      });
  }
  return e.pending;
}

function entryFor(issuer: string, jwksUri: string): Entry {
  let e = entries.get(issuer);
  if (!e || e.jwksUri !== jwksUri) {
    e = { jwksUri, fetchedAt: 0, attemptedAt: 0, missRefetchAt: 0 };
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
  const e = entryFor(issuer, jwksUri);
  const now = Date.now();
  if (!e.resolver) {
    if (now - e.attemptedAt >= COOLDOWN_MS || e.pending) await refresh(issuer, e);
    if (!e.resolver) throw new VerifyError('keys_unavailable', 'no key set has been fetched for this issuer', issuer);
  } else if (now - e.fetchedAt > MAX_AGE_MS && now - e.attemptedAt >= COOLDOWN_MS) {
    await refresh(issuer, e);
  }
  // Hand jose only what key selection may depend on.
  const selector = { alg: header.alg, kid: header.kid } as JWTHeaderParameters;
  try {
    return (await e.resolver!(selector)) as CryptoKey;
  } catch (err) {
    if (!isNoMatch(err)) throw new VerifyError('kid_not_found', String(err), issuer);
  }
  if (Date.now() - e.missRefetchAt >= COOLDOWN_MS) {
    e.missRefetchAt = Date.now();
    await refresh(issuer, e);
    try {
      return (await e.resolver!(selector)) as CryptoKey;
    } catch {
      /* fall through */
    }
  }
  throw new VerifyError('kid_not_found', `no key with kid ${JSON.stringify(header.kid ?? null)}`, issuer);
}

/** Warms the cache (used at login so the callback never waits on the JWKS). */
export async function preloadKeySet(issuer: string, jwksUri: string): Promise<void> {
  const e = entryFor(issuer, jwksUri);
  if (!e.resolver && Date.now() - e.attemptedAt >= COOLDOWN_MS) await refresh(issuer, e);
}

export function clearKeySetCache(): void {
  entries.clear();
}

/**
 * OIDC discovery (`/.well-known/openid-configuration`), cached per isolate.
 *
 * The document's `issuer` must equal the configured issuer exactly (OIDC
 * Discovery §4.3): this is what pins every endpoint, and the key set, to one
 * provider. A failed refresh keeps serving the last good document. Only
 * documents are shared between requests, never a pending fetch
 * (core/isolate-cache).
 */
import { log } from '../core/log.ts';
import { IsolateCache, refreshInProgress } from '../core/isolate-cache.ts';
import { SwitchbackError } from '../core/errors.ts';

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  introspection_endpoint?: string;
  authorization_response_iss_parameter_supported?: boolean;
}

export class DiscoveryError extends SwitchbackError {
  readonly code = 'ERR_DISCOVERY';
}

const FRESH_MS = 60 * 60 * 1000;
const RETRY_AFTER_ERROR_MS = 10 * 1000;
const FETCH_TIMEOUT_MS = 5000;

interface Entry {
  metadata?: ProviderMetadata;
  fetchedAt: number;
  failedAt: number;
  /** A request started refreshing a stale document at this time; the others keep serving it meanwhile. */
  refreshingSince?: number;
}
const entries = new IsolateCache<Entry>(16);

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

function validate(issuer: string, doc: unknown): ProviderMetadata {
  if (typeof doc !== 'object' || doc === null) throw new DiscoveryError('discovery document is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.issuer !== issuer) throw new DiscoveryError(`discovery issuer ${JSON.stringify(d.issuer)} does not match configured issuer`);
  for (const field of ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof d[field] !== 'string') throw new DiscoveryError(`discovery document lacks ${field}`);
  }
  for (const field of ['end_session_endpoint', 'introspection_endpoint'] as const) {
    if (d[field] !== undefined && typeof d[field] !== 'string') throw new DiscoveryError(`discovery ${field} is not a string`);
  }
  return d as unknown as ProviderMetadata;
}

async function fetchMetadata(issuer: string): Promise<ProviderMetadata> {
  const res = await fetch(discoveryUrl(issuer), { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new DiscoveryError(`discovery answered HTTP ${res.status}`);
  return validate(issuer, await res.json());
}

/** Returns the provider's metadata: cached, refreshed hourly, stale-if-error. */
export async function getProviderMetadata(issuer: string, now = Date.now()): Promise<ProviderMetadata> {
  const e = entries.get(issuer);
  if (e?.metadata) {
    if (now - e.fetchedAt < FRESH_MS) return e.metadata;
    if (now - e.failedAt < RETRY_AFTER_ERROR_MS) return e.metadata;
    if (refreshInProgress(e.refreshingSince, now, FETCH_TIMEOUT_MS)) return e.metadata;
    entries.set(issuer, { ...e, refreshingSince: now });
  }
  try {
    const metadata = await fetchMetadata(issuer);
    entries.set(issuer, { metadata, fetchedAt: Date.now(), failedAt: 0 });
    return metadata;
  } catch (err) {
    // Read again: a concurrent request may have stored a good document meanwhile.
    const last = entries.get(issuer);
    entries.set(issuer, { metadata: last?.metadata, fetchedAt: last?.fetchedAt ?? 0, failedAt: Date.now() });
    log('warn', { event: 'discovery_failed', issuer, reason: 'provider_unavailable', error: String(err), stale: Boolean(last?.metadata) });
    if (last?.metadata) return last.metadata;
    throw err instanceof DiscoveryError ? err : new DiscoveryError(`discovery unreachable: ${String(err)}`);
  }
}

/** Test hook: forget everything cached in this isolate. */
export function clearDiscoveryCache(): void {
  entries.clear();
}

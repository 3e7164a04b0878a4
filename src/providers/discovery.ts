/**
 * OIDC discovery (`/.well-known/openid-configuration`), cached per isolate.
 *
 * The document's `issuer` must equal the configured issuer exactly (OIDC
 * Discovery §4.3): this is what pins every endpoint, and the key set, to one
 * provider. A failed refresh keeps serving the last good document.
 */
import { log } from '../core/log.ts';

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  introspection_endpoint?: string;
  authorization_response_iss_parameter_supported?: boolean;
}

export class DiscoveryError extends Error {
  readonly code = 'ERR_DISCOVERY';
  constructor(message: string) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

const FRESH_MS = 60 * 60 * 1000;
const RETRY_AFTER_ERROR_MS = 10 * 1000;
const FETCH_TIMEOUT_MS = 5000;

interface Entry {
  metadata?: ProviderMetadata;
  fetchedAt: number;
  failedAt: number;
  pending?: Promise<ProviderMetadata>;
}
const entries = new Map<string, Entry>();

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
  let e = entries.get(issuer);
  if (!e) {
    e = { fetchedAt: 0, failedAt: 0 };
    entries.set(issuer, e);
  }
  if (e.metadata && now - e.fetchedAt < FRESH_MS) return e.metadata;
  if (e.metadata && now - e.failedAt < RETRY_AFTER_ERROR_MS) return e.metadata;
  if (!e.pending) {
    const entry = e;
    entry.pending = fetchMetadata(issuer)
      .then((m) => {
        entry.metadata = m;
        entry.fetchedAt = Date.now();
        return m;
      })
      .catch((err: unknown) => {
        entry.failedAt = Date.now();
        log('warn', { event: 'discovery_failed', issuer, reason: 'provider_unavailable', error: String(err), stale: Boolean(entry.metadata) });
        if (entry.metadata) return entry.metadata;
        throw err instanceof DiscoveryError ? err : new DiscoveryError(`discovery unreachable: ${String(err)}`);
      })
      .finally(() => {
        entry.pending = undefined;
      });
  }
  return e.pending!;
}

/** Test hook: forget everything cached in this isolate. */
export function clearDiscoveryCache(): void {
  entries.clear();
}

/**
 * Versioned OAuth client configuration.
 *
 * The plan's hidden gotcha: if the apps' OAuth clients changed during the
 * migration, rolling back the provider must roll back the client settings
 * too. So each provider's client settings (client_id, which secret, scopes)
 * are stored as immutable versions in KV
 * (`client_config:v<N>`), and the flag record names the version that goes
 * with it (`client_config_version`): flipping the flag to a previous record
 * reverts both together. Version 0 is the bootstrap from the vars
 * (AUTH0_CLIENT_ID, ...) and is never stored.
 *
 * Versions are immutable, so each is read from KV once per isolate.
 */
import { IsolateCache } from '../core/isolate-cache.ts';
import * as z from '../core/schema.ts';
import type { GatewayConfig, ProviderOptions } from '../config.ts';
import type { ProviderId } from '../core/provider-id.ts';
import { SwitchbackError } from '../core/errors.ts';

export const CLIENT_CONFIG_PREFIX = 'client_config:v';

const ProviderClientSchema = z.strictObject({
  client_id: z.string().check(z.minLength(1), z.maxLength(256)),
  /** Name of the var/secret holding this client's secret, e.g. OLYMPUS_CLIENT_SECRET_V2. */
  client_secret_var: z.string().check(z.regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'must name a var/secret, e.g. OLYMPUS_CLIENT_SECRET_V2')),
  scopes: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
});

/** Which providers a version overrides; shared with the admin API's request body. */
export const ClientProvidersSchema = z.strictObject({ auth0: z.optional(ProviderClientSchema), olympus: z.optional(ProviderClientSchema) });

export const ClientConfigSchema = z.strictObject({
  version: z.int().check(z.minimum(1)),
  created_at: z.iso.datetime(),
  created_by: z.string().check(z.minLength(1), z.maxLength(200)),
  reason: z.string().check(z.maxLength(1000)),
  providers: ClientProvidersSchema,
});
export type ClientConfigRecord = z.Infer<typeof ClientConfigSchema>;

export class ClientConfigError extends SwitchbackError {
  readonly code = 'ERR_CLIENT_CONFIG';
}

/** Versions are immutable once written: a record read once is kept (settled values only, core/isolate-cache). */
const versions = new IsolateCache<ClientConfigRecord>(64);

async function load(kv: KVNamespace, version: number): Promise<ClientConfigRecord | undefined> {
  const text = await kv.get(`${CLIENT_CONFIG_PREFIX}${version}`, 'text');
  if (text === null) return undefined;
  const parsed = ClientConfigSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export async function readClientConfig(kv: KVNamespace, version: number): Promise<ClientConfigRecord | undefined> {
  const hit = versions.get(String(version));
  if (hit) return hit;
  const record = await load(kv, version).catch(() => undefined);
  // A miss or a failure is not cached: the version may be written a moment later.
  if (record) versions.set(String(version), record);
  return record;
}

/** The provider options in force for a given client config version (0 = the vars). */
export async function effectiveProvider(config: GatewayConfig, env: Record<string, unknown>, kv: KVNamespace, id: ProviderId, version: number | undefined): Promise<ProviderOptions & { clientConfigVersion: number }> {
  const base = config.providers[id];
  if (!version) return { ...base, clientConfigVersion: 0 };
  const record = await readClientConfig(kv, version);
  if (!record) throw new ClientConfigError(`client configuration version ${version} is missing or invalid`);
  const client = record.providers[id];
  if (!client) return { ...base, clientConfigVersion: version };
  const secret = env[client.client_secret_var];
  if (typeof secret !== 'string' || secret === '') throw new ClientConfigError(`client configuration version ${version} names ${client.client_secret_var}, which is not set`);
  return {
    ...base,
    clientId: client.client_id,
    clientSecret: secret,
    scopes: client.scopes ?? base.scopes,
    clientConfigVersion: version,
  };
}

export function clearClientConfigCache(): void {
  versions.clear();
}

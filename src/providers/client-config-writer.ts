/**
 * Appends a client configuration version (immutable) and moves the
 * `client_config:latest` pointer. Writing a version changes nothing by
 * itself: it takes effect when a flag change names it.
 */
import { clipText } from '../core/clip.ts';
import { CLIENT_CONFIG_PREFIX, ClientConfigSchema, readClientConfig, type ClientConfigRecord } from './client-config.ts';

export const CLIENT_CONFIG_LATEST = 'client_config:latest';

export async function latestClientConfigVersion(kv: KVNamespace): Promise<number> {
  const v = Number(await kv.get(CLIENT_CONFIG_LATEST, 'text'));
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export async function appendClientConfig(kv: KVNamespace, input: Omit<ClientConfigRecord, 'version' | 'created_at'>, now = new Date()): Promise<ClientConfigRecord> {
  const version = (await latestClientConfigVersion(kv)) + 1;
  // created_by is an actor label (token name or Access email, any length): clipped to the record's limit.
  const record = ClientConfigSchema.parse({ ...input, created_by: clipText(input.created_by, 200), version, created_at: now.toISOString() });
  await kv.put(`${CLIENT_CONFIG_PREFIX}${version}`, JSON.stringify(record));
  await kv.put(CLIENT_CONFIG_LATEST, String(version));
  return record;
}

export async function clientConfigExists(kv: KVNamespace, version: number): Promise<boolean> {
  return version === 0 || (await readClientConfig(kv, version)) !== undefined;
}

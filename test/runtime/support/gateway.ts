/** Calling the gateway under test, and resetting its per-isolate caches between tests. */
import { env, exports } from 'cloudflare:workers';
import { clearDiscoveryCache } from '../../../src/providers/discovery.ts';
import { clearKeySetCache } from '../../../src/providers/key-set-cache.ts';
import { clearIntrospectionCache } from '../../../src/verify/introspection-client.ts';
import { resetFlagStore } from '../../../src/flag/flag-store.ts';
import { FLAG_KEY, type FlagRecord } from '../../../src/flag/flag-record.ts';
import { GATEWAY } from './constants.ts';

export function gw(path: string, init: RequestInit = {}): Promise<Response> {
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(new Request(`${GATEWAY}${path}`, { redirect: 'manual', ...init }));
}

export function resetGatewayCaches(): void {
  clearDiscoveryCache();
  clearKeySetCache();
  clearIntrospectionCache();
  resetFlagStore();
}

export async function putFlag(flag: Partial<FlagRecord> & { enabled: boolean }): Promise<void> {
  const record: FlagRecord = { version: 1, updated_at: new Date().toISOString(), updated_by: 'test', reason: 'test', ...flag };
  await (env as unknown as { SWITCHBACK_KV: KVNamespace }).SWITCHBACK_KV.put(FLAG_KEY, JSON.stringify(record));
  resetFlagStore();
}

export function kv(): KVNamespace {
  return (env as unknown as { SWITCHBACK_KV: KVNamespace }).SWITCHBACK_KV;
}

/** Cookie header value from a response's Set-Cookie lines (name=value pairs only). */
export function cookiesFrom(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = pair!.slice(i + 1);
  }
  return out;
}

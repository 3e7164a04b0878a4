/** Calling the gateway under test, and resetting its per-isolate caches between tests. */
import { env, exports } from 'cloudflare:workers';
import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { ControllerStore } from '../../../src/rollback/controller-store.ts';
import { controller } from '../../../src/rollback/controller-client.ts';
import { resetLoginFlag } from '../../../src/flag/controller-flag.ts';
import { resetOutcomeBuffer } from '../../../src/telemetry/outcome-recorder.ts';
import type { Env } from '../../../src/env.ts';
import { clearDiscoveryCache } from '../../../src/providers/discovery.ts';
import { clearKeySetCache } from '../../../src/providers/key-set-cache.ts';
import { clearIntrospectionCache } from '../../../src/verify/introspection-client.ts';
import { clearVerifiedCache } from '../../../src/verify/verified-cache.ts';
import { resetFlagStore } from '../../../src/flag/kv-flag.ts';
import { FLAG_KEY, SAFE_DEFAULT_FLAG, type FlagRecord } from '../../../src/flag/flag-record.ts';
import { GATEWAY } from './constants.ts';

let ipCounter = 0;
/** A client address from TEST-NET-2; each call is another client unless the test sets cf-connecting-ip. */
export function nextClientIp(): string {
  ipCounter++;
  return `198.51.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export function gw(path: string, init: RequestInit = {}): Promise<Response> {
  const req = new Request(`${GATEWAY}${path}`, { redirect: 'manual', ...init });
  if (!req.headers.has('cf-connecting-ip')) req.headers.set('cf-connecting-ip', nextClientIp());
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(req);
}

export function resetGatewayCaches(): void {
  clearDiscoveryCache();
  clearKeySetCache();
  clearIntrospectionCache();
  clearVerifiedCache();
  resetFlagStore();
  resetLoginFlag();
  resetOutcomeBuffer();
}

/** A fresh start for a test: controller tables emptied (flag = Auth0 default), KV emptied, caches dropped. */
export async function resetState(): Promise<void> {
  await runInDurableObject(controller(testEnv()), (_instance, state) => {
    for (const t of ['meta', 'samples', 'pending_logins', 'abandoned_logins', 'settled_logins', 'audit', 'outbox', 'signups', 'delivery_ledger', 'detector_feed', 'known_clients', 'history_minutes', 'drills']) state.storage.sql.exec(`DELETE FROM ${t}`);
    new ControllerStore(state.storage.sql).set('flag', SAFE_DEFAULT_FLAG);
  });
  await runInDurableObject(controller(testEnv()), (_instance, state) => state.storage.deleteAlarm());
  // A fresh instance too: no evaluation clock or caches carried over from the previous test.
  await abortAllDurableObjects();
  for (const k of (await kv().list()).keys) await kv().delete(k.name);
  resetGatewayCaches();
}

export function testEnv(): Env {
  return env as unknown as Env;
}

/** Writes the flag where the gateway reads it: the controller object (authoritative) and KV. */
export async function putFlag(flag: Partial<FlagRecord> & { enabled: boolean }): Promise<void> {
  const record: FlagRecord = { version: 1, updated_at: new Date().toISOString(), updated_by: 'test', reason: 'test', ...flag };
  await runInDurableObject(controller(testEnv()), (_instance, state) => new ControllerStore(state.storage.sql).set('flag', record));
  await (env as unknown as { SWITCHBACK_KV: KVNamespace }).SWITCHBACK_KV.put(FLAG_KEY, JSON.stringify(record));
  resetFlagStore();
  resetLoginFlag();
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

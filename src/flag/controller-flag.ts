/**
 * The flag as /login sees it: asked of the controller (the authoritative
 * copy) with a per-isolate cache of FLAG_CACHE_TTL_MS, so a rollback reaches
 * new logins everywhere within that TTL plus one round-trip to the object,
 * instead of KV's ~60 s propagation. If the object cannot answer within
 * 500 ms, the KV copy is used (itself: last good value, else Auth0).
 *
 * The proxy asks here too, but only before refusing an Olympus credential
 * (rare): the KV copy can be stale or unreadable, the controller cannot.
 *
 * Values are cached, never a pending call (see kv-flag.ts): concurrent
 * misses each ask.
 */
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import { controller } from '../rollback/controller-client.ts';
import { FlagRecordSchema, type FlagRecord } from './flag-record.ts';
import { readFlag, type FlagRead } from './kv-flag.ts';

const CONTROLLER_TIMEOUT_MS = 500;

const state: { read?: FlagRead; at: number } = { at: 0 };

async function fromController(env: Env): Promise<FlagRecord> {
  const stub = controller(env);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('controller timeout')), CONTROLLER_TIMEOUT_MS)));
  try {
    const flag = await Promise.race([stub.getFlag(), timeout]);
    return FlagRecordSchema.parse(flag);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

export async function loginFlag(env: Env, ttlMs: number, now = Date.now()): Promise<FlagRead> {
  if (state.read && now - state.at < ttlMs) return state.read;
  let r: FlagRead;
  try {
    r = { flag: await fromController(env), source: 'controller' };
  } catch (err) {
    log('warn', { event: 'controller_flag_failed', reason: 'controller_unreachable', error: String(err) });
    r = await readFlag(env.SWITCHBACK_KV, ttlMs, now);
  }
  state.read = r;
  state.at = Date.now();
  return r;
}

export function resetLoginFlag(): void {
  state.read = undefined;
  state.at = 0;
}

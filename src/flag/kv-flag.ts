/**
 * Reads the flag from KV without a KV round-trip per request: one read per
 * isolate per FLAG_CACHE_TTL_MS (1 s by default). Fail safe: missing means
 * Auth0; unreadable or invalid means the last value this isolate saw, else
 * Auth0 (`source` says which, so a caller about to refuse someone on an
 * uncertain read can ask the controller first).
 *
 * The isolate caches values, never a pending read: on Workers a promise
 * started by one request is bound to that request, and when it is cancelled
 * every other request awaiting the same promise hangs (jose stopped sharing
 * in-flight fetches for this reason: its issues #355 and #509). Concurrent
 * misses each read KV; the first to finish fills the cache.
 *
 * Propagation bound: on one machine (wrangler dev, miniflare) a write is
 * visible to new logins within FLAG_CACHE_TTL_MS. On Cloudflare's network a
 * KV write is visible at once in the writing location, and elsewhere once the
 * location's cached copy expires: we read with `cacheTtl: 30` (KV's minimum),
 * so the bound is about 30 s + FLAG_CACHE_TTL_MS, and up to KV's documented
 * 60 s in the worst case. The rollback controller (Durable Object) closes
 * that gap for /login.
 */
import { log } from '../core/log.ts';
import { FLAG_KEY, parseFlagRecord, SAFE_DEFAULT_FLAG, type FlagRecord } from './flag-record.ts';

export type FlagSource = 'controller' | 'kv' | 'missing' | 'last-good' | 'default';
export interface FlagRead {
  flag: FlagRecord;
  source: FlagSource;
}

const KV_CACHE_TTL_SECONDS = 30;

interface State {
  read?: FlagRead;
  lastGood?: FlagRecord;
  fetchedAt: number;
}
const state: State = { fetchedAt: 0 };

async function load(kv: KVNamespace): Promise<FlagRead> {
  let text: string | null;
  try {
    text = await kv.get(FLAG_KEY, { type: 'text', cacheTtl: KV_CACHE_TTL_SECONDS });
  } catch (err) {
    log('warn', { event: 'flag_read_failed', reason: 'kv_unreadable', error: String(err) });
    return state.lastGood ? { flag: state.lastGood, source: 'last-good' } : { flag: SAFE_DEFAULT_FLAG, source: 'default' };
  }
  if (text === null) return { flag: SAFE_DEFAULT_FLAG, source: 'missing' };
  const flag = parseFlagRecord(text);
  if (!flag) {
    log('warn', { event: 'flag_read_failed', reason: 'flag_invalid' });
    return state.lastGood ? { flag: state.lastGood, source: 'last-good' } : { flag: SAFE_DEFAULT_FLAG, source: 'default' };
  }
  state.lastGood = flag;
  return { flag, source: 'kv' };
}

export async function readFlag(kv: KVNamespace, ttlMs: number, now = Date.now()): Promise<FlagRead> {
  if (state.read && now - state.fetchedAt < ttlMs) return state.read;
  const r = await load(kv);
  state.read = r;
  state.fetchedAt = Date.now();
  return r;
}

/** Drops this isolate's cached copy so the next read goes to KV (used right after a write here). */
export function invalidateFlagCache(): void {
  state.read = undefined;
  state.fetchedAt = 0;
}

/** Test hook: forget everything, including the last good value. */
export function resetFlagStore(): void {
  state.read = undefined;
  state.lastGood = undefined;
  state.fetchedAt = 0;
}

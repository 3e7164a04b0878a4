/**
 * Sends outcome events to the controller off the hot path: events are
 * buffered per isolate (API calls aggregated per second, provider, client and
 * error), and flushed in one RPC a short moment later inside
 * `ctx.waitUntil`, so counting never blocks, slows or fails a request.
 *
 * Fail open, and say so: if the controller is unreachable the batch is
 * dropped and its size is carried in the next batch as `lost`, which the
 * controller counts (`events_lost_total`). A lost count never blocks a login.
 */
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import { controller } from '../rollback/controller-client.ts';
import type { OutcomeBatch, OutcomeEvent } from '../rollback/outcome-events.ts';

const FLUSH_DELAY_MS = 200;
const MAX_BUFFERED = 5_000;

interface Buffer {
  events: OutcomeEvent[];
  api: Map<string, Extract<OutcomeEvent, { k: 'api' }>>;
  lost: number;
  scheduled: boolean;
}
const buffer: Buffer = { events: [], api: new Map(), lost: 0, scheduled: false };

function size(): number {
  return buffer.events.length + buffer.api.size;
}

async function flush(env: Env): Promise<void> {
  buffer.scheduled = false;
  const batch: OutcomeBatch = { events: [...buffer.events, ...buffer.api.values()], lost: buffer.lost };
  buffer.events = [];
  buffer.api = new Map();
  buffer.lost = 0;
  if (batch.events.length === 0 && batch.lost === 0) return;
  try {
    await controller(env).ingest(batch);
  } catch (err) {
    buffer.lost += batch.events.reduce((n, e) => n + ('n' in e ? e.n : 1), 0) + batch.lost;
    log('warn', { event: 'outcome_flush_failed', reason: 'controller_unreachable', lost: buffer.lost, error: String(err) });
  }
}

/** Just what is needed of the request's execution context (Hono's and workerd's types differ). */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

function schedule(env: Env, ctx: WaitUntil): void {
  if (buffer.scheduled) return;
  buffer.scheduled = true;
  ctx.waitUntil(new Promise((r) => setTimeout(r, FLUSH_DELAY_MS)).then(() => flush(env)));
}

function analytics(env: Env, e: OutcomeEvent): void {
  try {
    const provider = 'provider' in e ? e.provider : 'all';
    const outcome = e.k === 'login_outcome' ? e.outcome : e.k === 'api' ? (e.error ? 'error' : 'ok') : e.k === 'provider_login' ? e.outcome : e.k;
    env.ANALYTICS?.writeDataPoint({ indexes: [provider], blobs: [e.k, provider, outcome, e.k === 'login_outcome' ? (e.reason ?? '') : ''], doubles: ['n' in e ? e.n : 1] });
  } catch {
    // Analytics is history, not control: never let it fail a request.
  }
}

export function recordOutcome(env: Env, ctx: WaitUntil, e: OutcomeEvent): void {
  analytics(env, e);
  if (size() >= MAX_BUFFERED) {
    buffer.lost += 'n' in e ? e.n : 1;
    return;
  }
  if (e.k === 'api') {
    const key = `${Math.floor(e.at / 1000)}|${e.provider}|${e.client}|${e.error ? 1 : 0}`;
    const hit = buffer.api.get(key);
    if (hit) hit.n += e.n;
    else buffer.api.set(key, { ...e });
  } else {
    buffer.events.push(e);
  }
  schedule(env, ctx);
}

/** Test hook: drop what is buffered. */
export function resetOutcomeBuffer(): void {
  buffer.events = [];
  buffer.api = new Map();
  buffer.lost = 0;
  buffer.scheduled = false;
}

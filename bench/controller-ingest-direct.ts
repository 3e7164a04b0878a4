// The controller's own ingest capacity, through the harness worker. For each
// batch size, two passes of synthetic events (each its own client, so every
// event is a row to upsert):
//  - capacity: ingest() calls back to back, nothing else running: events/s;
//  - responsiveness: the same calls with a 1 ms pause between them (so other
//    requests get into wrangler dev's shared workerd thread), while a prober
//    times getFlag() (what /login asks the controller, once per isolate per
//    second) against the idle figure.
// The counts are checked against the controller's own counter afterwards.
import type { Harness } from './controller-harness.ts';
import { sumMetric } from './controller-metrics.ts';

const FLAG_PROBE_INTERVAL_MS = 20;
/** Calls per batch size at most (a size-1 pass is one call per event). */
const MAX_CALLS = 4_000;
/** The responsiveness pass sends this share of the capacity pass's events. */
const PROBED_SHARE = 0.25;

export interface LatencyStats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export interface DirectIngestRow {
  batchSize: number;
  events: number;
  calls: number;
  wallMs: number;
  /** Capacity: events accepted per second of wall time, calls back to back. */
  eventsPerSecond: number;
  /** ms per ingest() call as the harness saw it (workerd's clock moves at I/O only: coarse). */
  call: LatencyStats;
  /** Growth of switchback_api_requests_total over both passes: equals `events + probedEvents` when nothing was dropped. */
  counted: number;
  probedEvents: number;
  /** getFlag() during the paced pass, ms inside workerd (the RPC alone, waiting behind an ingest call included). */
  flagDuringLoad: LatencyStats;
  /** The same probes as seen from outside (HTTP into the shared workerd thread included). */
  flagRoundTrip: LatencyStats;
}

export interface DirectIngestResult {
  flagIdle: LatencyStats;
  flagIdleRoundTrip: LatencyStats;
  rows: DirectIngestRow[];
}

export function stats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : NaN);
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function counted(h: Harness): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  return sumMetric(text, 'switchback_api_requests_total', { provider: 'olympus', result: 'ok' });
}

async function flagProbe(h: Harness, until: () => boolean): Promise<{ inside: number[]; roundTrip: number[] }> {
  const inside: number[] = [];
  const roundTrip: number[] = [];
  while (!until()) {
    const t0 = performance.now();
    inside.push((await json<{ ms: number }>(`${h.url}/flag`)).ms);
    roundTrip.push(Math.round((performance.now() - t0) * 10) / 10);
    await new Promise((r) => setTimeout(r, FLAG_PROBE_INTERVAL_MS));
  }
  return { inside, roundTrip };
}

interface Pass {
  accepted: number;
  wallMs: number;
  callMs: number[];
}

/** `calls` ingest calls of `size` events, split over `concurrency` callers. */
async function pass(h: Harness, size: number, calls: number, concurrency: number, first: { next: number }, clients: number, paced: boolean): Promise<Pass> {
  const perCaller = Array.from({ length: concurrency }, (_, i) => Math.floor(calls / concurrency) + (i < calls % concurrency ? 1 : 0)).filter((n) => n > 0);
  const t0 = performance.now();
  const results = await Promise.all(
    perCaller.map((n) => {
      const start = first.next;
      first.next += n * size;
      return json<{ accepted: number; callMs: number[] }>(`${h.url}/ingest?size=${size}&calls=${n}&first=${start}&clients=${clients}&yield=${paced ? 1 : 0}`, { method: 'POST' });
    }),
  );
  return { accepted: results.reduce((s, r) => s + r.accepted, 0), wallMs: performance.now() - t0, callMs: results.flatMap((r) => r.callMs) };
}

export async function measureDirectIngest(h: Harness, options: { batchSizes: number[]; events: number; concurrency: number; clients: number }, log: (line: string) => void): Promise<DirectIngestResult> {
  await json(`${h.url}/enable`, { method: 'POST' }); // a migration in progress: the alarm evaluates every second
  let idleDone = false;
  const idleTimer = setTimeout(() => (idleDone = true), 2_000);
  const idle = await flagProbe(h, () => idleDone);
  clearTimeout(idleTimer);

  const rows: DirectIngestRow[] = [];
  const first = { next: 0 };
  for (const size of options.batchSizes) {
    const calls = Math.ceil(Math.min(options.events, size * MAX_CALLS) / size);
    const before = await counted(h);
    const capacity = await pass(h, size, calls, options.concurrency, first, options.clients, false);

    let done = false;
    const probe = flagProbe(h, () => done);
    const paced = await pass(h, size, Math.max(1, Math.round(calls * PROBED_SHARE)), options.concurrency, first, options.clients, true);
    done = true;
    const probed = await probe;

    const row: DirectIngestRow = {
      batchSize: size,
      events: capacity.accepted,
      calls,
      wallMs: capacity.wallMs,
      eventsPerSecond: capacity.accepted / (capacity.wallMs / 1000),
      call: stats(capacity.callMs),
      counted: (await counted(h)) - before,
      probedEvents: paced.accepted,
      flagDuringLoad: stats(probed.inside),
      flagRoundTrip: stats(probed.roundTrip),
    };
    rows.push(row);
    log(
      `  batch ${String(size).padStart(5)}: ${String(row.events).padStart(6)} events in ${(row.wallMs / 1000).toFixed(2)} s = ${row.eventsPerSecond.toFixed(0).padStart(6)} events/s ` +
        `(call p50 ${row.call.p50} ms, p99 ${row.call.p99} ms); paced, getFlag p50 ${row.flagDuringLoad.p50} ms p99 ${row.flagDuringLoad.p99} ms, ` +
        `round trip p50 ${row.flagRoundTrip.p50} ms p99 ${row.flagRoundTrip.p99} ms (${row.flagDuringLoad.n} probes); counted ${row.counted}/${row.events + row.probedEvents}`,
    );
  }
  return { flagIdle: stats(idle.inside), flagIdleRoundTrip: stats(idle.roundTrip), rows };
}

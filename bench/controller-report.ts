// Plain-text report of `npm run bench:controller`: the rollback timings with
// median/max against the 5 s target, the counting table (counting on vs
// off, absorbed events/s, lost), the direct ingest table against the
// 2,000 events/s target, and the sharding plan for counters past one object.
import type { CountingSegment } from './controller-counting.ts';
import type { DirectIngestResult } from './controller-ingest-direct.ts';
import type { RollbackTiming } from './controller-rollback-timing.ts';

export const ROLLBACK_TARGET_MS = 5_000;
export const INGEST_TARGET_PER_SECOND = 2_000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface RollbackSummary {
  medianMs: number;
  maxMs: number;
  medianDetectionMs: number;
  medianPropagationMs: number;
  pass: boolean;
}

export function summarizeRollbacks(runs: RollbackTiming[]): RollbackSummary {
  const total = runs.map((r) => r.totalMs);
  return {
    medianMs: median(total),
    maxMs: Math.max(...total),
    medianDetectionMs: median(runs.map((r) => r.detectionMs)),
    medianPropagationMs: median(runs.map((r) => r.propagationMs)),
    pass: Math.max(...total) <= ROLLBACK_TARGET_MS,
  };
}

export function printRollbacks(runs: RollbackTiming[], s: RollbackSummary): void {
  console.log('\nfirst failing callback -> first /login sent to Auth0 (detection = to the flip in the audit; propagation = flip to /login)\n');
  console.log(
    table(
      ['run', 'total ms', 'detection ms', 'propagation ms', 'failed logins', 'clients', 'measured rate', 'samples', 'distinct clients'],
      runs.map((r) => [
        String(r.run),
        f(r.totalMs),
        f(r.detectionMs),
        f(r.propagationMs),
        String(r.failedLogins),
        String(r.clients),
        r.measured.value === null ? '-' : `${(r.measured.value * 100).toFixed(1)}%`,
        String(r.measured.samples ?? '-'),
        String(r.measured.clients ?? '-'),
      ]),
    ),
  );
  console.log(
    `\ntime to roll back: median ${f(s.medianMs)} ms, max ${f(s.maxMs)} ms over ${runs.length} runs ` +
      `(detection median ${f(s.medianDetectionMs)} ms, propagation median ${f(s.medianPropagationMs)} ms); ` +
      `target <= ${ROLLBACK_TARGET_MS} ms: ${s.pass ? 'PASS' : 'MISS'}`,
  );
}

export interface CountingRow {
  kind: string;
  concurrency: number;
  onRps: number;
  onP50: number;
  onP99: number;
  offRps: number;
  offP50: number;
  offP99: number;
  onCpuUs: number;
  offCpuUs: number;
  absorbedPerSecond: number;
  absorbed: number;
  requestsOk: number;
  lost: number;
  errors: number;
  maxOtherCores: number;
}

export function summarizeCounting(segments: CountingSegment[]): CountingRow[] {
  const keys = [...new Set(segments.map((s) => `${s.kind}|${s.concurrency}`))];
  return keys.map((key) => {
    const [kind, c] = key.split('|');
    const of = (counting: boolean) => segments.filter((s) => s.kind === kind && s.concurrency === Number(c) && s.counting === counting);
    const on = of(true);
    const off = of(false);
    const med = (xs: CountingSegment[], pick: (s: CountingSegment) => number) => median(xs.map(pick));
    return {
      kind: kind!,
      concurrency: Number(c),
      onRps: med(on, (s) => s.load.rps),
      onP50: med(on, (s) => s.load.p50),
      onP99: med(on, (s) => s.load.p99),
      offRps: med(off, (s) => s.load.rps),
      offP50: med(off, (s) => s.load.p50),
      offP99: med(off, (s) => s.load.p99),
      onCpuUs: med(on, (s) => s.gatewayCpuUsPerRequest),
      offCpuUs: med(off, (s) => s.gatewayCpuUsPerRequest),
      absorbedPerSecond: med(on, (s) => s.absorbedPerSecond),
      absorbed: on.reduce((n, s) => n + s.absorbed, 0),
      requestsOk: on.reduce((n, s) => n + s.load.ok, 0),
      lost: on.reduce((n, s) => n + s.lost, 0),
      errors: [...on, ...off].reduce((n, s) => n + s.load.errors, 0),
      maxOtherCores: Math.max(...[...on, ...off].map((s) => s.otherCores)),
    };
  });
}

export function printCounting(rows: CountingRow[], flushIntervalMs: number): void {
  console.log('\ncounting through the gateway (median over rounds; "off" = the same worker copy with recordOutcome a no-op;');
  console.log('CPU us/req = CPU of wrangler + workerd per request: steadier than latency when other work shares the machine)\n');
  console.log(
    table(
      ['kind', 'conc', 'on req/s', 'off req/s', 'on p50', 'off p50', 'on p99', 'off p99', 'on CPU us/req', 'off CPU us/req', 'absorbed ev/s', '~ev/flush', 'counted/ok', 'lost', 'errors', 'other cores'],
      rows.map((r) => [
        r.kind,
        String(r.concurrency),
        f(r.onRps),
        Number.isFinite(r.offRps) ? f(r.offRps) : '-',
        f(r.onP50, 2),
        f(r.offP50, 2),
        f(r.onP99, 2),
        f(r.offP99, 2),
        f(r.onCpuUs),
        f(r.offCpuUs),
        f(r.absorbedPerSecond),
        f((r.absorbedPerSecond * flushIntervalMs) / 1000),
        `${r.absorbed}/${r.requestsOk}`,
        String(r.lost),
        String(r.errors),
        f(r.maxOtherCores, 2),
      ]),
    ),
  );
  console.log(
    `(~ev/flush: absorbed events/s x the ${flushIntervalMs} ms flush delay, one isolate under wrangler dev: an estimate, the worker does not count its flushes)`,
  );
}

export function printDirect(r: DirectIngestResult): { best: number; pass: boolean } {
  console.log('\none controller object fed directly (harness worker -> MigrationController.ingest(), each event its own client);');
  console.log('events/s with calls back to back; getFlag measured in a second, paced pass (1 ms between calls) so the prober gets in\n');
  console.log(
    table(
      ['batch', 'events', 'calls', 'events/s', 'call p50 ms', 'call p99 ms', 'getFlag p50/p99 ms', 'round trip p50/p99 ms', 'probes', 'counted'],
      r.rows.map((x) => [
        String(x.batchSize),
        String(x.events),
        String(x.calls),
        f(x.eventsPerSecond),
        f(x.call.p50),
        f(x.call.p99),
        `${f(x.flagDuringLoad.p50)}/${f(x.flagDuringLoad.p99)}`,
        `${f(x.flagRoundTrip.p50, 1)}/${f(x.flagRoundTrip.p99, 1)}`,
        String(x.flagDuringLoad.n),
        `${x.counted}/${x.events + x.probedEvents}`,
      ]),
    ),
  );
  const best = Math.max(...r.rows.map((x) => x.eventsPerSecond));
  const pass = best >= INGEST_TARGET_PER_SECOND;
  console.log(
    `getFlag with the controller idle: p50 ${f(r.flagIdle.p50)} ms, p99 ${f(r.flagIdle.p99)} ms; round trip p50 ${f(r.flagIdleRoundTrip.p50, 1)} ms, p99 ${f(r.flagIdleRoundTrip.p99, 1)} ms (${r.flagIdle.n} probes)`,
  );
  console.log('(getFlag is what /login asks the controller, at most once a second per isolate; in wrangler dev the harness worker and the object share one workerd thread, so the round trip also waits for ingest work)');
  console.log(`best: ${f(best)} events/s; target >= ${INGEST_TARGET_PER_SECOND}/s with batching: ${pass ? 'PASS' : 'MISS'}`);
  return { best, pass };
}

export const SHARDING_PLAN = `Sharding plan for counters past one object: keep one decision object
(MigrationController: flag, rules, streaks, the single flip, audit,
notifications) and move the counting in front of it. Shard by client hash
into N counter objects (counter-<hash(client) mod N>); each isolate's
outcome recorder splits its batch by the shard of each event's client, so
one client's events always land in one shard. Each shard pre-aggregates
per 10 s bucket (provider, signal, outcome, client -> n, as the samples
table does now) and, every evaluate_every, forwards a window summary per
rule to the decision object: capped good and bad sums and the distinct
client count over the rule's window. Because a client lives in exactly one
shard, the per-client caps are applied exactly and sums and client counts
simply add up across shards. The decision object adds the N summaries and
runs the same evaluateRule(), streaks and flip as today: the decision
logic is unchanged, only its input changes from raw rows to N summaries, so
its load is N summaries per evaluation whatever the traffic. Pending logins
(abandonment) move to the shard of their client too. N is picked so each
shard stays well under the single-object figure measured above.`;

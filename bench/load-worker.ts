// The load generator, run in its own thread so that sending requests and
// timing them does not share an event loop with the in-process origin and
// IdPs (which would delay the very responses being timed). Keep-alive
// node:http client, fixed concurrency, fixed duration or request count,
// optionally paced to a fixed rate.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ErrorSample, LoadResult, LoadSpec } from './load-types.ts';

const SAMPLE_BYTES = 300;

interface Outcome {
  status: number;
  ms: number;
  error?: string;
  body?: string;
}

/** 10.0.0.0 + n as a dotted IPv4 address. */
function tenNet(n: number): string {
  const v = (10 << 24) + (n % 2 ** 24);
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

function headersFor(spec: LoadSpec, i: number): Record<string, string> {
  if (!spec.clientIps) return spec.headers;
  const { header, count, offset = 0 } = spec.clientIps;
  return { ...spec.headers, [header]: tenNet(offset + (i % count)) };
}

/** The body of request i, and its signature header when each request is a distinct signed ticket. */
function bodyFor(spec: LoadSpec, i: number): { body: string | undefined; headers: Record<string, string> } {
  if (!spec.uniqueTickets) return { body: spec.body, headers: {} };
  const body = JSON.stringify({ ticket: `${spec.uniqueTickets.prefix}-${i}`, subject: 'cannot sign in' });
  return { body, headers: { 'x-signature': createHmac('sha256', spec.uniqueTickets.secret).update(body).digest('hex') } };
}

function once(agent: Agent, spec: LoadSpec, i: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const okStatus = spec.okStatus ?? 200;
    const { body, headers } = bodyFor(spec, i);
    const req = request(spec.url, { agent, method: spec.method ?? 'GET', headers: { ...headersFor(spec, i), ...headers }, timeout: spec.timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      if (status === okStatus) res.resume();
      else res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = status === okStatus ? undefined : Buffer.concat(chunks).toString('utf8').slice(0, SAMPLE_BYTES);
        resolve({ status, ms: performance.now() - t0, body });
      });
      res.on('error', (err) => resolve({ status: 0, ms: performance.now() - t0, error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${spec.timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: performance.now() - t0, error: err.code ? `${err.code} ${err.message}` : err.message }));
    req.end(body);
  });
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export async function runLoad(input: LoadSpec): Promise<LoadResult> {
  // Ticket ids unique across runs too (warm-up and measured phase share the spec).
  const run = Math.random().toString(36).slice(2, 10);
  const spec: LoadSpec = input.uniqueTickets ? { ...input, uniqueTickets: { ...input.uniqueTickets, prefix: `${input.uniqueTickets.prefix}-${run}` } } : input;
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });
  // The client's own event-loop delay: a stall here shows up as latency of every request in flight.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const latencies: number[] = [];
  const errors = new Map<string, ErrorSample>();
  let sent = 0;
  let ok = 0;
  const t0 = performance.now();
  const deadline = spec.durationMs !== undefined ? t0 + spec.durationMs : Infinity;
  const limit = spec.requests ?? Infinity;

  const user = async () => {
    while (performance.now() < deadline && sent < limit) {
      const i = sent++;
      if (spec.ratePerSecond) {
        const wait = t0 + (i * 1000) / spec.ratePerSecond - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (performance.now() >= deadline) break;
      }
      const o = await once(agent, spec, i);
      latencies.push(o.ms);
      if (o.status === (spec.okStatus ?? 200)) {
        ok++;
        continue;
      }
      const key = o.status ? `HTTP ${o.status}` : (o.error ?? 'error').split(' ')[0]!;
      const e = errors.get(key) ?? { key, count: 0, sample: o.body ?? o.error ?? '' };
      e.count++;
      errors.set(key, e);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, user));
  const elapsedMs = performance.now() - t0;
  agent.destroy();
  loop.disable();

  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    requests: latencies.length,
    ok,
    errors: latencies.length - ok,
    errorSamples: [...errors.values()],
    elapsedMs,
    rps: latencies.length / (elapsedMs / 1000),
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    mean: latencies.length ? sum / latencies.length : NaN,
    p999: percentile(sorted, 0.999),
    clientLoopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
  };
}

parentPort?.on('message', (msg: { id: number; spec: LoadSpec }) => {
  runLoad(msg.spec).then(
    (result) => parentPort!.postMessage({ id: msg.id, result }),
    (err: unknown) => parentPort!.postMessage({ id: msg.id, error: String((err as Error)?.stack ?? err) }),
  );
});

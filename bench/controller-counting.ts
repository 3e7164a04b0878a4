// Counting under load, through the real gateways: proxied requests (a public
// path and a signed-in one), each from one of thousands of client IPs so
// the per-isolate buffer cannot fold them together, at rising concurrency,
// on the "counting on" and "counting off" gateways in turn (interleaved, odd
// rounds reversed). For "on", the controller's own counter says how many
// events it absorbed per second and how many were lost; latency is compared
// with "off", and so is the gateway's CPU per request (steadier than
// latency when other work shares the machine). Signed support tickets (one event per request, never
// aggregated) measure the hook path the same way.
import type { Stack } from '../dev/stack.ts';
import { TinyBrowser } from '../dev/tiny-browser.ts';
import type { BenchGateway } from './controller-stack.ts';
import { counters, settledCounters, type CounterSnapshot } from './controller-metrics.ts';
import { LoadClient } from './load-client.ts';
import type { LoadResult, LoadSpec } from './load-types.ts';
import { cpuDelta, cpuSnapshot } from './process-cpu.ts';

const REQUEST_TIMEOUT_MS = 10_000;
const WARMUP_REQUESTS = 100;
const CLIENT_IP_HEADER = 'cf-connecting-ip';

export type CountingKindName = 'public' | 'signed-in' | 'ticket-hook';

export interface CountingKind {
  name: CountingKindName;
  description: string;
  spec(gw: BenchGateway): Omit<LoadSpec, 'concurrency' | 'durationMs' | 'requests' | 'timeoutMs'>;
  counter: 'apiRequests' | 'tickets';
}

export interface CountingSegment {
  kind: CountingKindName;
  concurrency: number;
  counting: boolean;
  round: number;
  load: LoadResult;
  /** Growth of the controller's counter for this kind during the segment (flushes included). */
  absorbed: number;
  absorbedPerSecond: number;
  lost: number;
  /** CPU of the gateway processes (wrangler + workerd of both stacks; the idle one adds ~0) per request, microseconds. */
  gatewayCpuUsPerRequest: number;
  /** Cores other processes kept busy meanwhile (noise on a 2-core machine). */
  otherCores: number;
}

async function signIn(stack: Stack): Promise<string> {
  const browser = new TinyBrowser('switchback-controller-bench/1');
  const login = await browser.navigate(`${stack.gatewayUrl}/login`, { headers: { [CLIENT_IP_HEADER]: '192.168.77.1' } });
  const home = await browser.submitForm(login, { email: 'alice@example.com', password: 'alice-pass' });
  if (home.url !== `${stack.gatewayUrl}/`) throw new Error(`sign-in ended at ${home.url} (HTTP ${home.status})`);
  const cookie = browser.cookiesFor(`${stack.gatewayUrl}/`)['__Host-sb_session'];
  if (!cookie) throw new Error('no sb_session after sign-in');
  return cookie;
}

/** The kinds, with a session per gateway (signed in through whichever provider the flag names). */
export async function countingKinds(gateways: BenchGateway[], clients: number): Promise<CountingKind[]> {
  const sessions = new Map<BenchGateway, string>();
  for (const gw of gateways) sessions.set(gw, await signIn(gw.stack));
  const ips = { header: CLIENT_IP_HEADER, count: clients };
  return [
    {
      name: 'public',
      description: `GET /api/health (public path), ${clients} client IPs in turn`,
      spec: () => ({ url: '/api/health', headers: { accept: 'application/json' }, clientIps: ips }),
      counter: 'apiRequests',
    },
    {
      name: 'signed-in',
      description: `GET /api/echo-headers with an sb_session, ${clients} client IPs in turn`,
      spec: (gw) => ({ url: '/api/echo-headers', headers: { accept: 'application/json', cookie: `__Host-sb_session=${sessions.get(gw)}` }, clientIps: ips }),
      counter: 'apiRequests',
    },
    {
      name: 'ticket-hook',
      description: 'POST /_switchback/hooks/support-ticket, a distinct HMAC-signed ticket each, 202 (one ticket event each)',
      spec: (gw) => ({
        url: '/_switchback/hooks/support-ticket',
        method: 'POST',
        // Distinct tickets: a replayed delivery is counted once (issue 7), so one body would count 1.
        uniqueTickets: { secret: gw.supportHookSecret, prefix: `BENCH-${Date.now()}-${Math.random().toString(36).slice(2, 8)}` },
        okStatus: 202,
        headers: { 'content-type': 'application/json' },
      }),
      counter: 'tickets',
    },
  ];
}

export async function countingSegment(client: LoadClient, gw: BenchGateway, kind: CountingKind, concurrency: number, seconds: number, round: number): Promise<CountingSegment> {
  const s = kind.spec(gw);
  const spec: LoadSpec = { ...s, url: `${gw.stack.gatewayUrl}${s.url}`, concurrency, timeoutMs: REQUEST_TIMEOUT_MS };
  await client.run({ ...spec, requests: WARMUP_REQUESTS });
  // Let the warm-up's events land before the "before" reading.
  const idle: CounterSnapshot = await settledCounters(gw.stack, await counters(gw.stack), kind.counter, Infinity, 5_000);
  const cpuBefore = cpuSnapshot();
  const load = await client.run({ ...spec, durationMs: seconds * 1000 });
  const cpu = cpuDelta(cpuBefore, cpuSnapshot());
  const after = await settledCounters(gw.stack, idle, kind.counter, load.ok, 10_000);
  const absorbed = after[kind.counter] - idle[kind.counter];
  return {
    kind: kind.name,
    concurrency,
    counting: gw.counting,
    round,
    load,
    absorbed,
    absorbedPerSecond: absorbed / (load.elapsedMs / 1000),
    lost: after.lost - idle.lost,
    gatewayCpuUsPerRequest: load.requests ? (cpu.gatewayMs * 1000) / load.requests : NaN,
    otherCores: cpu.otherCores,
  };
}

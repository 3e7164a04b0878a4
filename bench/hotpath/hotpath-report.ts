// Medians and the printed report of `npm run bench:hotpath`: each figure
// beside its target (issue 14), with MET / MISSED in words.
import type { BundleSize } from './bundle-size.ts';
import { BUNDLE_TARGET_GZIP_KB, CONTROLLER_ONLY_MODULES, controllerModulesIn } from './bundle-size.ts';
import type { StageReport } from './stage-timing.ts';
import type { UpstreamCounts } from '../upstream-stats.ts';

export const TARGETS = { throughputRatio: 0.95, p99AddedMs: 1, cpuPerVerifyRatio: 2, cpuAbsoluteMs: 0.3 } as const;

/**
 * `twin` is the A/A control: the bare proxy again under another name, measured
 * against the bare proxy exactly as the gateway is (kind CONTROL_KIND). Two
 * identical workers differ only by the harness' own noise, so the control's
 * spread over rounds is what a run can resolve.
 */
export type SampleTarget = 'gateway' | 'bare' | 'twin' | 'floor';
export const CONTROL_KIND = 'control';
/** The identity floor (bare-proxy.ts) against the bare proxy, the control kind's request, every round. */
export const FLOOR_KIND = 'identity-floor';

export interface Sample {
  kind: string;
  target: SampleTarget;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  /** The load generator's own event-loop delay, max, ms: when it is near p99, the client stalled, not the target. */
  clientLoopMaxMs: number;
  requests: number;
  errors: number;
  /** CPU of the gateway's workerd process (all threads) per completed request, µs. */
  cpuUsPerRequest: number;
  /** CPU of the controller's workerd process per completed request, µs (split layout only; not the gateway's cost). */
  controllerCpuUsPerRequest?: number;
  upstream: UpstreamCounts;
}

export interface Row {
  kind: string;
  /** Per round, measured side over bare in the same round: throughput ratio, p99 difference (ms), CPU difference (µs). */
  perRound: { ratio: number; p99AddedMs: number; addedCpuUs: number }[];
  gatewayRps: number;
  bareRps: number;
  /** Median over rounds of gateway/bare in the same round. */
  ratio: number;
  p50AddedMs: number;
  p99AddedMs: number;
  gatewayCpuUs: number;
  bareCpuUs: number;
  /** Median over rounds of gateway − bare CPU per request: what the gateway adds. */
  addedCpuUs: number;
  /** Median controller process CPU per gateway request (split layout), µs; NaN when the controller shares the gateway's process. */
  controllerCpuUs: number;
  requests: number;
  errors: number;
  /** Discovery + JWKS + introspection fetches at the stand-ins per gateway request, measured phases only. */
  upstreamPerRequest: number;
  /** Seconds of measured gateway segments (for the caches' own refreshes). */
  gatewaySeconds: number;
  segments: number;
  upstream: UpstreamCounts;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarize(kinds: string[], samples: Sample[]): Row[] {
  return kinds.map((kind) => {
    const gw = samples.filter((s) => s.kind === kind && s.target !== 'bare');
    const bare = samples.filter((s) => s.kind === kind && s.target === 'bare');
    const paired = gw.map((g) => ({ g, b: bare.find((b) => b.round === g.round)! })).filter((p) => p.b);
    const upstream = { discovery: 0, jwks: 0, introspection: 0, token: 0 };
    for (const g of gw) for (const f of Object.keys(upstream) as (keyof UpstreamCounts)[]) upstream[f] += g.upstream[f];
    const requests = gw.reduce((n, g) => n + g.requests, 0);
    return {
      kind,
      perRound: paired.map((p) => ({ ratio: p.g.rps / p.b.rps, p99AddedMs: p.g.p99 - p.b.p99, addedCpuUs: p.g.cpuUsPerRequest - p.b.cpuUsPerRequest })),
      gatewayRps: median(gw.map((g) => g.rps)),
      bareRps: median(bare.map((b) => b.rps)),
      ratio: median(paired.map((p) => p.g.rps / p.b.rps)),
      p50AddedMs: median(paired.map((p) => p.g.p50 - p.b.p50)),
      p99AddedMs: median(paired.map((p) => p.g.p99 - p.b.p99)),
      gatewayCpuUs: median(gw.map((g) => g.cpuUsPerRequest)),
      bareCpuUs: median(bare.map((b) => b.cpuUsPerRequest)),
      addedCpuUs: median(paired.map((p) => p.g.cpuUsPerRequest - p.b.cpuUsPerRequest)),
      controllerCpuUs: median(gw.flatMap((g) => (g.controllerCpuUsPerRequest === undefined ? [] : [g.controllerCpuUsPerRequest]))),
      requests,
      errors: gw.reduce((n, g) => n + g.errors, 0) + bare.reduce((n, b) => n + b.errors, 0),
      upstreamPerRequest: (upstream.discovery + upstream.jwks + upstream.introspection) / Math.max(1, requests),
      gatewaySeconds: gw.reduce((t, g) => t + g.requests / Math.max(1e-9, g.rps), 0),
      segments: gw.length,
      upstream,
    };
  });
}

const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');

/** What the A/A control says this run can resolve: the largest distance from "no difference" over its rounds. */
export interface Resolution {
  ratio: number;
  p99Ms: number;
  cpuUs: number;
}

export function resolutionOf(control: Row | undefined): Resolution | undefined {
  if (!control || control.perRound.length === 0) return undefined;
  const worst = (xs: number[]) => Math.max(...xs.map(Math.abs));
  return {
    ratio: worst(control.perRound.map((r) => r.ratio - 1)),
    p99Ms: worst(control.perRound.map((r) => r.p99AddedMs)),
    cpuUs: worst(control.perRound.map((r) => r.addedCpuUs)),
  };
}

/** MET / MISSED, and "within the control's spread" when the control differed from itself by more than the margin. */
function judged(ok: boolean, margin: number, spread: number | undefined): string {
  return spread !== undefined && Math.abs(margin) <= spread ? `${verdict(ok)} (within the A/A control's spread ±${f(spread, 3)}: not resolved)` : verdict(ok);
}
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

export function printBundle(b: BundleSize, target: boolean): void {
  const total = b.modules.reduce((n, m) => n + m.gzipBytes, 0);
  console.log(`\nbundle, ${b.label}: ${b.wranglerLine}`);
  for (const m of b.modules) console.log(`  ${String(m.rawBytes).padStart(8)} B raw  ${String(m.gzipBytes).padStart(7)} B gzip  ${m.file}`);
  const kb = Number.isFinite(b.gzipKiB) ? b.gzipKiB : total / 1024;
  if (target) console.log(`  target ≤ ${BUNDLE_TARGET_GZIP_KB} KB gzip: ${f(kb, 1)} KiB  ${verdict(kb <= BUNDLE_TARGET_GZIP_KB)}`);
}

/** The three builds: the production pair (the target is the gateway's) and the combined one. */
export function printBundles(sizes: { combined: BundleSize; proxy: BundleSize; controller: BundleSize }): void {
  printBundle(sizes.proxy, true);
  const leaked = controllerModulesIn(sizes.proxy);
  const seen = controllerModulesIn(sizes.combined).length;
  console.log(`  controller/workflow modules in the gateway Worker: ${leaked.length === 0 ? `none (of ${CONTROLLER_ONLY_MODULES.length}; the combined build has ${seen})` : leaked.join(', ')}  ${verdict(leaked.length === 0 && seen > 0)}`);
  printBundle(sizes.controller, false);
  printBundle(sizes.combined, false);
}

/**
 * Zero fetches per request, allowing only the introspection cache's own
 * expiry: once per `cacheSeconds` per token and isolate, which every request
 * in flight at that moment may meet (the cache never shares a pending call,
 * src/core/isolate-cache.ts), so up to `concurrency` calls per expiry. Key
 * sets and discovery are kept 10 minutes: none is allowed.
 */
export function upstreamVerdict(r: Pick<Row, 'kind' | 'upstream' | 'gatewaySeconds' | 'segments'>, cacheSeconds: number, concurrency: number): { ok: boolean; note: string } {
  const { discovery, jwks, introspection } = r.upstream;
  if (discovery + jwks + introspection === 0) return { ok: true, note: '' };
  // Only the opaque token is introspected, and only a cache that keeps answers has expiries to allow for.
  const expiries = r.kind === 'opaque-token' && cacheSeconds > 0 ? Math.ceil(r.gatewaySeconds / cacheSeconds) + r.segments : 0;
  const allowed = expiries * concurrency;
  const ok = discovery === 0 && jwks === 0 && introspection <= allowed;
  return { ok, note: ok ? ` (${introspection} introspection calls in ${r.gatewaySeconds.toFixed(0)} s: the cache's own expiry every ${cacheSeconds} s, at most ${allowed} here; none per request)` : ` (${discovery} discovery, ${jwks} JWKS, ${introspection} introspection in ${r.gatewaySeconds.toFixed(0)} s: more than the caches' own refreshes)` };
}

/**
 * `controlAs`: the kind whose request the A/A control sends; `rate`: the paced
 * rate every target was offered (0: closed loop); `cache`: the introspection
 * cache's lifetime (INTROSPECTION_CACHE_SECONDS) and the connections.
 */
export function printSummary(rows: Row[], controlAs?: string, rate = 0, cache = { seconds: 30, concurrency: 16 }): void {
  const res = resolutionOf(rows.find((r) => r.kind === CONTROL_KIND));
  console.log('\n| kind | gateway req/s | bare req/s | ratio | p50 added ms | p99 added ms | gateway workerd CPU µs/req gateway / bare | added µs | controller workerd µs/req | errors | upstream fetches/req |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.kind === CONTROL_KIND ? 'A/A control (bare twin in the gateway columns)' : r.kind === FLOOR_KIND ? 'identity floor (in the gateway columns: headers only, no routing or verification)' : r.kind} | ${f(r.gatewayRps, 0)} | ${f(r.bareRps, 0)} | ${f(r.ratio, 3)} | ${f(r.p50AddedMs)} | ${f(r.p99AddedMs)} | ${f(r.gatewayCpuUs, 0)} / ${f(r.bareCpuUs, 0)} | ${f(r.addedCpuUs, 0)} | ${Number.isFinite(r.controllerCpuUs) ? f(r.controllerCpuUs, 0) : 'same process'} | ${r.errors} | ${f(r.upstreamPerRequest, 4)} (${r.upstream.discovery} discovery, ${r.upstream.jwks} JWKS, ${r.upstream.introspection} introspection) |`,
    );
  }
  console.log('\ntargets (verified kinds):');
  for (const r of rows.filter((r) => r.kind !== 'passthrough' && r.kind !== CONTROL_KIND && r.kind !== FLOOR_KIND)) {
    console.log(
      (rate > 0
        ? `  ${r.kind.padEnd(14)} throughput: paced, both offered ${rate} req/s, the gateway served ${f(r.gatewayRps, 0)} (${r.gatewayRps >= 0.97 * rate ? 'kept up' : 'FELL BEHIND'}; the ratio target needs the closed loop); `
        : `  ${r.kind.padEnd(14)} throughput ${f(r.ratio, 3)} of bare (≥ ${TARGETS.throughputRatio}) ${judged(r.ratio >= TARGETS.throughputRatio, r.ratio - TARGETS.throughputRatio, res?.ratio)}; `) +
        `p99 added ${f(r.p99AddedMs)} ms (≤ ${TARGETS.p99AddedMs}) ${judged(r.p99AddedMs <= TARGETS.p99AddedMs, r.p99AddedMs - TARGETS.p99AddedMs, res?.p99Ms)}; ` +
        `upstream fetches/req ${f(r.upstreamPerRequest, 4)} (0) ${(({ ok, note }) => `${verdict(ok)}${note}`)(upstreamVerdict(r, cache.seconds, cache.concurrency))}`,
    );
  }
  if (res) {
    const c = rows.find((r) => r.kind === CONTROL_KIND)!;
    console.log(
      `\nA/A control (the bare proxy against an identical copy of itself, the ${controlAs ?? 'first'} kind's request, every round): ` +
        `ratio ${c.perRound.map((x) => f(x.ratio, 3)).join(' / ')}, p99 difference ${c.perRound.map((x) => f(x.p99AddedMs, 1)).join(' / ')} ms, CPU difference ${c.perRound.map((x) => f(x.addedCpuUs, 0)).join(' / ')} µs per request.\n` +
        `  What this run resolves: a throughput ratio within ±${f(res.ratio, 3)} of another, a p99 within ±${f(res.p99Ms, 1)} ms, process CPU within ±${f(res.cpuUs, 0)} µs per request are the harness' own noise.`,
    );
  }
  const floor = rows.find((r) => r.kind === FLOOR_KIND);
  if (floor && floor.perRound.length) {
    console.log(
      `\nidentity floor (copy the headers, set the identity headers and an assertion-sized one, no-store, private answer; no routing, no verification, no telemetry), against the bare proxy: ` +
        `ratio ${floor.perRound.map((x) => f(x.ratio, 3)).join(' / ')} (median ${f(floor.ratio, 3)}), CPU added ${floor.perRound.map((x) => f(x.addedCpuUs, 0)).join(' / ')} µs per request (median ${f(floor.addedCpuUs, 0)}).\n` +
        `  The least any gateway that hands the app an identity costs in this runtime: a throughput target above the floor's ratio cannot be met by verification, only by less header work.`,
    );
  }
}

export function printStages(s: StageReport, rows: Row[]): void {
  console.log(`  floor: one RS256 verify ${f(s.floor.rs256Us, 1)} µs, one ES256 verify ${f(s.floor.es256Us, 1)} µs (jose, same runtime)`);
  for (const k of s.kinds) {
    console.log(`  ${k.kind}: whole request in the isolate ${f(k.appUs, 1)} µs (bare proxy ${f(k.bareUs, 1)} µs, added ${f(k.appUs - k.bareUs, 1)} µs); the proxy route's stages sum to ${f(k.totalUs, 1)} µs`);
    for (const st of k.stages) console.log(`    ${st.stage.padEnd(22)} ${f(st.us, 1).padStart(8)} µs`);
  }
  console.log('\ntargets (gateway CPU per verified request over the bare proxy, against one signature verify of each algorithm in the same run):');
  const rs = s.floor.rs256Us;
  const es = s.floor.es256Us;
  for (const k of s.kinds) {
    if (k.kind === 'passthrough') continue;
    const row = rows.find((r) => r.kind === k.kind);
    const judge = (label: string, us: number) =>
      `${label} ${f(us, 1)} µs: ≤ 2 × RS256 (${f(TARGETS.cpuPerVerifyRatio * rs, 0)} µs) ${verdict(us <= TARGETS.cpuPerVerifyRatio * rs)}, ` +
      `≤ 2 × ES256 (${f(TARGETS.cpuPerVerifyRatio * es, 0)} µs) ${verdict(us <= TARGETS.cpuPerVerifyRatio * es)}, ≤ ${TARGETS.cpuAbsoluteMs * 1000} µs ${verdict(us <= TARGETS.cpuAbsoluteMs * 1000)}`;
    console.log(`  ${k.kind.padEnd(14)} ${judge('in the isolate', k.appUs - k.bareUs)}`);
    const x = k.addedPerRs256;
    console.log(
      `  ${''.padEnd(14)} paired within each repetition: added = ${f(x.median, 2)} × one RS256 verify (repetitions ${f(x.min, 2)}–${f(x.max, 2)}; ≤ ${TARGETS.cpuPerVerifyRatio}) ` +
        (x.max <= TARGETS.cpuPerVerifyRatio ? 'MET in every repetition' : x.min > TARGETS.cpuPerVerifyRatio ? 'MISSED in every repetition' : `${verdict(x.median <= TARGETS.cpuPerVerifyRatio)} (the repetitions straddle the target: not resolved)`),
    );
    if (row && Number.isFinite(row.addedCpuUs)) console.log(`  ${''.padEnd(14)} ${judge('workerd process under load', row.addedCpuUs)}`);
  }
}

// Turns the measured segments (kind x round) into one line per kind: median
// throughput and latency across rounds, summed errors and upstream fetches,
// CPU per request, and the throughput ratio to the passthrough baseline.
import type { KindName } from './bench-options.ts';
import type { BenchKind } from './bench-kinds.ts';
import type { ErrorSample, LoadResult } from './load-types.ts';
import type { CpuDelta } from './process-cpu.ts';
import { add, combined, emptySnapshot, type UpstreamCounts, type UpstreamSnapshot } from './upstream-stats.ts';

export interface Segment {
  kind: KindName;
  round: number;
  warmup: LoadResult;
  measured: LoadResult;
  /** IdP fetches during the warm-up (cache refreshes land here when they expire between segments). */
  warmupUpstream: UpstreamSnapshot;
  upstream: UpstreamSnapshot;
  cpu: CpuDelta;
}

export interface KindSummary {
  kind: KindName;
  description: string;
  requests: number;
  rps: number;
  rpsPerRound: number[];
  p50: number;
  p99: number;
  errors: number;
  warmupErrors: number;
  errorSamples: ErrorSample[];
  /** Median rps / median passthrough rps; 1 for the passthrough itself. */
  ratio: number;
  /** Same ratio within each round (kind and baseline measured minutes apart at most). */
  ratioPerRound: number[];
  verdict: 'baseline' | 'PASS' | 'MISS';
  upstream: UpstreamSnapshot;
  upstreamTotal: UpstreamCounts;
  warmupUpstreamTotal: UpstreamCounts;
  /** Highest average load from other processes during one of this kind's segments, in cores. */
  otherCoresMax: number;
  gatewayCpuUsPerRequest: number;
  /** Gateway CPU per request above the passthrough's: the cost of verifying, in this stack. */
  gatewayCpuExtraUs: number;
  /**
   * Passthrough gateway CPU per request / this kind's: the throughput ratio the gateway would
   * reach if it were the only thing using CPU. Steadier than `ratio` when other work shares the cores.
   */
  cpuRatio: number;
  benchProcessCpuUsPerRequest: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function mergeSamples(lists: ErrorSample[][]): ErrorSample[] {
  const out = new Map<string, ErrorSample>();
  for (const e of lists.flat()) {
    const m = out.get(e.key);
    if (m) m.count += e.count;
    else out.set(e.key, { ...e });
  }
  return [...out.values()];
}

export function summarize(kinds: BenchKind[], segments: Segment[], target: number): KindSummary[] {
  const of = (k: KindName) => segments.filter((s) => s.kind === k).sort((a, b) => a.round - b.round);
  const base = of('passthrough');
  const baseRps = median(base.map((s) => s.measured.rps));
  const cpuPerRequest = (segs: Segment[]) => (segs.reduce((n, s) => n + s.cpu.gatewayMs, 0) * 1000) / segs.reduce((n, s) => n + s.measured.requests, 0);
  const baseCpu = cpuPerRequest(base);
  return kinds.map((kind) => {
    const segs = of(kind.name);
    const rps = median(segs.map((s) => s.measured.rps));
    const requests = segs.reduce((n, s) => n + s.measured.requests, 0);
    const upstream = segs.reduce((u, s) => add(u, s.upstream), emptySnapshot());
    const ratio = rps / baseRps;
    const ratioPerRound = segs.map((s) => s.measured.rps / (base.find((b) => b.round === s.round)?.measured.rps ?? NaN));
    return {
      kind: kind.name,
      description: kind.description,
      requests,
      rps,
      rpsPerRound: segs.map((s) => s.measured.rps),
      p50: median(segs.map((s) => s.measured.p50)),
      p99: median(segs.map((s) => s.measured.p99)),
      errors: segs.reduce((n, s) => n + s.measured.errors, 0),
      warmupErrors: segs.reduce((n, s) => n + s.warmup.errors, 0),
      errorSamples: mergeSamples(segs.flatMap((s) => [s.warmup.errorSamples, s.measured.errorSamples])),
      ratio,
      ratioPerRound,
      verdict: kind.name === 'passthrough' ? 'baseline' : ratio >= target ? 'PASS' : 'MISS',
      upstream,
      upstreamTotal: combined(upstream),
      warmupUpstreamTotal: combined(segs.reduce((u, s) => add(u, s.warmupUpstream), emptySnapshot())),
      otherCoresMax: Math.max(...segs.map((s) => s.cpu.otherCores)),
      gatewayCpuUsPerRequest: cpuPerRequest(segs),
      gatewayCpuExtraUs: cpuPerRequest(segs) - baseCpu,
      cpuRatio: baseCpu / cpuPerRequest(segs),
      benchProcessCpuUsPerRequest: (segs.reduce((n, s) => n + s.cpu.selfMs, 0) * 1000) / requests,
    };
  });
}

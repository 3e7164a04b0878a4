// Plain-text report of a run: machine and command, the per-kind table with
// PASS/MISS against the target ratio, upstream fetches during the measured
// phase, and any non-200 responses with a sample body.
import type { BenchOptions } from './bench-options.ts';
import type { MachineInfo } from './machine-info.ts';
import type { KindSummary, Segment } from './summarize.ts';
import type { SourceInfo } from './worker-snapshot.ts';
import { combined, UPSTREAM_FIELDS, type UpstreamSnapshot } from './upstream-stats.ts';

/** Above this much CPU from other processes during a segment, its figures are suspect on 2 cores. */
const OTHER_LOAD_WARN_CORES = 0.25;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const f = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

export function printHeader(machine: MachineInfo, options: BenchOptions, command: string): void {
  console.log(`machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(' ')}`);
  console.log(`runtime: node ${machine.node} (bench), wrangler ${machine.wrangler}, workerd ${machine.workerd}`);
  console.log(`command: ${command}`);
  console.log(
    `settings: ${options.seconds} s per segment, concurrency ${options.concurrency}, ${options.rounds} round(s) (odd rounds reversed), ` +
      `${options.prewarmSeconds} s pre-warm per kind, ${options.warmup} warm-up requests before each segment, verified kinds on ${options.path}`,
  );
}

export function printSource(source: SourceInfo): void {
  const dirty = source.uncommitted.length ? ` + uncommitted changes in ${source.uncommitted.length} path(s): ${source.uncommitted.map((l) => l.slice(3)).join(', ')}` : '';
  console.log(`worker: commit ${source.commit.slice(0, 12)}${dirty}, served from ${source.workerDir}`);
}

export function printSummary(rows: KindSummary[], options: BenchOptions): void {
  console.log('\nthroughput (median over rounds; ratio = requests/s / passthrough requests/s;');
  console.log('gw CPU = CPU time of wrangler + both workerd processes per request, all rounds;');
  console.log('CPU ratio = passthrough gw CPU / kind gw CPU, the ratio with the cores to itself)\n');
  console.log(
    table(
      ['kind', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'ratio', `target ${options.target}`, 'gw CPU us/req', 'vs passthrough', 'CPU ratio', 'per round req/s'],
      rows.map((r) => [
        r.kind,
        f(r.rps, 0),
        f(r.p50, 2),
        f(r.p99, 2),
        String(r.errors),
        f(r.ratio, 3),
        r.verdict === 'baseline' ? '-' : r.verdict,
        f(r.gatewayCpuUsPerRequest, 0),
        r.verdict === 'baseline' ? '-' : `${r.gatewayCpuExtraUs >= 0 ? '+' : ''}${f(r.gatewayCpuExtraUs, 0)}`,
        f(r.cpuRatio, 3),
        r.rpsPerRound.map((x) => f(x, 0)).join(' / '),
      ]),
    ),
  );
}

export function printUpstream(rows: KindSummary[], wholeRun: UpstreamSnapshot): void {
  console.log('\nupstream fetches during the measured phase (warm-up excluded), auth0-like + olympus-like\n');
  console.log(
    table(
      ['kind', 'requests', ...UPSTREAM_FIELDS, 'per 1000 req'],
      rows.map((r) => {
        const total = UPSTREAM_FIELDS.reduce((n, k) => n + r.upstreamTotal[k], 0);
        return [r.kind, String(r.requests), ...UPSTREAM_FIELDS.map((k) => String(r.upstreamTotal[k])), f((total * 1000) / r.requests, 3)];
      }),
    ),
  );
  const warm = rows.filter((r) => UPSTREAM_FIELDS.some((k) => r.warmupUpstreamTotal[k] > 0));
  const fmt = (c: Record<string, number>) => UPSTREAM_FIELDS.map((k) => `${k} ${c[k]}`).join(', ');
  for (const r of warm) console.log(`during ${r.kind} warm-ups (cache refreshes between segments): ${fmt(r.warmupUpstreamTotal)}`);
  console.log(`whole run, sign-ins and warm-ups included: ${fmt(combined(wholeRun))}`);
}

export function printLoadWarning(segments: Segment[]): void {
  const restarted = segments.filter((s) => s.cpu.gatewayRestarted);
  if (restarted.length) {
    console.log(`\nWARNING: the gateway restarted (worker source edited while BENCH_SNAPSHOT=0?) during ${restarted.map((s) => `${s.kind} round ${s.round + 1}`).join(', ')}`);
  }
  const loaded = segments.filter((s) => s.cpu.otherCores > OTHER_LOAD_WARN_CORES);
  if (loaded.length === 0) {
    console.log(`\nother processes used at most ${Math.max(...segments.map((s) => s.cpu.otherCores)).toFixed(2)} cores during any segment`);
    return;
  }
  console.log(`\nWARNING: other processes were busy during ${loaded.length} of ${segments.length} segments (> ${OTHER_LOAD_WARN_CORES} cores):`);
  console.log(`  ${loaded.map((s) => `${s.kind} round ${s.round + 1}: ${s.cpu.otherCores.toFixed(2)}`).join(', ')}`);
  console.log('  throughput ratios from such a run are noisy; gateway CPU per request is less affected');
}

export function printErrors(rows: KindSummary[]): void {
  const bad = rows.filter((r) => r.errorSamples.length > 0);
  if (bad.length === 0) {
    console.log('\nevery response was 200 (warm-up included)');
    return;
  }
  console.log('\nnon-200 responses and socket errors (warm-up included):');
  for (const r of bad) {
    for (const e of r.errorSamples) console.log(`  ${r.kind}: ${e.key} x${e.count}: ${e.sample.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}

export function printVerdicts(rows: KindSummary[], options: BenchOptions): void {
  const verified = rows.filter((r) => r.verdict !== 'baseline');
  const line = verified.map((r) => `${r.kind} ${r.verdict} (${f(r.ratio, 3)})`).join(', ');
  console.log(`\ntarget: every verified kind at >= ${options.target} of passthrough throughput: ${line}`);
  console.log('(a measurement, not a test: the exit code is 0 either way)');
}

// `npx tsx bench/hotpath/attribution.ts`: where the gateway's workerd process
// spends the CPU it adds over the bare proxy (issue 14). One kind, gateway and
// bare segments alternated, optionally at one fixed rate for both
// (HOTPATH_RATE, req/s: CPU per request then compares at equal load, since a
// process that serves fewer requests per second batches less and pays more per
// request), optionally under `perf record` (HOTPATH_PERF=1: the workerd
// process' samples by category, µs per request; HOTPATH_PERF_TOP=N adds the N
// symbols the gateway adds most to). Prints the gateway process'
// and, in the split layout, the controller process' CPU per request.
// Knobs shared with bench:hotpath: HOTPATH_LAYOUT, HOTPATH_KINDS (one kind),
// HOTPATH_SECONDS, HOTPATH_ROUNDS, HOTPATH_CONCURRENCY. Builds nothing: run
// `npm run bench:bundle` (or bench:hotpath) first.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../../dev/stack.ts';
import { readOptions } from '../bench-options.ts';
import { prepareKinds } from '../bench-kinds.ts';
import { EDGE_HEADERS } from './credentials.ts';
import { corePlan, LoadProcess, pin } from './load-process-client.ts';
import { loadPath, readHotpathOptions } from './options.ts';
import { median } from './hotpath-report.ts';
import { startRuntime } from './runtime.ts';
import { cpuNs } from './workerd-cpu.ts';

const PERF_HZ = 999;
/** First match wins; symbols as perf prints them ([k] kernel, [.] user). */
const CATEGORIES: [string, RegExp][] = [
  ['kernel (network, scheduler)', /^\[k\]/],
  ['V8 garbage collection', /(Heap::|Scavenge|Marking|Sweep|cppgc|GCTracer|Evacuat|MinorMS)/],
  ['JavaScript (V8 builtins, JIT)', /(Builtins_|\[JIT\]|Runtime_|Interpreter)/],
  ['V8 other (handles, objects, API)', /v8::/],
  ['workerd API (Headers, Request, Response, fetch)', /workerd::(jsg|api)/],
  ['workerd other (IoContext, entrypoints)', /workerd::/],
  ['SQLite (Durable Objects, KV, rate limits)', /sqlite/i],
  ['allocator', /(tcmalloc|TCMalloc|malloc|free)/],
  ['HTTP (hyper, tokio)', /(hyper|tokio|kj_rs|core::|alloc::|http::)/],
  ['kj (promises, I/O)', /kj::/],
];

/** Samples per category and per symbol in one perf recording. */
function categorize(file: string): { categories: Map<string, number>; symbols: Map<string, number> } {
  const out = spawnSync('perf', ['report', '-i', file, '--no-children', '--sort', 'sym', '-n', '--stdio'], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout ?? '';
  const categories = new Map<string, number>();
  const symbols = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^\s+[\d.]+%\s+(\d+)\s+(\[.\])\s+(.*)$/.exec(line);
    if (!m) continue;
    const sym = `${m[2]} ${m[3]!.trim()}`;
    const cat = CATEGORIES.find(([, re]) => re.test(sym))?.[0] ?? 'other (libc, unresolved)';
    categories.set(cat, (categories.get(cat) ?? 0) + Number(m[1]));
    symbols.set(sym, (symbols.get(sym) ?? 0) + Number(m[1]));
  }
  return { categories, symbols };
}

function add(into: Map<string, number>, from: Map<string, number>): void {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
}

async function main(): Promise<void> {
  const o = readHotpathOptions();
  const rate = process.env.HOTPATH_RATE ? Number(process.env.HOTPATH_RATE) : undefined;
  const perf = process.env.HOTPATH_PERF === '1' && spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
  const kindName = o.kinds[0]!;
  const stack = await startStack({ startGateway: false });
  const runtime = await startRuntime({ layout: o.layout, vars: stack.vars, gatewayPort: Number(new URL(stack.gatewayUrl).port), originUrl: stack.originUrl });
  const cores = corePlan();
  if (cores) {
    pin(runtime.gatewayPid, cores.rest);
    pin(process.pid, cores.rest);
    if (runtime.controllerPid !== undefined) pin(runtime.controllerPid, String(cores.load));
  }
  const load = new LoadProcess(cores?.load);
  const scratch = mkdtempSync(join(tmpdir(), 'switchback-perf-'));
  try {
    const [kind] = await prepareKinds(stack, { ...readOptions(), path: o.path, kinds: [kindName] });
    console.log(`# attribution: layout ${o.layout}, ${kindName}, ${o.rounds} rounds × ${o.seconds} s, ${o.concurrency} connections, ${rate ? `paced at ${rate} req/s` : 'unpaced'}${perf ? `, perf at ${PERF_HZ} Hz` : ''}`);
    const fresh = () => ({ cpu: [] as number[], controller: [] as number[], samples: new Map<string, number>(), symbols: new Map<string, number>(), requests: 0 });
    const per = { gateway: fresh(), bare: fresh() };
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? (['gateway', 'bare'] as const) : (['bare', 'gateway'] as const);
      for (const target of order) {
        const url = target === 'gateway' ? runtime.gatewayUrl : runtime.bareUrl;
        const spec = { url: `${url}${loadPath(kind!.path, o)}`, headers: { ...kind!.headers, ...EDGE_HEADERS }, concurrency: o.concurrency, timeoutMs: 10_000, ...(rate ? { ratePerSecond: rate } : {}) };
        await load.run({ ...spec, durationMs: 1000 });
        const data = join(scratch, `${target}-${round}.data`);
        const recorder = perf ? spawn('perf', ['record', '-q', '-F', String(PERF_HZ), '-o', data, '-p', String(runtime.gatewayPid), '--', 'sleep', String(o.seconds)], { stdio: 'ignore' }) : undefined;
        const c0 = cpuNs(runtime.gatewayPid);
        const k0 = runtime.controllerPid === undefined ? 0 : cpuNs(runtime.controllerPid);
        const r = await load.run({ ...spec, durationMs: o.seconds * 1000 });
        const c1 = cpuNs(runtime.gatewayPid);
        const k1 = runtime.controllerPid === undefined ? 0 : cpuNs(runtime.controllerPid);
        if (recorder) await new Promise((res) => recorder.on('exit', res));
        const t = per[target];
        t.cpu.push((c1 - c0) / 1000 / r.requests);
        t.controller.push((k1 - k0) / 1000 / r.requests);
        if (recorder) {
          const c = categorize(data);
          add(t.samples, c.categories);
          add(t.symbols, c.symbols);
          t.requests += r.requests;
        }
        console.log(
          `  round ${round + 1} ${target.padEnd(7)} ${r.rps.toFixed(0).padStart(5)} req/s  p50 ${r.p50.toFixed(2)}  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}  ` +
            `gateway workerd ${t.cpu.at(-1)!.toFixed(0)} µs/req${runtime.controllerPid === undefined ? '' : `  controller workerd ${t.controller.at(-1)!.toFixed(1)} µs/req`}`,
        );
      }
    }
    const g = per.gateway;
    const b = per.bare;
    console.log(`\nmedian gateway workerd CPU: gateway ${median(g.cpu).toFixed(0)} µs/req, bare ${median(b.cpu).toFixed(0)} µs/req, added ${median(g.cpu.map((x, i) => x - b.cpu[i]!)).toFixed(0)} µs (pairs by round)`);
    if (runtime.controllerPid !== undefined) console.log(`controller workerd CPU per gateway request: ${median(g.controller).toFixed(1)} µs (during bare segments: ${median(b.controller).toFixed(1)} µs)`);
    if (perf) {
      const us = (t: typeof g, cat: string) => ((t.samples.get(cat) ?? 0) * (1e6 / PERF_HZ)) / Math.max(1, t.requests);
      const cats = [...new Set([...g.samples.keys(), ...b.samples.keys()])].sort((x, y) => us(g, y) - us(b, y) - (us(g, x) - us(b, x)));
      console.log('\nperf samples of the gateway workerd, µs per request (all rounds):\n| category | gateway | bare | added |\n|---|---|---|---|');
      for (const c of cats) console.log(`| ${c} | ${us(g, c).toFixed(1)} | ${us(b, c).toFixed(1)} | ${(us(g, c) - us(b, c)).toFixed(1)} |`);
      const sum = (t: typeof g) => cats.reduce((n, c) => n + us(t, c), 0);
      console.log(`| all | ${sum(g).toFixed(1)} | ${sum(b).toFixed(1)} | ${(sum(g) - sum(b)).toFixed(1)} |`);
      const top = Number(process.env.HOTPATH_PERF_TOP ?? 0);
      if (top > 0) {
        const sym = (t: typeof g, k: string) => ((t.symbols.get(k) ?? 0) * (1e6 / PERF_HZ)) / Math.max(1, t.requests);
        const added = [...new Set([...g.symbols.keys(), ...b.symbols.keys()])].map((k) => [k, sym(g, k) - sym(b, k)] as const).sort((x, y) => y[1] - x[1]);
        console.log(`\nsymbols the gateway adds most to, µs per request:`);
        for (const [k, us] of added.slice(0, top)) console.log(`  ${us.toFixed(2).padStart(6)}  ${k.slice(0, 140)}`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await load.close();
    await runtime.dispose();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

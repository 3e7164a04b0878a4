// `npm run bench:hotpath`: the hot path measured like production. The built
// gateway Worker runs in a workerd process of its own through Miniflare's API
// (no wrangler dev proxy, no inspector) beside a bare proxy worker; the
// controller Worker (Durable Object, Workflow) runs in a second workerd
// process, as it is a separate Worker in production (HOTPATH_LAYOUT=combined:
// the combined Worker in one process, as before). The IdP stand-ins and the
// origin listen on 127.0.0.1; the load generator is a process of its own,
// pinned to its own core. Segments alternate gateway and bare proxy per kind,
// rounds reverse the order, figures are medians. Prints throughput ratio,
// added p50/p99, the gateway process' CPU per request (and the controller
// process' beside it), upstream fetches per request, the CPU of each stage
// inside the isolate against one signature verification, and the bundle
// size; every figure next to its target.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { REPO_ROOT, startStack, type Stack } from '../../dev/stack.ts';
import { readOptions } from '../bench-options.ts';
import { checkKinds, prepareKinds, type BenchKind } from '../bench-kinds.ts';
import { machineInfo } from '../machine-info.ts';
import { combined, diff, snapshot } from '../upstream-stats.ts';
import { measureAllBundles } from './bundle-size.ts';
import { HOTPATH_KINDS, hotpathCommand, loadPath, readHotpathOptions, type HotpathOptions } from './options.ts';
import { corePlan, LoadProcess, pin } from './load-process-client.ts';
import { startRuntime, type Runtime } from './runtime.ts';
import { cpuNs } from './workerd-cpu.ts';
import { CONTROL_KIND, FLOOR_KIND, printBundles, printStages, printSummary, summarize, type Sample, type SampleTarget } from './hotpath-report.ts';
import { measureStages, type StageReport } from './stage-timing.ts';
import { EDGE_HEADERS, stageCredentials } from './credentials.ts';

const TIMEOUT_MS = 10_000;
interface Target {
  name: SampleTarget;
  url: string;
}

interface Processes {
  /** The gateway's workerd (gateway, bare proxy, stage worker): the one measured. */
  gateway: number;
  /** The controller's workerd (split layout), reported beside it. */
  controller?: number;
}

/** `label`: the kind the sample is filed under (the A/A control sends a real kind's request under CONTROL_KIND). */
async function segment(load: LoadProcess, stack: Stack, workerd: Processes, kind: BenchKind, target: Target, round: number, o: HotpathOptions, label: string = kind.name): Promise<Sample> {
  const spec = { url: `${target.url}${loadPath(kind.path, o)}`, headers: { ...kind.headers, ...EDGE_HEADERS }, concurrency: o.concurrency, timeoutMs: TIMEOUT_MS, ...(o.rate > 0 ? { ratePerSecond: o.rate } : {}) };
  const idps = { auth0: stack.auth0.url, olympus: stack.olympus.url };
  await load.run({ ...spec, requests: o.warmup });
  const up0 = await snapshot(idps);
  const cpu0 = cpuNs(workerd.gateway);
  const ctl0 = workerd.controller === undefined ? 0 : cpuNs(workerd.controller);
  const r = await load.run({ ...spec, durationMs: o.seconds * 1000 });
  const cpu1 = cpuNs(workerd.gateway);
  const ctl1 = workerd.controller === undefined ? 0 : cpuNs(workerd.controller);
  const upstream = combined(diff(up0, await snapshot(idps)));
  const perRequest = (ns: number) => ns / 1000 / Math.max(1, r.requests);
  const s: Sample = {
    kind: label,
    target: target.name,
    round,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    p999: r.p999,
    clientLoopMaxMs: r.clientLoopDelay.max,
    requests: r.requests,
    errors: r.errors,
    cpuUsPerRequest: perRequest(cpu1 - cpu0),
    ...(workerd.controller === undefined ? {} : { controllerCpuUsPerRequest: perRequest(ctl1 - ctl0) }),
    upstream,
  };
  console.log(
    `  round ${round + 1} ${label.padEnd(14)} ${target.name.padEnd(7)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)}  p99 ${r.p99.toFixed(2)}  max ${r.max.toFixed(0)} ms (client loop max ${r.clientLoopDelay.max.toFixed(0)})  ` +
      `workerd ${s.cpuUsPerRequest.toFixed(0)} µs/req${s.controllerCpuUsPerRequest === undefined ? '' : ` (controller ${s.controllerCpuUsPerRequest.toFixed(0)})`}${r.errors ? `  ERRORS ${r.errors}: ${r.errorSamples.map((e) => `${e.key} ${e.sample.slice(0, 80)}`).join('; ')}` : ''}`,
  );
  return s;
}

async function waitHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${url}/_switchback/health`).catch(() => undefined);
    if (res?.ok) return;
    if (Date.now() > deadline) throw new Error(`gateway not healthy at ${url}: ${res?.status ?? 'no answer'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const o = readHotpathOptions();
  const machine = machineInfo();
  console.log(`# switchback hot path: ${hotpathCommand()}`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.os}, Node ${machine.node}, wrangler ${machine.wrangler}, workerd ${machine.workerd}, load average ${machine.loadAverageAtStart.join(' ')}`);
  console.log(
    `settings: ${o.rounds} rounds × ${o.kinds.length} kinds × (gateway, bare)${o.control ? ' + the A/A control and the identity floor' : ''}, ${o.seconds} s segments, ${o.warmup} warm-up requests each, ${o.concurrency} connections, ` +
      (o.rate > 0 ? `offered ${o.rate} req/s to every target (paced)` : 'unpaced (closed loop)'),
  );

  if (o.build) console.log('\nbuilding: wrangler deploy --dry-run (wrangler.toml, deploy/wrangler.proxy.toml, deploy/wrangler.controller.toml) ...');
  const bundles = measureAllBundles(o.build);
  printBundles(bundles);

  const stack = await startStack({ startGateway: false });
  let runtime: Runtime | undefined;
  let load: LoadProcess | undefined;
  try {
    const stageBuild = o.stageIterations > 0 ? await (await import('./stage-worker-build.ts')).buildStageWorker() : undefined;
    runtime = await startRuntime({
      layout: o.layout,
      vars: stack.vars,
      gatewayPort: Number(new URL(stack.gatewayUrl).port),
      originUrl: stack.originUrl,
      stageScript: stageBuild,
    });
    if (runtime.gatewayUrl !== stack.gatewayUrl) throw new Error(`gateway at ${runtime.gatewayUrl}, expected ${stack.gatewayUrl}`);
    await waitHealthy(runtime.gatewayUrl);
    const workerd: Processes = { gateway: runtime.gatewayPid, controller: runtime.controllerPid };
    const cores = corePlan();
    if (cores) {
      pin(workerd.gateway, cores.rest);
      pin(process.pid, cores.rest);
      // In production the controller is another Worker, elsewhere: off the gateway's core, with the load generator.
      if (workerd.controller !== undefined) pin(workerd.controller, String(cores.load));
    }
    load = new LoadProcess(cores?.load);
    console.log(
      `layout ${o.layout}: gateway workerd pid ${workerd.gateway}${workerd.controller === undefined ? ' (the controller in the same process)' : `, controller workerd pid ${workerd.controller}`}` +
        (cores ? `; gateway workerd, stand-ins and origin on core ${cores.rest}, load generator${workerd.controller === undefined ? '' : ' and controller'} on core ${cores.load}` : '; not pinned (one core or no taskset)'),
    );
    console.log(`gateway ${runtime.gatewayUrl}, bare proxy ${runtime.bareUrl}, origin ${stack.originUrl}`);

    const kinds = await prepareKinds(stack, { ...readOptions(), path: o.path, kinds: o.kinds });
    await checkKinds(stack, kinds);
    for (const k of kinds) console.log(`  ${k.name.padEnd(14)} ${k.description}`);

    const targets: Target[] = [
      { name: 'gateway', url: runtime.gatewayUrl },
      { name: 'bare', url: runtime.bareUrl },
    ];
    // The A/A control sends the bearer JWT's request (the largest header set) when it is measured.
    const controlKind = kinds.find((k) => k.name === 'bearer-jwt') ?? kinds[0]!;
    const control: Target[] = [
      { name: 'twin', url: runtime.twinUrl },
      { name: 'floor', url: runtime.floorUrl },
      { name: 'bare', url: runtime.bareUrl },
    ];
    if (o.rounds > 0) console.log('\npre-warming every kind on both workers, then measuring:');
    if (o.rounds > 0) for (const kind of kinds) for (const t of [...targets, ...(o.control ? control.slice(0, 2) : [])]) await load.run({ url: `${t.url}${loadPath(kind.path, o)}`, headers: { ...kind.headers, ...EDGE_HEADERS }, concurrency: o.concurrency, durationMs: 1000, timeoutMs: TIMEOUT_MS });
    const samples: Sample[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      const flip = <T>(xs: T[]) => (round % 2 === 0 ? xs : [...xs].reverse());
      for (const kind of order) for (const t of flip(targets)) samples.push(await segment(load, stack, workerd, kind, t, round, o));
      if (o.control) {
        for (const t of flip(control)) {
          const sample = await segment(load, stack, workerd, controlKind, t, round, o, t.name === 'floor' ? FLOOR_KIND : CONTROL_KIND);
          samples.push(sample);
          // One bare segment is the baseline of both the twin and the floor.
          if (t.name === 'bare') samples.push({ ...sample, kind: FLOOR_KIND });
        }
      }
    }
    const rows = summarize([...kinds.map((k) => k.name), ...(o.control ? [CONTROL_KIND, FLOOR_KIND] : [])], samples);
    if (o.rounds > 0) printSummary(rows, controlKind.name, o.rate, { seconds: Number(stack.vars.INTROSPECTION_CACHE_SECONDS ?? 30), concurrency: o.concurrency });

    let stages: StageReport | undefined;
    const byName = new Map(kinds.map((k) => [k.name, k]));
    if (runtime.stageUrl && o.stageIterations > 0 && HOTPATH_KINDS.every((k) => byName.has(k))) {
      console.log(`\nCPU by stage inside the isolate (${o.stageIterations} iterations per stage, workerd CPU from the kernel, minus a noop loop):`);
      stages = await measureStages(runtime.stageUrl, workerd.gateway, o.stageIterations, stageCredentials(kinds));
      printStages(stages, rows);
    }

    const out = resolve(REPO_ROOT, o.out);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify({ command: hotpathCommand(), machine, options: o, bundles, rows, samples, stages }, null, 2));
    console.log(`\nwrote ${o.out}`);
  } finally {
    await load?.close();
    await runtime?.dispose();
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

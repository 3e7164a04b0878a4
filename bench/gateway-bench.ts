// `npm run bench`: starts the embedded default (both IdP stand-ins, demo
// origin, gateway under wrangler dev) and measures, against the same worker
// and origin, the public passthrough and each kind of verified request.
// Kinds are interleaved over rounds (odd rounds reversed) so drift on a small
// machine does not bias the ratios. Prints a table, writes JSON, exits 0.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT, startStack, type Stack } from '../dev/stack.ts';
import { commandLine, readOptions, type BenchOptions } from './bench-options.ts';
import { checkKinds, prepareKinds, type BenchKind } from './bench-kinds.ts';
import { LoadClient } from './load-client.ts';
import { machineInfo } from './machine-info.ts';
import { cpuDelta, cpuSnapshot } from './process-cpu.ts';
import { printErrors, printHeader, printLoadWarning, printSource, printSummary, printUpstream, printVerdicts } from './report.ts';
import { summarize, type Segment } from './summarize.ts';
import { diff, snapshot } from './upstream-stats.ts';
import { snapshotWorker, sourceInfo, SNAPSHOT_DIR } from './worker-snapshot.ts';

const REQUEST_TIMEOUT_MS = 10_000;

async function measure(stack: Stack, client: LoadClient, kind: BenchKind, round: number, options: BenchOptions): Promise<Segment> {
  const spec = { url: `${stack.gatewayUrl}${kind.path}`, headers: kind.headers, concurrency: options.concurrency, timeoutMs: REQUEST_TIMEOUT_MS };
  const idps = { auth0: stack.auth0.url, olympus: stack.olympus.url };
  const beforeWarmup = await snapshot(idps);
  const warmup = await client.run({ ...spec, requests: options.warmup });
  const before = await snapshot(idps);
  const cpuBefore = cpuSnapshot();
  const measured = await client.run({ ...spec, durationMs: options.seconds * 1000 });
  const cpuAfter = cpuSnapshot();
  const after = await snapshot(idps);
  const cpu = cpuDelta(cpuBefore, cpuAfter);
  const seg: Segment = { kind: kind.name, round, warmup, measured, warmupUpstream: diff(beforeWarmup, before), upstream: diff(before, after), cpu };
  const errs = measured.errors + warmup.errors;
  console.log(
    `  round ${round + 1}/${options.rounds} ${kind.name.padEnd(16)} ${measured.rps.toFixed(0).padStart(6)} req/s  p50 ${measured.p50.toFixed(2)} ms  ` +
      `p99 ${measured.p99.toFixed(2)} ms  ${measured.requests} requests  other load ${cpu.otherCores.toFixed(2)} cores` +
      `${errs ? `  ERRORS ${errs}` : ''}${cpu.gatewayRestarted ? '  GATEWAY RESTARTED' : ''}`,
  );
  return seg;
}

/** Once per kind before round 1: JIT, key imports and caches warm for every kind, not only the first. */
async function prewarm(stack: Stack, client: LoadClient, kinds: BenchKind[], options: BenchOptions): Promise<void> {
  if (options.prewarmSeconds <= 0) return;
  for (const kind of kinds) {
    const r = await client.run({ url: `${stack.gatewayUrl}${kind.path}`, headers: kind.headers, concurrency: options.concurrency, durationMs: options.prewarmSeconds * 1000, timeoutMs: REQUEST_TIMEOUT_MS });
    if (r.errors) console.log(`  pre-warm ${kind.name}: ${r.errors} errors: ${r.errorSamples.map((e) => `${e.key} x${e.count}`).join(', ')}`);
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const machine = machineInfo();
  const command = commandLine();
  printHeader(machine, options, command);

  const startedAt = new Date();
  const wranglerConfig = options.snapshot ? await snapshotWorker() : undefined;
  const source = sourceInfo(options.snapshot ? SNAPSHOT_DIR : '.');
  printSource(source);
  console.log('\nstarting the stack (IdPs, origin, wrangler dev)...');
  const stack = await startStack({ wranglerConfig });
  const client = new LoadClient();
  try {
    console.log(`gateway ${stack.gatewayUrl}, origin ${stack.originUrl}; signing in and getting tokens...`);
    const idps = { auth0: stack.auth0.url, olympus: stack.olympus.url };
    const runStart = await snapshot(idps);
    const kinds = await prepareKinds(stack, options);
    await checkKinds(stack, kinds);
    for (const k of kinds) console.log(`  ${k.name.padEnd(16)} ${k.description}`);
    console.log(`\npre-warming every kind for ${options.prewarmSeconds} s, then measuring:`);
    await prewarm(stack, client, kinds, options);
    const segments: Segment[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) segments.push(await measure(stack, client, kind, round, options));
    }
    const wholeRun = diff(runStart, await snapshot(idps));
    const rows = summarize(kinds, segments, options.target);
    printSummary(rows, options);
    printUpstream(rows, wholeRun);
    printLoadWarning(segments);
    printErrors(rows);
    printVerdicts(rows, options);

    const out = join(REPO_ROOT, options.out);
    await mkdir(dirname(out), { recursive: true });
    const result = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), command, machine, source, options, summary: rows, upstreamWholeRun: wholeRun, segments };
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nresults: ${options.out}`);
  } catch (err) {
    console.error('--- gateway output ---\n' + stack.gatewayOutput().slice(-4000));
    throw err;
  } finally {
    await client.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);

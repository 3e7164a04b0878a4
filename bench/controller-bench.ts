// `npm run bench:controller`: the rollback controller's two figures from one
// run, on stacks this script starts (frozen copies of the worker source):
//  1. time from the first breaching event (a failing login callback) to the
//     first /login routed to Auth0, over several automatic rollbacks;
//  2. outcome events one controller absorbs: through the gateway (counting
//     on vs a no-op-recorder copy, at rising concurrency, lost events
//     checked) and fed directly to MigrationController.ingest() by a harness
//     worker (wrangler dev's per-request cost caps what the gateway can send);
// then prints the sharding plan for counters past one object. Writes JSON,
// exits 0 either way (a measurement, not a test).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../dev/stack.ts';
import { controllerCommandLine, readControllerOptions, type ControllerBenchOptions } from './controller-options.ts';
import { startBenchGateway, FAST_RULES, type BenchGateway } from './controller-stack.ts';
import { timeRollback, type RollbackTiming } from './controller-rollback-timing.ts';
import { detectionRuns, printDetectionSummary, readDetectionOptions, summarizeDetection } from './controller-detection-runs.ts';
import { countingKinds, countingSegment, type CountingSegment } from './controller-counting.ts';
import { startHarness, type Harness } from './controller-harness.ts';
import { measureDirectIngest, type DirectIngestResult } from './controller-ingest-direct.ts';
import { printCounting, printDirect, printRollbacks, summarizeCounting, summarizeRollbacks, SHARDING_PLAN } from './controller-report.ts';
import { LoadClient } from './load-client.ts';
import { machineInfo } from './machine-info.ts';
import { sourceInfo } from './worker-snapshot.ts';

const FLUSH_INTERVAL_MS = 200; // src/telemetry/outcome-recorder.ts FLUSH_DELAY_MS
const SNAPSHOT_ON = 'bench-results/controller-bench/counting-on';
const SNAPSHOT_OFF = 'bench-results/controller-bench/counting-off';

async function rollbackPhase(gw: BenchGateway, options: ControllerBenchOptions): Promise<RollbackTiming[]> {
  console.log(`\n== 1. automatic rollback: ${options.runs} runs, ${options.failingClients} scripted clients failing logins at once (rules: ${JSON.stringify(FAST_RULES.rollback_if[0])}) ==`);
  const runs: RollbackTiming[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const t = await timeRollback(gw.stack, run, options.failingClients);
    console.log(`  run ${run}: ${t.totalMs} ms (detection ${t.detectionMs} ms + propagation ${t.propagationMs} ms), ${t.failedLogins} failed logins, ${t.probes} /login probes`);
    runs.push(t);
  }
  return runs;
}

async function countingPhase(gateways: BenchGateway[], options: ControllerBenchOptions): Promise<CountingSegment[]> {
  console.log(`\n== 2a. counting through the gateway: ${options.seconds} s segments, concurrency ${options.concurrency.join('/')}, ${options.rounds} rounds, counting on/off interleaved ==`);
  const kinds = await countingKinds(gateways, options.clients);
  for (const k of kinds) console.log(`  ${k.name.padEnd(12)} ${k.description}`);
  const client = new LoadClient();
  const segments: CountingSegment[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      const steps = round % 2 === 0 ? options.concurrency : [...options.concurrency].reverse();
      const order = round % 2 === 0 ? gateways : [...gateways].reverse();
      for (const c of steps) {
        for (const kind of kinds) {
          // The hook kind runs on the counting gateway only: with counting off there is nothing to compare.
          for (const gw of order.filter((g) => g.counting || kind.name !== 'ticket-hook')) {
            const s = await countingSegment(client, gw, kind, c, options.seconds, round);
            if (!gw.counting && s.absorbed !== 0) throw new Error(`the counting-off gateway counted ${s.absorbed} events: the no-op patch did not take`);
            console.log(
              `  round ${round + 1} ${kind.name.padEnd(12)} c=${String(c).padStart(3)} counting ${gw.counting ? 'on ' : 'off'} ${s.load.rps.toFixed(0).padStart(5)} req/s ` +
                `p50 ${s.load.p50.toFixed(2)} p99 ${s.load.p99.toFixed(2)} ms, gateway CPU ${s.gatewayCpuUsPerRequest.toFixed(0)} us/req` +
                (gw.counting ? `  absorbed ${s.absorbed}/${s.load.ok} = ${s.absorbedPerSecond.toFixed(0)} ev/s, lost ${s.lost}` : '') +
                `${s.load.errors ? `  ERRORS ${s.load.errors} (${s.load.errorSamples.map((e) => e.key).join(', ')})` : ''}  other load ${s.otherCores.toFixed(2)} cores`,
            );
            segments.push(s);
          }
        }
      }
    }
  } finally {
    await client.close();
  }
  return segments;
}

async function directPhase(vars: Record<string, string>, options: ControllerBenchOptions): Promise<DirectIngestResult> {
  console.log(`\n== 2b. one controller fed directly: batch sizes ${options.batchSizes.join('/')}, ${options.ingestConcurrency} callers, ${options.clients} distinct clients ==`);
  let harness: Harness | undefined;
  try {
    harness = await startHarness(vars);
    return await measureDirectIngest(harness, { batchSizes: options.batchSizes, events: options.ingestEvents, concurrency: options.ingestConcurrency, clients: options.clients }, (l) => console.log(l));
  } finally {
    await harness?.stop();
  }
}

async function main(): Promise<void> {
  const options = readControllerOptions();
  const machine = machineInfo();
  const command = controllerCommandLine();
  const source = sourceInfo(SNAPSHOT_ON);
  const startedAt = new Date();
  console.log(`machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, load average ${machine.loadAverageAtStart.join(' ')}`);
  console.log(`runtime: node ${machine.node} (bench), wrangler ${machine.wrangler}, workerd ${machine.workerd}`);
  console.log(`command: ${command}`);
  const dirty = source.uncommitted.length ? ` + uncommitted changes in ${source.uncommitted.length} path(s)` : '';
  console.log(`worker: commit ${source.commit.slice(0, 12)}${dirty}, frozen copies in bench-results/controller-bench/`);

  const gateways: BenchGateway[] = [];
  let result: Record<string, unknown> = {};
  try {
    if (process.env.CTRL_BENCH_DIRECT_ONLY === '1') {
      // Phase 2b alone (ingest capacity): a stack only for its configuration, stopped before the harness runs.
      const on = await startBenchGateway(true, SNAPSHOT_ON);
      const vars = { ...on.stack.vars };
      await on.stack.stop();
      const direct = await directPhase(vars, options);
      console.log('\n================ results ================');
      console.log(`command: ${command}`);
      const directVerdict = printDirect(direct);
      result = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), command, machine, source, options, direct, directVerdict };
      await writeResult(options, result);
      return;
    }
    const detectionOptions = readDetectionOptions();
    console.log(
      `\n== 0. detection with the default rules at 200 logins per 5 min: ${detectionOptions.scenarios.join(', ')}, ${detectionOptions.runs} runs each ` +
        `(a fresh stack each, ${detectionOptions.lanes} lane(s) at once) ==`,
    );
    const detection = await detectionRuns(detectionOptions);
    const detectionSummary = summarizeDetection(detection, detectionOptions.scenarios);
    if (process.env.CTRL_BENCH_DETECTION_ONLY === '1') {
      console.log('\n================ results ================');
      console.log(`command: ${command}`);
      printDetectionSummary(detection, detectionSummary);
      result = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), command, machine, source, detectionOptions, detectionSummary, detection };
    } else {
      console.log('\nstarting the "counting on" stack (IdPs, origin, wrangler dev)...');
      const on = await startBenchGateway(true, SNAPSHOT_ON);
      gateways.push(on);
      const rollbacks = await rollbackPhase(on, options);
      const rollbackSummary = summarizeRollbacks(rollbacks);

      console.log('\nstarting the "counting off" stack...');
      gateways.push(await startBenchGateway(false, SNAPSHOT_OFF));
      const segments = await countingPhase(gateways, options);
      const counting = summarizeCounting(segments);
      const vars = { ...on.stack.vars };
      for (const gw of gateways.splice(0)) await gw.stack.stop(); // the harness gets the machine to itself
      const direct = await directPhase(vars, options);

      console.log('\n================ results ================');
      console.log(`command: ${command}`);
      printDetectionSummary(detection, detectionSummary);
      printRollbacks(rollbacks, rollbackSummary);
      printCounting(counting, FLUSH_INTERVAL_MS);
      const directVerdict = printDirect(direct);
      console.log(`\n${SHARDING_PLAN}`);
      console.log(
        '\nwhat is measured: (1) wall time on one machine, gateway under wrangler dev, from the client-side arrival of the first failing /callback ' +
          'to the first GET /login answered with a redirect to the Auth0 stand-in; (2a) proxied requests the gateway served and the controller counted ' +
          '(switchback_api_requests_total / switchback_support_tickets_total growth, flushes included), capped by wrangler dev serving HTTP on 2 cores, ' +
          'and the latency difference between counting and a no-op recorder; (2b) events per second one MigrationController object accepts through ingest() ' +
          'in workerd with local SQLite, without HTTP in the way. Figures from a shared 2-core machine are noisy: see "other cores".',
      );
      result = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), command, machine, source, options, rules: FAST_RULES, detectionOptions, detectionSummary, detection, rollbacks, rollbackSummary, counting, segments, direct, directVerdict };
    }
  } finally {
    for (const gw of gateways) await gw.stack.stop().catch(() => {});
  }
  await writeResult(options, result);
}

async function writeResult(options: ControllerBenchOptions, result: Record<string, unknown>): Promise<void> {
  const out = join(REPO_ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nresults: ${options.out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:controller failed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);

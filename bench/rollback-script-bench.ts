// `npm run bench:rollback`: how long the plan's rollback takes as a command.
// Starts the embedded default (IdP stand-ins, demo origin, gateway under
// wrangler dev) with a webhook receiver as NOTIFY_WEBHOOK_URL and the Hydra
// admin stand-in, then runs `scripts/rollback.ts --json` end to end
// ROLLBACK_BENCH_RUNS times (default 5), turning Olympus back on through the
// admin API between runs (not timed). Prints every step's duration and the
// total (median, max) against the 10 s target; the plan says "~1 min".
// Exits 1 when a run fails or a total misses the target.
import { machineInfo } from './machine-info.ts';
import { cliCommand, jsonReport, runRollbackCli, type CliReport } from '../test/e2e/support/rollback-cli.ts';
import { HYDRA_PROXY_HEADER, startRollbackFixture } from '../test/e2e/support/rollback-fixture.ts';

const TARGET_MS = 10_000;
const PLAN_MS = 60_000;

function runs(): number {
  const raw = process.env.ROLLBACK_BENCH_RUNS;
  if (raw === undefined || raw === '') return 5;
  const n = Number(raw);
  // /login is rate limited to 30 a minute per client: each run probes it at least once.
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error(`ROLLBACK_BENCH_RUNS must be a whole number from 1 to 20, got "${raw}"`);
  return n;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};
const max = (xs: number[]) => Math.max(...xs);
const col = (v: string | number, w: number) => String(v).padStart(w);

async function main(): Promise<void> {
  const n = runs();
  const machine = machineInfo();
  console.log(`rollback-script bench: ${n} runs, ${machine.cpus} CPU (${machine.cpuModel}), ${machine.os}, bench ${machine.node}, wrangler ${machine.wrangler}, load ${machine.loadAverageAtStart.join(' ')}`);
  console.log(`bench command: ${process.env.ROLLBACK_BENCH_RUNS ? `ROLLBACK_BENCH_RUNS=${n} ` : ''}npm run bench:rollback`);

  const stackStarted = Date.now();
  const fx = await startRollbackFixture();
  console.log(`stack up in ${Date.now() - stackStarted} ms: gateway ${fx.stack.gatewayUrl}, hydra stand-in ${fx.hydra.url}, webhook ${fx.webhook.url}`);
  const reports: CliReport[] = [];
  const walls: number[] = [];
  let failed = false;
  try {
    const shown = [...cliCommand(['--reason', '"bench run N"', '--json', ...fx.hydraArgs()])];
    const header = shown.findIndex((a) => a.startsWith(`${HYDRA_PROXY_HEADER}:`));
    shown[header] = `'${HYDRA_PROXY_HEADER}: <proxy key>'`;
    console.log(`rollback command: SWITCHBACK_URL=${fx.stack.gatewayUrl} SWITCHBACK_ADMIN_TOKEN=<oncall token> ${shown.join(' ')}\n`);

    for (let i = 1; i <= n; i++) {
      await fx.enableOlympus();
      const hooksBefore = fx.webhook.received.length;
      const run = await runRollbackCli(['--reason', `bench run ${i}`, '--json', ...fx.hydraArgs()], fx.cliEnv());
      const report = jsonReport(run);
      const notes = fx.webhook.received.slice(hooksBefore).map((x) => x.type).filter((t) => t.startsWith('rollback.'));
      const ok = run.code === 0 && report.ok && report.rolled_back === true && notes.length === 2;
      console.log(
        `  run ${col(i, 2)}: exit ${run.code}  ${report.steps.map((s) => `${s.id} ${s.status} ${s.ms} ms`).join(' | ')}  total ${report.total_ms} ms, wall ${run.wallMs} ms, webhook ${notes.join('+') || 'nothing'}`,
      );
      if (!ok) {
        failed = true;
        console.log(`  run ${i} FAILED:\n${run.output}`);
        break;
      }
      reports.push(report);
      walls.push(run.wallMs);
    }
  } finally {
    await fx.stop();
  }
  if (reports.length === 0) process.exit(1);

  console.log(`\n${'step'.padEnd(24)} ${col('median', 8)} ${col('max', 8)}   (ms, ${reports.length} runs)`);
  for (const [index, step] of reports[0]!.steps.entries()) {
    const ms = reports.map((r) => r.steps[index]!.ms);
    console.log(`${`${step.step}. ${step.title}`.padEnd(24)} ${col(median(ms), 8)} ${col(max(ms), 8)}`);
  }
  const totals = reports.map((r) => r.total_ms);
  console.log(`${'total (in the command)'.padEnd(24)} ${col(median(totals), 8)} ${col(max(totals), 8)}`);
  console.log(`${'wall (Node+tsx start)'.padEnd(24)} ${col(median(walls), 8)} ${col(max(walls), 8)}`);
  const worst = max(walls);
  const verdict = worst < TARGET_MS ? 'MEETS' : 'MISSES';
  console.log(`\n${verdict} the ${TARGET_MS / 1000} s target: worst wall-clock ${worst} ms (${(PLAN_MS / Math.max(1, median(walls))).toFixed(0)}x faster than the plan's ~1 min at the median).`);
  if (failed || worst >= TARGET_MS) process.exit(1);
}

await main();

// `npm run bench:reconcile [-- --target auth0|cognito|clerk]` (default auth0;
// cognito: reconcile-bench-cognito.ts): identities per second through the whole
// `switchback reconcile` pipeline (the CLI as a child process: Kratos admin
// pages -> window filter -> mapper -> Auth0 import jobs / POST /users ->
// reset emails -> checkpoint -> report) against the local Kratos admin and
// Auth0 stand-ins, with Auth0's documented Management API rate limit applied
// (the stand-in's default: the Free tier, 2 requests/s, burst 2). Windows:
// RECONCILE_BENCH_WINDOW identities (default 2000) in --mode import,
// RECONCILE_BENCH_SINGLE_WINDOW (default 400) in --mode single (one POST
// /users per user without a hash, so far slower at 2/s), then the time to
// reconcile 10,000 identities: projected from each mode, and measured in
// --mode import unless RECONCILE_BENCH_10K=0 or the projection exceeds
// ~2.5 minutes. Every identity in a window needs bringing back (no legacy
// ones); 80 % carry a password hash (bcrypt/argon2id/pbkdf2, carried over
// through import jobs), 20 % get a reset email. Exits 1 if a run fails.
import { FREE_TIER_MANAGEMENT_LIMIT, type Auth0ApiHandle } from '../dev/auth0-api/index.ts';
import { makeIdentities } from '../dev/kratos-admin/index.ts';
import { WINDOW, apiStats, startFixture } from '../test/node/support/reconcile-harness.ts';
import { machineInfo } from './machine-info.ts';
import { parseArgs } from 'node:util';
import { cognitoBench } from './reconcile-bench-cognito.ts';
import { runClerkReconcileBench } from './reconcile-bench-clerk.ts';
import { intEnv } from './env-int.ts';

interface Row {
  label: string;
  mode: string;
  window: number;
  wallS: number;
  perS: number;
  created: number;
  emails: number;
  mgmtCalls: number;
  cliCalls: number;
  served429: number;
  cliRateLimited: number;
  waitedMs: number;
  checkpointKiB: number;
  command: string;
}

const mgmt = (a: Auth0ApiHandle) => a.calls.filter((c) => c.path.startsWith('/api/v2/'));

async function measure(label: string, window: number, mode: string, extra: string[] = []): Promise<Row> {
  // `window` identities inside the window, plus 10 % outside it (scanned and skipped).
  const total = Math.round(window / 0.9);
  const identities = makeIdentities(total, { seed: 1000 + window, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, outsideShare: (total - window) / total });
  // Free tier Management limit; import jobs at the stand-in's default pace (50 ms pending + 100 ms processing).
  const fx = await startFixture({ identities, auth0: { rateLimit: FREE_TIER_MANAGEMENT_LIMIT, importJobs: undefined } });
  try {
    const args = ['--mode', mode, '--quiet', ...extra];
    const run = await fx.run(args, { timeoutMs: 15 * 60_000 });
    if (run.code !== 0) throw new Error(`${label}: exit ${run.code}\n${run.output.slice(-3000)}`);
    const report = await fx.report();
    if (report.totals.in_window !== window) throw new Error(`${label}: ${report.totals.in_window} in the window, expected ${window}`);
    const created = report.lines.filter((l) => l.status.startsWith('created_')).length;
    if (created !== window) throw new Error(`${label}: ${created} created of ${window}: ${JSON.stringify(report.totals)}`);
    const stats = apiStats(run.stdout)!;
    const { statSync } = await import('node:fs');
    const shown = ['npm run reconcile --', '--from', WINDOW.from, '--to', WINDOW.to, '--kratos-admin-url', '<kratos>', '--auth0-management-url', '<auth0>/api/v2', '--auth0-mgmt-client-id', '<id>', '--auth0-mgmt-client-secret', '<secret>', '--auth0-connection', fx.auth0.connection.name, ...args];
    return {
      label,
      mode,
      window,
      wallS: run.wallMs / 1000,
      perS: window / (run.wallMs / 1000),
      created,
      emails: fx.auth0.emails.length,
      mgmtCalls: mgmt(fx.auth0).length,
      cliCalls: stats.calls,
      served429: fx.auth0.calls.filter((c) => c.status === 429).length,
      cliRateLimited: stats.rateLimited,
      waitedMs: stats.waitedMs,
      checkpointKiB: Math.round(statSync(`${fx.dir}/checkpoint.json`).size / 1024),
      command: shown.join(' '),
    };
  } finally {
    await fx.stop();
  }
}

const col = (v: string | number, w: number) => String(v).padStart(w);

function printTable(rows: Row[]): void {
  console.log(`\n${'run'.padEnd(24)} ${col('window', 7)} ${col('wall s', 8)} ${col('ids/s', 7)} ${col('mgmt calls', 10)} ${col('per 1k', 6)} ${col('all calls', 9)} ${col('429s', 5)} ${col('waited ms', 9)} ${col('emails', 6)} ${col('ckpt KiB', 8)}`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(24)} ${col(r.window, 7)} ${col(r.wallS.toFixed(1), 8)} ${col(r.perS.toFixed(1), 7)} ${col(r.mgmtCalls, 10)} ${col(Math.round((r.mgmtCalls / r.window) * 1000), 6)} ${col(r.cliCalls, 9)} ${col(r.served429, 5)} ${col(r.waitedMs, 9)} ${col(r.emails, 6)} ${col(r.checkpointKiB, 8)}`,
    );
  }
  console.log('\n  mgmt calls: Management API requests the tenant received (rate limited), per 1k: per 1,000 identities; all calls: what the command counted (also /oauth/token and');
  console.log('  /dbconnections/change_password, which the Free tier limits separately); 429s: answered by the stand-in; waited: the command\'s own pacing + 429 waits.');
  console.log('\ncommands:');
  for (const r of rows) console.log(`  ${r.label}: ${r.command}`);
}

async function main(): Promise<void> {
  const size = intEnv('RECONCILE_BENCH_WINDOW', 2000, 20, 20_000);
  const singleSize = intEnv('RECONCILE_BENCH_SINGLE_WINDOW', 400, 20, 20_000);
  const tenK = intEnv('RECONCILE_BENCH_10K', 1, 0, 1) === 1;
  const m = machineInfo();
  console.log(`reconcile bench: ${m.cpus} CPU (${m.cpuModel}), ${m.os}, bench ${m.node}, CLI under node_modules/node (Node 22) + tsx, load ${m.loadAverageAtStart.join(' ')}`);
  console.log(`Auth0 Management API limit: ${FREE_TIER_MANAGEMENT_LIMIT.limit} requests per ${FREE_TIER_MANAGEMENT_LIMIT.perSeconds} s, burst ${FREE_TIER_MANAGEMENT_LIMIT.burst ?? FREE_TIER_MANAGEMENT_LIMIT.limit} (Auth0 Free tier, rate-limit-configurations/free-public; dev/auth0-api FREE_TIER_MANAGEMENT_LIMIT, the stand-in's default)`);
  console.log('stand-in import jobs: 50 ms pending + 100 ms processing (a real tenant takes seconds or more per job: import-mode figures are an upper bound)');
  console.log(`windows: ${size} identities (--mode import), ${singleSize} (--mode single); 80 % with a password hash, 20 % get a reset email, 10 % more identities outside the window`);

  const rows: Row[] = [];
  const step = async (label: string, window: number, mode: string, extra: string[] = []) => {
    process.stdout.write(`  ${label} (${window} identities) ... `);
    const r = await measure(label, window, mode, extra);
    console.log(`${r.wallS.toFixed(1)} s, ${r.perS.toFixed(1)} identities/s, ${r.mgmtCalls} Management calls, ${r.served429} 429s`);
    rows.push(r);
    return r;
  };
  const imp = await step('import, page 250', size, 'import');
  await step('import, page 1000', size, 'import', ['--page-size', '1000']);
  const single = await step('single, page 250', singleSize, 'single');

  // Linear in the window: the per-page and per-user work dominates the fixed start-up (process, token, connection, count pass).
  const project = (r: Row) => 10_000 / r.perS;
  let measured: Row | undefined;
  if (tenK && project(imp) <= 150) measured = await step('import, page 250 (10k)', 10_000, 'import');
  else console.log(`  10,000 measured run skipped (${tenK ? `projected ${project(imp).toFixed(0)} s > 150 s` : 'RECONCILE_BENCH_10K=0'})`);

  printTable(rows);
  const fmt = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);
  console.log('\n10,000 identities at the Free tier limit:');
  for (const r of [imp, rows[1]!, single]) {
    console.log(`  ${r.label.padEnd(18)} projected ${fmt(project(r)).padStart(8)} (from ${r.perS.toFixed(1)} identities/s over ${r.window}; ${Math.round((r.mgmtCalls / r.window) * 1000)} Management calls per 1,000 identities)`);
  }
  if (measured) console.log(`  import, page 250   measured  ${fmt(measured.wallS).padStart(8)} (${measured.perS.toFixed(1)} identities/s, ${measured.mgmtCalls} Management calls, ${measured.served429} 429s, checkpoint ${measured.checkpointKiB} KiB)`);
}

function target(): 'auth0' | 'cognito' | 'clerk' {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { target: { type: 'string', default: 'auth0' } }, strict: true });
  switch (values.target) {
    case 'auth0':
    case 'cognito':
    case 'clerk':
      return values.target;
    default:
      throw new Error(`--target must be auth0, cognito or clerk, got ${JSON.stringify(values.target)}`);
  }
}

(async () => {
  const t = target();
  if (t === 'clerk') await runClerkReconcileBench();
  else if (t === 'cognito') await cognitoBench();
  else await main();
})().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

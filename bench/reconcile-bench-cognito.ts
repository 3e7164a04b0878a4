// `npm run bench:reconcile -- --target cognito`: identities per second
// through the whole `switchback reconcile` pipeline with LEGACY_PROVIDER=cognito
// (the CLI as a child process: Kratos admin pages -> window filter -> mapper
// -> AdminCreateUser + AdminSetUserPassword -> AdminResetUserPassword ->
// journal -> report) against the local Kratos admin stand-in and the Cognito
// user-pool API stand-in at Cognito's default request-rate quotas
// (https://docs.aws.amazon.com/cognito/latest/developerguide/limits.html:
// UserCreation 50/s, UserAccountRecovery 30/s, UserList 30/s, ...), which
// the stand-in enforces with TooManyRequestsException and the target keeps
// to. Cognito takes no hash: every user costs one creation call and two
// recovery calls (the permanent password, the reset code), so the
// UserAccountRecovery quota (30/s) caps a reconcile at 15 users/s.
// Windows: RECONCILE_BENCH_COGNITO_WINDOWS (default "1000,2000"); 10,000 is
// projected from the measured rate (a measured 10,000 takes about 11
// minutes: RECONCILE_BENCH_COGNITO_10K=1 runs it).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COGNITO_QUOTAS, DEFAULT_COGNITO_CREDENTIALS, startCognitoApi } from '../dev/cognito-api/index.ts';
import { makeIdentities, startKratosAdmin } from '../dev/kratos-admin/index.ts';
import { COGNITO_MARK_ATTRIBUTES } from '../src/reconcile/cognito-target.ts';
import type { Report } from '../src/reconcile/reconcile-report.ts';
import { WINDOW, runReconcile } from '../test/node/support/reconcile-harness.ts';
import { machineInfo } from './machine-info.ts';

interface Row {
  window: number;
  wallS: number;
  perS: number;
  calls: Record<string, number>;
  throttled: number;
  cliCalls: number;
  cliThrottled: number;
  waitedMs: number;
  codes: number;
}

async function measure(window: number): Promise<Row> {
  const total = Math.round(window / 0.9);
  // Every identity in the window needs bringing back, with a verified email (Cognito sends codes to verified addresses only).
  const identities = makeIdentities(total, { seed: 2000 + window, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, unverifiedShare: 0, outsideShare: (total - window) / total });
  const dir = await mkdtemp(join(tmpdir(), 'switchback-cognito-bench-'));
  const kratos = await startKratosAdmin({ identities });
  const cognito = await startCognitoApi({ customAttributes: COGNITO_MARK_ATTRIBUTES });
  try {
    const env = { LEGACY_PROVIDER: 'cognito', KRATOS_ADMIN_URL: kratos.url, COGNITO_USER_POOL_ID: cognito.pool.id, COGNITO_ADMIN_ENDPOINT: cognito.endpoint, COGNITO_ACCESS_KEY_ID: DEFAULT_COGNITO_CREDENTIALS.accessKeyId, COGNITO_SECRET_ACCESS_KEY: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey };
    const run = await runReconcile(['--from', WINDOW.from, '--to', WINDOW.to, '--report', join(dir, 'report.json'), '--checkpoint', join(dir, 'checkpoint.json'), '--quiet'], { cwd: dir, env, timeoutMs: 30 * 60_000 });
    if (run.code !== 0) throw new Error(`cognito ${window}: exit ${run.code}\n${run.output.slice(-3000)}`);
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as Report;
    if (report.totals.in_window !== window || report.totals.created_reset_sent !== window) throw new Error(`cognito ${window}: ${JSON.stringify(report.totals)}`);
    const m = /Cognito API: (\d+) calls, (\d+) rate-limited, (\d+) ms waited/.exec(run.stdout);
    const calls: Record<string, number> = {};
    for (const op of cognito.operations) calls[op] = (calls[op] ?? 0) + 1;
    return {
      window,
      wallS: run.wallMs / 1000,
      perS: window / (run.wallMs / 1000),
      calls,
      throttled: cognito.calls.filter((c) => c.status === 400).length,
      cliCalls: Number(m?.[1] ?? 0),
      cliThrottled: Number(m?.[2] ?? 0),
      waitedMs: Number(m?.[3] ?? 0),
      codes: cognito.pool.sentCodes.length,
    };
  } finally {
    await Promise.allSettled([kratos.stop(), cognito.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function cognitoBench(): Promise<void> {
  const windows = (process.env.RECONCILE_BENCH_COGNITO_WINDOWS ?? '1000,2000').split(',').map((w) => {
    const n = Number(w.trim());
    if (!Number.isInteger(n) || n < 20 || n > 20_000) throw new Error(`RECONCILE_BENCH_COGNITO_WINDOWS: each window must be a whole number from 20 to 20000, got "${w}"`);
    return n;
  });
  if (process.env.RECONCILE_BENCH_COGNITO_10K === '1') windows.push(10_000);
  const m = machineInfo();
  console.log(`reconcile bench (Cognito): ${m.cpus} CPU (${m.cpuModel}), ${m.os}, bench ${m.node}, CLI under node_modules/node (Node 22) + tsx, load ${m.loadAverageAtStart.join(' ')}`);
  console.log(`Cognito quotas enforced by the stand-in (requests/s, account and region): ${Object.entries(COGNITO_QUOTAS).map(([k, v]) => `${k} ${v}`).join(', ')} (limits.html defaults)`);
  console.log('per user: AdminCreateUser (UserCreation) + AdminSetUserPassword and AdminResetUserPassword (UserAccountRecovery): at most 15 users/s; no hash is carried (Cognito takes none)');
  const rows: Row[] = [];
  for (const w of windows) {
    process.stdout.write(`  ${w} identities ... `);
    const r = await measure(w);
    console.log(`${r.wallS.toFixed(1)} s, ${r.perS.toFixed(1)} identities/s, ${r.throttled} TooManyRequestsException, ${r.codes} reset codes`);
    rows.push(r);
  }
  console.log('\n  waited: the target\'s own pacing and backoff, summed over its concurrent calls (8 at a time)');
  console.log(`\n${'window'.padStart(7)} ${'wall s'.padStart(8)} ${'ids/s'.padStart(7)} ${'create'.padStart(7)} ${'setpw'.padStart(6)} ${'reset'.padStart(6)} ${'list'.padStart(5)} ${'429s'.padStart(5)} ${'waited s'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${String(r.window).padStart(7)} ${r.wallS.toFixed(1).padStart(8)} ${r.perS.toFixed(1).padStart(7)} ${String(r.calls.AdminCreateUser ?? 0).padStart(7)} ${String(r.calls.AdminSetUserPassword ?? 0).padStart(6)} ${String(r.calls.AdminResetUserPassword ?? 0).padStart(6)} ${String(r.calls.ListUsers ?? 0).padStart(5)} ${String(r.throttled).padStart(5)} ${(r.waitedMs / 1000).toFixed(1).padStart(9)}`);
  }
  const best = rows.at(-1)!;
  const fmt = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);
  console.log(`\n10,000 identities at Cognito's default quotas: ${best.window === 10_000 ? `measured ${fmt(best.wallS)}` : `projected ${fmt(10_000 / best.perS)} from ${best.perS.toFixed(1)} identities/s over ${best.window} (not measured)`}; the floor set by UserAccountRecovery (2 calls per user at 30/s) is ${fmt(10_000 / 15)}`);
}

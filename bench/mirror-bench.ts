// `npm run bench:mirror`: how far behind Olympus the legacy provider is while
// `switchback mirror` copies a burst of signups, at Auth0's documented
// Management API rate limit (the stand-in's default: the Free tier, 2
// requests/s, burst 2; rate-limit-configurations/free-public). 1,000 signups
// (MIRROR_BENCH_SIGNUPS), 80 % with a password hash, each stored in the
// Kratos admin stand-in and announced by its registration web hook, either
// spread over MIRROR_BENCH_SPREAD_S seconds (default 10: 100 signups/s) or
// all at once. Lag = the time from a signup (its created_at) until its Auth0
// user exists with its hash; drain = from the last signup until the backlog
// is empty. The mirror runs in-process (scripts/mirror/mirror-process.ts,
// what `npm run mirror` runs); import jobs at the stand-in's default pace
// (50 ms pending + 100 ms processing; a real tenant takes longer per job).
import { FREE_TIER_MANAGEMENT_LIMIT } from '../dev/auth0-api/index.ts';
import { makeIdentities } from '../dev/kratos-admin/index.ts';
import { signUp, startMirrorFixture } from '../test/node/support/mirror-harness.ts';
import { percentile } from '../src/mirror/mirror.ts';
import { machineInfo } from './machine-info.ts';
import { intEnv } from './env-int.ts';

interface Row {
  label: string;
  signups: number;
  spreadS: number;
  p50: number;
  p99: number;
  max: number;
  drainS: number;
  totalS: number;
  mgmtCalls: number;
  jobs: number;
  served429: number;
}

async function measure(label: string, n: number, spreadS: number, seed: number): Promise<Row> {
  const fx = await startMirrorFixture({ auth0: { rateLimit: FREE_TIER_MANAGEMENT_LIMIT, importJobs: undefined } });
  try {
    const m = await fx.start();
    await m.idle();
    const list = makeIdentities(n, { seed, legacyShare: 0, outsideShare: 0, emailPrefix: `bench-${seed}-` });
    const started = Date.now();
    const chunk = 10;
    for (let i = 0; i < list.length; i += chunk) {
      const due = started + (spreadS * 1000 * i) / list.length;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const now = new Date().toISOString();
      const part = list.slice(i, i + chunk).map((x) => ({ ...x, created_at: now, updated_at: now }));
      await signUp(fx.kratos, m.url, part);
    }
    const lastSignup = Date.now();
    await m.idle(30 * 60_000);
    const done = Date.now();
    const s = m.mirror.snapshot();
    if (s.counts.mirrored !== n || fx.auth0.users.size !== n) throw new Error(`${label}: ${s.counts.mirrored} mirrored, ${fx.auth0.users.size} Auth0 users, expected ${n}: ${JSON.stringify(s.counts)}`);
    if (fx.auth0.emails.length) throw new Error(`${label}: ${fx.auth0.emails.length} emails sent`);
    const lags = [...m.mirror.lags()].sort((a, b) => a - b);
    return {
      label,
      signups: n,
      spreadS,
      p50: percentile(lags, 50) / 1000,
      p99: percentile(lags, 99) / 1000,
      max: lags.at(-1)! / 1000,
      drainS: (done - lastSignup) / 1000,
      totalS: (done - started) / 1000,
      mgmtCalls: fx.auth0.calls.filter((c) => c.path.startsWith('/api/v2/')).length,
      jobs: fx.auth0.jobs.size,
      served429: fx.auth0.calls.filter((c) => c.status === 429).length,
    };
  } finally {
    await fx.stop();
  }
}

async function main(): Promise<void> {
  const n = intEnv('MIRROR_BENCH_SIGNUPS', 1000, 10, 100_000);
  const spread = intEnv('MIRROR_BENCH_SPREAD_S', 10, 1, 3600);
  const m = machineInfo();
  console.log(`mirror bench: ${m.cpus} CPU (${m.cpuModel}), ${m.os}, ${m.node}, load ${m.loadAverageAtStart.join(' ')}`);
  console.log(`Auth0 Management API limit: ${FREE_TIER_MANAGEMENT_LIMIT.limit} requests per ${FREE_TIER_MANAGEMENT_LIMIT.perSeconds} s (Free tier); import jobs 50 + 100 ms; 80 % of signups with a password hash`);
  const rows: Row[] = [];
  for (const [label, s, seed] of [[`${n} over ${spread} s`, spread, 1], [`${n} at once`, 0, 2]] as const) {
    process.stdout.write(`  ${label} ... `);
    const r = await measure(label, n, s, seed);
    console.log(`lag p50 ${r.p50.toFixed(1)} s, p99 ${r.p99.toFixed(1)} s, drain ${r.drainS.toFixed(1)} s`);
    rows.push(r);
  }
  console.log(`\n${'burst'.padEnd(22)} ${'lag p50 s'.padStart(9)} ${'lag p99 s'.padStart(9)} ${'max s'.padStart(7)} ${'drain s'.padStart(8)} ${'total s'.padStart(8)} ${'mgmt calls'.padStart(10)} ${'jobs'.padStart(5)} ${'429s'.padStart(5)}`);
  for (const r of rows) console.log(`${r.label.padEnd(22)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(9)} ${r.max.toFixed(1).padStart(7)} ${r.drainS.toFixed(1).padStart(8)} ${r.totalS.toFixed(1).padStart(8)} ${String(r.mgmtCalls).padStart(10)} ${String(r.jobs).padStart(5)} ${String(r.served429).padStart(5)}`);
  console.log('\n  lag: signup (created_at) to its Auth0 user with its hash; drain: last signup to an empty backlog; mgmt calls: Management API requests the tenant received.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

// `npm run bench:reconcile -- --target clerk` (or `tsx bench/reconcile-bench-clerk.ts`):
// identities per second when a rollback's reconcile brings Olympus signups
// back to Clerk, through the reconcile engine (src/reconcile/reconcile-run.ts:
// Kratos admin pages -> window -> mapper -> ClerkTarget -> journal -> report)
// against the local Kratos admin and Clerk Backend API stand-ins, in process
// (scripts/reconcile.ts only knows Auth0 on this branch).
//
// Clerk's documented limits bind (clerk-docs guides/how-clerk-works/system-limits.mdx):
// 1,000 requests per 10 s per production instance (100 on development), and
// POST /v1/users 20 per 10 s (references/backend/user/create-user.mdx). Clerk
// has no bulk create, so one user is one POST and the create limit is the
// ceiling: 2 users/s sustained after a burst of 20, whatever switchback does.
// Runs: RECONCILE_BENCH_CLERK_WINDOW identities (default 100) at those limits;
// RECONCILE_BENCH_CLERK_FAST_WINDOW (default 2000) with the limits lifted
// (switchback's own cost, the stand-in's latency); the time for 10,000 is
// projected from each (measuring it at the real limit takes about 85 minutes).
// 80 % carry a hash (bcrypt/argon2id/pbkdf2-sha256: all convertible, kept),
// 20 % have none (needs_reset); 10 % more identities sit outside the window.
import { fileURLToPath } from 'node:url';
import { CLERK_CREATE_USER_LIMIT, CLERK_PROD_RATE_LIMIT, DEFAULT_CLERK_SECRET_KEY, startClerkApi } from '../dev/clerk-api/index.ts';
import { makeIdentities, startKratosAdmin } from '../dev/kratos-admin/index.ts';
import type { RateLimitConfig } from '../dev/auth0-api/token-bucket.ts';
import { ClerkBackendClient } from '../src/providers/admin/clerk-backend-client.ts';
import { ClerkTarget } from '../src/reconcile/clerk-target.ts';
import { memoryJournal } from '../src/reconcile/journal.ts';
import { KratosAdminClient } from '../src/reconcile/kratos-admin-client.ts';
import { reconcile, type ReconcileEvent } from '../src/reconcile/reconcile-run.ts';
import { machineInfo } from './machine-info.ts';
import { intEnv } from './env-int.ts';

const WINDOW = { from: new Date('2026-11-01T00:00:00.000Z'), to: new Date('2026-11-03T00:00:00.000Z') };
const UNLIMITED: RateLimitConfig = { limit: 1_000_000, perSeconds: 1, retryAfter: true };

export interface ClerkBenchRow {
  label: string;
  window: number;
  wallS: number;
  perS: number;
  kept: number;
  needsReset: number;
  calls: number;
  served429: number;
  waitedMs: number;
}

export async function measureClerk(label: string, window: number, limits: { instance: RateLimitConfig; create: RateLimitConfig }): Promise<ClerkBenchRow> {
  const total = Math.round(window / 0.9);
  const identities = makeIdentities(total, { seed: 2000 + window, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, hashShare: 0.8, outsideShare: (total - window) / total, emailPrefix: `clerk-bench-${window}-` });
  const kratos = await startKratosAdmin({ identities });
  const clerk = await startClerkApi({ rateLimit: limits.instance, createRateLimit: limits.create });
  try {
    const target = new ClerkTarget(new ClerkBackendClient({ secretKey: DEFAULT_CLERK_SECRET_KEY, apiUrl: clerk.url }), { maxAttempts: 1000 });
    const started = performance.now();
    const report = await reconcile(
      { kratos: new KratosAdminClient(kratos.url), target, journal: memoryJournal<ReconcileEvent>() },
      { window: WINDOW, runId: `bench-${window}`, dryRun: false, pageSize: 250, mode: 'single', importThreshold: Number.MAX_SAFE_INTEGER, checkCourier: false },
    );
    const wallS = (performance.now() - started) / 1000;
    const kept = report.lines.filter((l) => l.status === 'created_password_kept').length;
    const needsReset = report.lines.filter((l) => l.status === 'created_needs_reset').length;
    if (report.totals.in_window !== window || kept + needsReset !== window) throw new Error(`${label}: ${JSON.stringify(report.totals)}, expected ${window} created`);
    return { label, window, wallS, perS: window / wallS, kept, needsReset, calls: target.stats.calls, served429: clerk.calls.filter((c) => c.status === 429).length, waitedMs: target.stats.waitedMs };
  } finally {
    await clerk.stop();
    await kratos.stop();
  }
}

export async function runClerkReconcileBench(): Promise<ClerkBenchRow[]> {
  const size = intEnv('RECONCILE_BENCH_CLERK_WINDOW', 100, 20, 20_000);
  const fastSize = intEnv('RECONCILE_BENCH_CLERK_FAST_WINDOW', 2000, 20, 50_000);
  const m = machineInfo();
  console.log(`reconcile bench, target clerk: ${m.cpus} CPU (${m.cpuModel}), ${m.os}, ${m.node}, load ${m.loadAverageAtStart.join(' ')}`);
  console.log(`Clerk Backend API limits: ${CLERK_PROD_RATE_LIMIT.limit} requests per ${CLERK_PROD_RATE_LIMIT.perSeconds} s per production instance (system-limits), POST /v1/users ${CLERK_CREATE_USER_LIMIT.limit} per ${CLERK_CREATE_USER_LIMIT.perSeconds} s (create-user), 429 with Retry-After`);
  console.log('80 % with a convertible hash (kept), 20 % without (needs_reset), 10 % more outside the window; one POST /v1/users per user (Clerk has no bulk create)');
  const rows: ClerkBenchRow[] = [];
  for (const [label, window, limits] of [
    ['documented limits', size, { instance: CLERK_PROD_RATE_LIMIT, create: CLERK_CREATE_USER_LIMIT }],
    ['limits lifted', fastSize, { instance: UNLIMITED, create: UNLIMITED }],
  ] as const) {
    process.stdout.write(`  ${label} (${window} identities) ... `);
    const r = await measureClerk(label, window, limits);
    console.log(`${r.wallS.toFixed(1)} s, ${r.perS.toFixed(1)} identities/s, ${r.calls} calls, ${r.served429} 429s, waited ${(r.waitedMs / 1000).toFixed(1)} s`);
    rows.push(r);
  }
  const fmt = (s: number) => (s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);
  const rate = CLERK_CREATE_USER_LIMIT.limit / CLERK_CREATE_USER_LIMIT.perSeconds;
  console.log('\n10,000 identities:');
  // At the documented limits the first `burst` creates are free: project from the sustained rate after them, not the average.
  const [limited, lifted] = rows as [ClerkBenchRow, ClerkBenchRow];
  const burst = CLERK_CREATE_USER_LIMIT.burst ?? CLERK_CREATE_USER_LIMIT.limit;
  const sustained = (limited.window - burst) / limited.wallS;
  console.log(`  ${limited.label.padEnd(18)} projected ${fmt(burst / 1000 + (10_000 - burst) / sustained).padStart(9)} (${sustained.toFixed(2)} identities/s sustained after the burst of ${burst}, measured over ${limited.window})`);
  console.log(`  ${lifted.label.padEnd(18)} projected ${fmt(10_000 / lifted.perS).padStart(9)} (from ${lifted.perS.toFixed(1)} identities/s over ${lifted.window}: switchback and the stand-ins alone)`);
  console.log(`  ${'by the limit alone'.padEnd(18)} ${fmt((10_000 - CLERK_CREATE_USER_LIMIT.limit) / rate).padStart(19)} (burst of ${CLERK_CREATE_USER_LIMIT.limit}, then ${rate} creates/s)`);
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runClerkReconcileBench().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

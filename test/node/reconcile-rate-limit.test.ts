/**
 * Auth0's Management API rate limit, at the Free tier's documented 2
 * requests/second (burst 2), the stand-in's default: a reconcile of a small
 * window paces itself on x-ratelimit-remaining/-reset, and when the tenant's
 * bucket is also drained by another client (the limit is per tenant, shared
 * by every machine-to-machine app), it meets 429s, waits until
 * x-ratelimit-reset, retries, says so, and loses nothing.
 */
import { afterEach, expect, it } from 'vitest';
import { FREE_TIER_MANAGEMENT_LIMIT } from '../../dev/auth0-api/index.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { getToken } from './support/auth0-http.ts';
import { WINDOW, apiStats, byStatus, inWindow, isLegacy, startFixture, type Fixture } from './support/reconcile-harness.ts';

const NEIGHBOUR_PATH = '/api/v2/users/neighbour';
// 38 identities, 8 outside the window: 30 inside, a few of them legacy.
const dataset = () => makeIdentities(38, { seed: 41, from: WINDOW.from, to: WINDOW.to, legacyShare: 0.1 });
const toCreate = inWindow(dataset()).filter((i) => !isLegacy(i)).length;

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

function expectEveryoneBack(report: Awaited<ReturnType<Fixture['report']>>, f: Fixture) {
  expect(report.totals.in_window).toBe(30);
  expect(report.totals.failed).toBeUndefined();
  const created = report.lines.filter((l) => l.status.startsWith('created_'));
  expect(created).toHaveLength(toCreate);
  expect(toCreate).toBeGreaterThan(20);
  expect(created.every((l) => l.status === 'created_password_kept' || l.status === 'created_reset_sent')).toBe(true);
  for (const l of created) expect(f.auth0.usersByEmail(l.email!)).toHaveLength(1);
  expect(f.auth0.emails.map((e) => e.to).sort()).toEqual((byStatus(report).created_reset_sent ?? []).map((l) => l.email).sort());
}

it('at the Free tier limit (the stand-in\'s default: 2/s, burst 2), alone, paces itself on x-ratelimit-remaining and completes', async () => {
  expect(FREE_TIER_MANAGEMENT_LIMIT).toEqual({ limit: 2, perSeconds: 1 });
  fx = await startFixture({ identities: dataset(), auth0: { rateLimit: FREE_TIER_MANAGEMENT_LIMIT, importJobs: { pendingMs: 50, processingMs: 100 } } });
  const run = await fx.run();
  expect(run.code, run.output).toBe(0);
  expectEveryoneBack(await fx.report(), fx);
  const mgmt = fx.auth0.calls.filter((c) => c.path.startsWith('/api/v2/'));
  expect(mgmt[0]!.status).toBe(200);
  const stats = apiStats(run.stdout)!;
  expect(stats.waitedMs).toBeGreaterThan(0);
  // What the command counted is what the tenant answered.
  expect(stats.rateLimited).toBe(fx.auth0.calls.filter((c) => c.status === 429).length);
  // The bucket held: no more Management calls than burst + 2/s over the run.
  const ok = mgmt.filter((c) => c.status !== 429);
  const spanS = (ok.at(-1)!.at - ok[0]!.at) / 1000;
  expect(ok.length).toBeLessThanOrEqual(2 + Math.ceil(spanS * 2) + 1);
}, 60_000);

it('meets 429s when another client shares the tenant bucket, waits, retries and completes with nothing failed', async () => {
  fx = await startFixture({ identities: dataset(), auth0: { rateLimit: FREE_TIER_MANAGEMENT_LIMIT, importJobs: { pendingMs: 50, processingMs: 100 } } });
  const f = fx;
  const cli429s = () => f.auth0.calls.filter((c) => c.path !== NEIGHBOUR_PATH && c.status === 429).length;
  // Another M2M app of the tenant: one Management call a second (half the tenant's limit) until the run has met three 429s.
  const token = await getToken(f.auth0);
  let stop = false;
  const neighbour = (async () => {
    while (!stop && cli429s() < 3) {
      const res = await fetch(`${f.auth0.url}${NEIGHBOUR_PATH}`, { headers: { authorization: `Bearer ${token}` } });
      await res.body?.cancel();
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  // One by one: more Management calls than import jobs, so more chances to meet the wall.
  const run = await f.run(['--mode', 'single'], { timeoutMs: 80_000 });
  stop = true;
  await neighbour;
  expect(run.code, run.output).toBe(0);
  expectEveryoneBack(await f.report(), f);

  const met = cli429s();
  expect(met).toBeGreaterThanOrEqual(1);
  const waits = [...run.stderr.matchAll(/rate limited by Auth0, waiting (\d+) ms/g)].map((m) => Number(m[1]));
  expect(waits).toHaveLength(met);
  for (const w of waits) expect(w).toBeGreaterThanOrEqual(50);
  const stats = apiStats(run.stdout)!;
  expect(stats.rateLimited).toBe(met);
  expect(stats.waitedMs).toBeGreaterThanOrEqual(waits.reduce((a, b) => a + b, 0));
  // Every 429 was followed by the same call again, later, that succeeded.
  const cli = f.auth0.calls.filter((c) => c.path !== NEIGHBOUR_PATH);
  for (const [k, c] of cli.entries()) {
    if (c.status !== 429) continue;
    const retry = cli.slice(k + 1).find((x) => x.method === c.method && x.path === c.path && x.status !== 429);
    expect(retry, `${c.method} ${c.path} retried`).toBeDefined();
    expect(retry!.at - c.at).toBeGreaterThanOrEqual(50);
  }
}, 90_000);

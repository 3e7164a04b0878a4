/**
 * A reconcile stopped in the middle (the injected crash,
 * SWITCHBACK_RECONCILE_CRASH_AFTER, and a real SIGKILL of the process) and
 * run again ends where one clean run on an identical fresh dataset ends: the
 * same Auth0 users, hashes and emails, the same report, no user created
 * twice, no email sent twice.
 */
import { foldCheckpoint, type ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import { parseJsonLines } from '../../src/reconcile/journal.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, auth0State, runReconcile, startFixture, without, type Fixture } from './support/reconcile-harness.ts';
import { startHoldingProxy } from './support/reconcile-proxy.ts';

const dataset = () => makeIdentities(1000, { seed: 31, from: WINDOW.from, to: WINDOW.to }); // 800 in the window
let clean: Fixture;
let cleanReport: Report;

beforeAll(async () => {
  clean = await startFixture({ identities: dataset() });
  const run = await clean.run(['--page-size', '100']);
  expect(run.code, run.output).toBe(0);
  cleanReport = await clean.report();
  expect(cleanReport.totals.in_window).toBe(800);
}, 60_000);
afterAll(async () => clean?.stop());

const statuses = (r: Report) => Object.fromEntries(r.lines.map((l) => [l.identity_id, l.status]));

/** Invariants of any interrupted-then-finished run. */
function expectNoDuplicates(fx: Fixture, report: Report) {
  const perEmail = new Map<string, number>();
  for (const u of fx.auth0.users.values()) perEmail.set(u.profile.email, (perEmail.get(u.profile.email) ?? 0) + 1);
  expect([...perEmail].filter(([, n]) => n > 1)).toEqual([]);
  const sent = new Map<string, number>();
  for (const e of fx.auth0.emails) sent.set(e.to, (sent.get(e.to) ?? 0) + 1);
  expect([...sent].filter(([, n]) => n > 1), 'emails sent twice').toEqual([]);
  // One run: the resumed run keeps the interrupted run's id.
  expect(new Set([...fx.auth0.users.values()].map((u) => (u.profile.app_metadata as { reconcile_run?: string }).reconcile_run))).toEqual(new Set([report.run_id]));
}

it('after injected crashes (SWITCHBACK_RECONCILE_CRASH_AFTER) and a rerun, Auth0 and the report are those of one clean run', async () => {
  const fx = await startFixture({ identities: dataset() });
  try {
    const first = await fx.run(['--page-size', '100'], { env: { SWITCHBACK_RECONCILE_CRASH_AFTER: '170' } });
    expect(first.code, first.output).toBe(137);
    expect(first.stderr).toContain('crash injected after 170 identities');
    expect(existsSync(join(fx.dir, 'report.json'))).toBe(false);
    // The journal: one event per step, folded to the run's state.
    const cp = foldCheckpoint(parseJsonLines<ReconcileEvent>(readFileSync(join(fx.dir, 'checkpoint.json'), 'utf8'), 'journal'))!;
    expect(Object.keys(cp.lines).length).toBeGreaterThan(0);
    expect(Object.keys(cp.lines).length).toBeLessThanOrEqual(170);
    const usersAfterCrash = fx.auth0.users.size;
    expect(usersAfterCrash).toBeGreaterThan(0);

    const second = await fx.run(['--page-size', '100'], { env: { SWITCHBACK_RECONCILE_CRASH_AFTER: '230' } });
    expect(second.code, second.output).toBe(137);
    expect(second.stderr).toMatch(/resuming from .*checkpoint\.json \(\d+ identities done, page \d+\)/);
    expect(fx.auth0.users.size).toBeGreaterThan(usersAfterCrash);

    const last = await fx.run(['--page-size', '100']);
    expect(last.code, last.output).toBe(0);
    const report = await fx.report();
    expect(report.run_id).toBe(cp.run_id);
    expectNoDuplicates(fx, report);
    expect(report.totals).toEqual(cleanReport.totals);
    expect(statuses(report)).toEqual(statuses(cleanReport));
    expect(auth0State(fx.auth0)).toEqual(auth0State(clean.auth0));
  } finally {
    await fx.stop();
  }
}, 90_000);

it('after a SIGKILL in the middle of a page and a rerun, Auth0 holds the users of one clean run and nobody got two emails', async () => {
  const fx = await startFixture({ identities: dataset() });
  try {
    // Killed (the whole process group, as `kill -9` of the run) 100 ms after the third progress line: mid-page.
    const killed = await fx.run(['--page-size', '100'], { killWhen: (s) => (s.match(/ in window, /g) ?? []).length >= 3, killDelayMs: 100 });
    expect(killed.killed).toBe(true);
    expect(killed.signal, killed.output).toBe('SIGKILL');
    expect(existsSync(join(fx.dir, 'report.json'))).toBe(false);
    const before = fx.auth0.users.size;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(clean.auth0.users.size);

    const rerun = await fx.run(['--page-size', '100']);
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.stderr).toMatch(/resuming from /);
    const report = await fx.report();
    expectNoDuplicates(fx, report);
    const a = auth0State(fx.auth0);
    const b = auth0State(clean.auth0);
    expect(a.users).toEqual(b.users);
    // A kill can land while a reset email is in flight: that one is reported
    // `created_reset_unconfirmed` and never sent again (at most once); every
    // other line and email is the clean run's.
    const unconfirmed = report.lines.filter((l) => l.status === 'created_reset_unconfirmed');
    expect(unconfirmed.length).toBeLessThanOrEqual(1);
    const expected = { ...statuses(cleanReport) };
    for (const l of unconfirmed) {
      expect(expected[l.identity_id]).toBe('created_reset_sent');
      expected[l.identity_id] = 'created_reset_unconfirmed';
      expect(a.emails[`password_reset:${l.email}`] ?? 0).toBeLessThanOrEqual(1);
      delete a.emails[`password_reset:${l.email}`];
      delete b.emails[`password_reset:${l.email}`];
    }
    expect(statuses(report)).toEqual(expected);
    expect(a.emails).toEqual(b.emails);
  } finally {
    await fx.stop();
  }
}, 90_000);

it('killed after Auth0 sent a reset email but before the command heard back: the rerun reports it unconfirmed and never sends it again', async () => {
  const fx = await startFixture({ identities: makeIdentities(40, { seed: 32, from: WINDOW.from, to: WINDOW.to, hashShare: 0.4 }) });
  // Between the command and Auth0: the first change_password is handled by Auth0 (the email goes out), its answer never arrives.
  const proxy = await startHoldingProxy(fx.auth0.url, (method, path) => method === 'POST' && path === '/dbconnections/change_password');
  try {
    const viaProxy = [...without(fx.args(), '--auth0-management-url'), '--auth0-management-url', `${proxy.url}/api/v2`];
    const killed = await runReconcile(viaProxy, { cwd: fx.dir, killOn: proxy.held });
    expect(killed.killed, killed.output).toBe(true);
    expect(killed.signal).toBe('SIGKILL');
    expect(fx.auth0.emails).toHaveLength(1);
    const inFlight = fx.auth0.emails[0]!.to;

    const rerun = await runReconcile(viaProxy, { cwd: fx.dir });
    expect(rerun.code, rerun.output).toBe(0);
    const report = await fx.report();
    expect(report.lines.find((l) => l.email === inFlight)!.status).toBe('created_reset_unconfirmed');
    expect(rerun.stdout).toContain('needs attention:');
    expect(fx.auth0.emails.filter((e) => e.to === inFlight), 'the email was sent again').toHaveLength(1);
    expectNoDuplicates(fx, report);
    expect(report.totals.created_reset_sent).toBe(fx.auth0.emails.length - 1);
    expect(report.totals.created_reset_sent).toBeGreaterThan(2);
  } finally {
    await proxy.stop();
    await fx.stop();
  }
}, 60_000);

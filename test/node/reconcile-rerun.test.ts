/**
 * Reconcile is idempotent: running it again over the same window creates no
 * user and sends no email, whether the rerun resumes the finished checkpoint
 * (same directory) or starts afresh (another machine or directory, a deleted
 * checkpoint): the users the first run created are then `skipped_exists`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, auth0State, inWindow, startFixture, writeCalls, type Fixture } from './support/reconcile-harness.ts';

let fx: Fixture;
let first: Report;
let stateAfterFirst: ReturnType<typeof auth0State>;

beforeAll(async () => {
  fx = await startFixture({ identities: makeIdentities(300, { seed: 21, from: WINDOW.from, to: WINDOW.to }) });
  const run = await fx.run();
  expect(run.code, run.output).toBe(0);
  first = await fx.report();
  stateAfterFirst = auth0State(fx.auth0);
  expect(first.totals.created_reset_sent).toBeGreaterThan(10);
  expect(first.totals.created_password_kept).toBeGreaterThan(50);
}, 60_000);
afterAll(async () => fx?.stop());

it('a rerun with the same checkpoint resumes nothing, writes nothing and reports the same lines', async () => {
  const callsBefore = fx.auth0.calls.length;
  const run = await fx.run(['--report', `${fx.dir}/rerun-same.json`]);
  expect(run.code, run.output).toBe(0);
  const again = await fx.report('rerun-same.json');
  expect(again.run_id).toBe(first.run_id);
  expect(again.lines).toEqual(first.lines);
  expect(again.totals).toEqual(first.totals);
  expect(writeCalls(fx.auth0).filter((c) => fx.auth0.calls.indexOf(c) >= callsBefore)).toEqual([]);
  expect(auth0State(fx.auth0)).toEqual(stateAfterFirst);
}, 30_000);

it('a rerun from a fresh checkpoint creates nothing, sends no email, and reports every created user as skipped_exists', async () => {
  const run = await fx.run(['--checkpoint', `${fx.dir}/fresh.checkpoint.json`, '--report', `${fx.dir}/rerun-fresh.json`]);
  expect(run.code, run.output).toBe(0);
  const again = await fx.report('rerun-fresh.json');
  expect(again.run_id).not.toBe(first.run_id);
  // Not one more email, not one more user, nothing changed.
  expect(fx.auth0.emails.length, 'reset emails sent again by the rerun').toBe(first.totals.created_reset_sent);
  expect(fx.auth0.users.size).toBe(stateAfterFirst.users.length);
  expect(auth0State(fx.auth0)).toEqual(stateAfterFirst);
  const firstStatus = new Map(first.lines.map((l) => [l.identity_id, l.status]));
  const unexpected = again.lines.filter((l) => {
    const before = firstStatus.get(l.identity_id)!;
    return before.startsWith('created_') ? l.status !== 'skipped_exists' : l.status !== before;
  });
  expect(unexpected.map((l) => `${l.email} ${firstStatus.get(l.identity_id)} -> ${l.status}`)).toEqual([]);
  expect(again.lines.map((l) => l.identity_id)).toEqual(first.lines.map((l) => l.identity_id));
  expect(again.totals.in_window).toBe(inWindow([...fx.kratos.identities.values()]).length);
  // Every skipped line names the existing Auth0 user.
  for (const l of again.lines.filter((x) => x.status === 'skipped_exists')) expect(fx.auth0.users.has(l.auth0_user_id!)).toBe(true);
}, 30_000);

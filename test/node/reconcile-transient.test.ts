/**
 * Transient failures of Kratos and Auth0 (5xx answers, a dropped
 * connection) during a reconcile are retried: the run completes with
 * nothing failed, no user created twice and no email sent twice. Kratos
 * down for longer than the retries stops the run (exit 1, checkpoint kept),
 * and a rerun finishes it.
 */
import { afterEach, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import type { RecordedCall } from '../../dev/auth0-api/index.ts';
import { WINDOW, auth0State, inWindow, isLegacy, startFixture, type Fixture } from './support/reconcile-harness.ts';

const dataset = () => makeIdentities(300, { seed: 81, from: WINDOW.from, to: WINDOW.to }); // 240 in the window
let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

/** Matches `method path` (path prefix) from the `after`-th such request on (1-based). */
function nth(method: string, path: string, after = 1) {
  let seen = 0;
  return (m: string, p: string) => m === method && p.startsWith(path) && ++seen >= after;
}

function expectComplete(f: Fixture, report: Awaited<ReturnType<Fixture['report']>>) {
  const inside = inWindow([...f.kratos.identities.values()]);
  expect(report.totals.in_window).toBe(inside.length);
  expect(report.totals.failed, JSON.stringify(report.lines.filter((l) => l.status === 'failed'))).toBeUndefined();
  expect(report.totals.created_reset_failed).toBeUndefined();
  expect(report.totals.created_reset_unconfirmed).toBeUndefined();
  const toCreate = inside.filter((i) => !isLegacy(i));
  expect(f.auth0.users.size).toBe(toCreate.length);
  for (const i of toCreate) expect(f.auth0.usersByEmail(i.traits.email)).toHaveLength(1);
  const { emails } = auth0State(f.auth0);
  expect(Object.values(emails).every((n) => n === 1)).toBe(true);
  expect(Object.keys(emails)).toHaveLength(report.totals.created_reset_sent!);
}

const statuses = (calls: RecordedCall[], path: string) => calls.filter((c) => c.path.startsWith(path)).map((c) => c.status);

it('retries 5xx and dropped connections from Kratos and from Auth0 and completes', async () => {
  fx = await startFixture({ identities: dataset() });
  const { kratos, auth0 } = fx;
  // Kratos: the 3rd and 4th identity pages answer 503 and 500; the 6th loses its connection.
  kratos.failNext(1, 503, nth('GET', '/admin/identities', 3));
  kratos.failNext(1, 500, nth('GET', '/admin/identities', 3));
  kratos.faults.dropNext(1, nth('GET', '/admin/identities', 6));
  // Auth0: the token, an import job, a job poll, a user creation, a reset email, a lookup.
  auth0.failNext(1, 503, nth('POST', '/oauth/token'));
  auth0.failNext(2, 500, nth('POST', '/api/v2/jobs/users-imports'));
  auth0.failNext(1, 502, nth('GET', '/api/v2/jobs/job_', 2));
  auth0.failNext(2, 503, nth('POST', '/api/v2/users', 3));
  auth0.failNext(1, 500, nth('POST', '/dbconnections/change_password', 2));
  auth0.faults.dropNext(1, nth('POST', '/api/v2/users', 8));

  const run = await fx.run(['--page-size', '60', '--mode', 'single']);
  expect(run.code, run.output).toBe(0);
  expectComplete(fx, await fx.report());

  // Every fault was served, then the same request succeeded.
  expect(statuses(kratos.calls, '/admin/identities').filter((s) => s >= 500)).toEqual([503, 500]);
  expect(statuses(kratos.calls, '/admin/identities').filter((s) => s === 0)).toHaveLength(1); // the dropped one
  expect(statuses(auth0.calls, '/oauth/token')).toEqual([503, 200]);
  expect(statuses(auth0.calls, '/api/v2/jobs/users-imports').slice(0, 3)).toEqual([500, 500, 202]);
  expect(statuses(auth0.calls, '/api/v2/jobs/job_').filter((s) => s === 502)).toHaveLength(1);
  expect(statuses(auth0.calls, '/api/v2/users').filter((s) => s === 503)).toHaveLength(2);
  expect(statuses(auth0.calls, '/api/v2/users').filter((s) => s === 0)).toHaveLength(1);
  expect(statuses(auth0.calls, '/dbconnections/change_password').filter((s) => s === 500)).toHaveLength(1);
  expect(fx.kratos.faults.take('GET', '/admin/identities')).toBeUndefined();
  expect(auth0.faults.take('POST', '/api/v2/users')).toBeUndefined();
  // One by one (--mode single): POST /users was really exercised.
  expect(statuses(auth0.calls, '/api/v2/users').filter((s) => s === 201).length).toBeGreaterThan(10);
}, 60_000);

it('stops with exit 1 when Kratos stays down, keeping the checkpoint, and a rerun completes', async () => {
  fx = await startFixture({ identities: dataset() });
  const f = fx;
  // Down from the 4th identity page on, for longer than the client's retries.
  let pages = 0;
  f.kratos.failNext(100, 503, (m, p) => m === 'GET' && p === '/admin/identities' && ++pages >= 4);
  const first = await f.run(['--page-size', '60', '--no-count']);
  expect(first.code, first.output).toBe(1);
  expect(first.stderr).toContain('reconcile: GET /admin/identities answered HTTP 503');
  const usersBefore = f.auth0.users.size;
  expect(usersBefore).toBeGreaterThan(0);

  f.kratos.faults.clear();
  const second = await f.run(['--page-size', '60', '--no-count']);
  expect(second.code, second.output).toBe(0);
  expect(second.stderr).toMatch(/resuming from .*\(\d+ identities done, page 2\)/);
  expectComplete(f, await f.report());
}, 60_000);

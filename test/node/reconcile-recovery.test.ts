/**
 * What an operator does after a reconcile reported problems: run it again
 * (same directory, same checkpoint). Identities that failed and reset emails
 * Auth0 refused are retried by that rerun, without creating anyone twice or
 * emailing anyone twice; until then the exit code says something needs
 * attention (3).
 *
 * Auth0 refusals are injected as non-retryable 400s so that they happen at
 * once (a 5xx is retried by the client for ~16 s before it gives up, which
 * ends the same way).
 */
import { afterEach, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { WINDOW, auth0State, inWindow, isLegacy, startFixture, type Fixture } from './support/reconcile-harness.ts';

const dataset = () => makeIdentities(200, { seed: 91, from: WINDOW.from, to: WINDOW.to }); // 160 in the window, one page
let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

function nth(method: string, path: string, after = 1) {
  let seen = 0;
  return (m: string, p: string) => m === method && p.startsWith(path) && ++seen >= after;
}

async function expectAllBackOnce(f: Fixture) {
  const report = await f.report();
  const toCreate = inWindow([...f.kratos.identities.values()]).filter((i) => !isLegacy(i));
  expect(report.lines.filter((l) => !l.status.startsWith('created_') && l.status !== 'skipped_legacy')).toEqual([]);
  expect(report.totals.created_reset_failed).toBeUndefined();
  expect(f.auth0.users.size).toBe(toCreate.length);
  for (const i of toCreate) expect(f.auth0.usersByEmail(i.traits.email)).toHaveLength(1);
  const { emails } = auth0State(f.auth0);
  expect(Object.entries(emails).filter(([, n]) => n !== 1)).toEqual([]);
  expect(Object.keys(emails).sort()).toEqual(report.lines.filter((l) => l.status === 'created_reset_sent').map((l) => `password_reset:${l.email}`).sort());
  return report;
}

it('reset emails Auth0 refused: exit 3, and a rerun with the same checkpoint sends exactly those, once', async () => {
  fx = await startFixture({ identities: dataset() });
  fx.auth0.failNext(3, 400, nth('POST', '/dbconnections/change_password', 2));
  const first = await fx.run();
  const report = await fx.report();
  expect(report.totals.created_reset_failed).toBe(3);
  expect(first.stdout).toContain('needs attention:');
  expect(first.code, 'reset emails failed: users who cannot sign in, the exit code must say so').toBe(3);
  const sentBefore = fx.auth0.emails.length;

  const rerun = await fx.run();
  expect(rerun.code, rerun.output).toBe(0);
  const after = await expectAllBackOnce(fx);
  expect(fx.auth0.emails.length).toBe(sentBefore + 3);
  expect(after.run_id).toBe(report.run_id);
}, 60_000);

it('an import job whose result could not be read: failed lines, exit 3, and a rerun finishes those identities (with their reset emails)', async () => {
  fx = await startFixture({ identities: dataset() });
  // The job runs and creates its users, but reading its status fails once: the command cannot tell what happened.
  fx.auth0.failNext(1, 400, nth('GET', '/api/v2/jobs/job_'));
  const first = await fx.run();
  expect(first.code, first.output).toBe(3);
  const report = await fx.report();
  expect(report.totals.failed).toBeGreaterThan(100);
  expect(fx.auth0.users.size).toBeGreaterThan(100); // created by the job meanwhile
  expect(fx.auth0.emails).toEqual([]);

  const rerun = await fx.run();
  expect(rerun.code, rerun.output).toBe(0);
  const after = await expectAllBackOnce(fx);
  expect(after.totals.created_reset_sent).toBeGreaterThan(10);
}, 60_000);

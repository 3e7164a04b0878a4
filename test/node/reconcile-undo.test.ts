/**
 * `reconcile --undo <report>` removes exactly the Auth0 users that run
 * created: not the users that were already there, not the ones another run
 * (another window, or the same window again) created, not a user someone
 * re-created under the same email; `--dry-run` only counts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, type StoredUser } from '../../dev/auth0-api/index.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, hashOf, inWindow, isLegacy, runReconcile, startFixture, without, type Fixture } from './support/reconcile-harness.ts';

const W2 = { from: '2026-11-10T00:00:00.000Z', to: '2026-11-11T00:00:00.000Z' };
const first = makeIdentities(150, { seed: 71, from: WINDOW.from, to: WINDOW.to, outsideShare: 0 });
const second = makeIdentities(60, { seed: 72, from: W2.from, to: W2.to, outsideShare: 0, emailPrefix: 'w2-' });

let fx: Fixture;
let r1: Report;
let r2: Report;
const kept = new Map<string, StoredUser>();
let createdByR1: string[];
let createdByR2: string[];

const undo = (report: string, ...extra: string[]) =>
  runReconcile(
    ['--undo', join(fx.dir, report), '--auth0-management-url', fx.auth0.managementUrl, '--auth0-mgmt-client-id', DEFAULT_AUTH0_CLIENT.client_id, '--auth0-mgmt-client-secret', DEFAULT_AUTH0_CLIENT.client_secret, ...extra],
    { cwd: fx.dir },
  );
const userIdsOf = (run: string) => [...fx.auth0.users.values()].filter((u) => (u.profile.app_metadata as { reconcile_run?: string } | undefined)?.reconcile_run === run).map((u) => u.profile.user_id).sort();

beforeAll(async () => {
  fx = await startFixture({ identities: [...first, ...second] });
  // Already in Auth0: one with the email of an identity in the window, one unrelated.
  const clash = inWindow(first).find((i) => !isLegacy(i) && hashOf(i))!;
  for (const u of [fx.auth0.seedUser({ email: clash.traits.email, app_metadata: { plan: 'pro' } }), fx.auth0.seedUser({ email: 'someone@else.test' })]) kept.set(u.profile.user_id, structuredClone(u));

  // Run 1, one by one (reset users get their Auth0 id in the report, imported ones do not); run 2 on another window.
  const a = await fx.run(['--mode', 'single', '--checkpoint', join(fx.dir, 'cp1.json'), '--report', join(fx.dir, 'r1.json')]);
  expect(a.code, a.output).toBe(0);
  const b = await runReconcile(
    [...without(fx.args(['--checkpoint', join(fx.dir, 'cp2.json'), '--report', join(fx.dir, 'r2.json')]), '--from', '--to'), '--from', W2.from, '--to', W2.to],
    { cwd: fx.dir },
  );
  expect(b.code, b.output).toBe(0);
  r1 = await fx.report('r1.json');
  r2 = await fx.report('r2.json');
  expect(r1.totals.skipped_exists).toBe(1);
  createdByR1 = userIdsOf(r1.run_id);
  createdByR2 = userIdsOf(r2.run_id);
  expect(createdByR1.length).toBe(r1.lines.filter((l) => l.status.startsWith('created_')).length);
  expect(createdByR2.length).toBeGreaterThan(20);
  expect(r1.lines.some((l) => l.status.startsWith('created_') && l.auth0_user_id)).toBe(true);
  expect(r1.lines.some((l) => l.status.startsWith('created_') && !l.auth0_user_id)).toBe(true);
}, 60_000);
afterAll(async () => fx?.stop());

it('--dry-run counts what it would delete and deletes nothing', async () => {
  const before = fx.auth0.users.size;
  const r = await undo('r1.json', '--dry-run');
  expect(r.code, r.output).toBe(0);
  expect(r.stdout).toContain(`${createdByR1.length} deleted, 0 already gone, 0 kept (not created by that run) (dry run)`);
  expect(fx.auth0.users.size).toBe(before);
  expect(fx.auth0.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
});

it('a report of another run (its run id) deletes none of run 1’s users, even with the same lines', async () => {
  await writeFile(join(fx.dir, 'r1-other.json'), JSON.stringify({ ...r1, run_id: 'rc-someone-else' }));
  const r = await undo('r1-other.json');
  expect(r.code, r.output).toBe(0);
  expect(r.stdout).toContain(`: 0 deleted, 0 already gone, ${createdByR1.length} kept (not created by that run)`);
  expect(userIdsOf(r1.run_id)).toEqual(createdByR1);
  expect(fx.auth0.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
});

it('a rerun of the same window by another run undoes nothing of the first', async () => {
  const r3 = await fx.run(['--checkpoint', join(fx.dir, 'cp3.json'), '--report', join(fx.dir, 'r3.json')]);
  expect(r3.code, r3.output).toBe(0);
  const r = await undo('r3.json');
  expect(r.code, r.output).toBe(0);
  expect(r.stdout).toMatch(/: 0 deleted, /);
  expect(userIdsOf(r1.run_id)).toEqual(createdByR1);
  expect(fx.auth0.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
}, 30_000);

it('removes exactly the users run 1 created, reporting those already gone, and touches nothing else', async () => {
  // One of run 1's users deleted by hand since, another deleted and re-created by someone else under the same email.
  const byHand = r1.lines.find((l) => l.status === 'created_reset_sent' && l.auth0_user_id)!;
  fx.auth0.users.delete(byHand.auth0_user_id!);
  const imported = r1.lines.find((l) => l.status === 'created_password_kept' && !l.auth0_user_id)!;
  const importedId = fx.auth0.usersByEmail(imported.email!)[0]!.profile.user_id;
  fx.auth0.users.delete(importedId);
  const recreated = fx.auth0.seedUser({ email: imported.email!, name: 'Re-created by support' });
  kept.set(recreated.profile.user_id, structuredClone(recreated));

  const r = await undo('r1.json');
  expect(r.code, r.output).toBe(0);
  expect(r.stdout).toContain(`undo ${join(fx.dir, 'r1.json')}: ${createdByR1.length - 2} deleted, 2 already gone, 0 kept (not created by that run)`);
  expect(userIdsOf(r1.run_id)).toEqual([]);
  expect(userIdsOf(r2.run_id)).toEqual(createdByR2);
  for (const [id, user] of kept) expect(fx.auth0.users.get(id)).toEqual(user);
  expect(fx.auth0.users.size).toBe(kept.size + createdByR2.length);
  const deletes = fx.auth0.calls.filter((c) => c.method === 'DELETE').map((c) => decodeURIComponent(c.path.replace('/api/v2/users/', '')));
  expect(deletes.sort()).toEqual(createdByR1.filter((id) => id !== byHand.auth0_user_id && id !== importedId));

  // Again: nothing left to delete.
  const again = await undo('r1.json');
  expect(again.code, again.output).toBe(0);
  expect(again.stdout).toContain(`: 0 deleted, ${createdByR1.length} already gone, 0 kept`);
  expect(fx.auth0.users.size).toBe(kept.size + createdByR2.length);
}, 30_000);

it('undo of run 2 then removes run 2’s users only', async () => {
  const r = await undo('r2.json');
  expect(r.code, r.output).toBe(0);
  expect(r.stdout).toContain(`${createdByR2.length} deleted, 0 already gone, 0 kept`);
  expect([...fx.auth0.users.keys()].sort()).toEqual([...kept.keys()].sort());
}, 30_000);

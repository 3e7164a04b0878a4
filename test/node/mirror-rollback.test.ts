/**
 * A rollback after the mirror: `switchback reconcile` over the window finds
 * the mirrored users already in Auth0. Users mirrored with their hash get no
 * email and are reported `mirrored`; users mirrored without one get exactly
 * one reset email (the run claims it on the user first); a second run, or a
 * run after the Workflow claimed them, creates nobody and emails nobody again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT } from '../../dev/auth0-api/index.ts';
import type { KratosIdentity } from '../../dev/kratos-admin/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { burst, signUp, startMirrorFixture, type MirrorFixture } from './support/mirror-harness.ts';
import { hashOf, isLegacy, runReconcile } from './support/reconcile-harness.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

let fx: MirrorFixture;
let list: KratosIdentity[];
const from = new Date(Date.now() - 3600_000).toISOString();
const to = new Date(Date.now() + 3600_000).toISOString();

async function reconcileRun(name: string) {
  const args = ['--from', from, '--to', to, '--kratos-admin-url', fx.kratos.url, '--auth0-management-url', fx.auth0.managementUrl, '--auth0-mgmt-client-id', DEFAULT_AUTH0_CLIENT.client_id, '--auth0-mgmt-client-secret', DEFAULT_AUTH0_CLIENT.client_secret, '--auth0-connection', fx.auth0.connection.name, '--checkpoint', join(fx.dir, `${name}.checkpoint`), '--report', join(fx.dir, `${name}.json`)];
  const run = await runReconcile(args, { cwd: fx.dir });
  expect(run.code, run.output).toBe(0);
  return { run, report: JSON.parse(await readFile(join(fx.dir, `${name}.json`), 'utf8')) as Report };
}

beforeAll(async () => {
  fx = await startMirrorFixture();
  const m = await fx.start();
  list = burst(300, 21);
  await signUp(fx.kratos, m.url, list);
  await m.idle(30_000);
  expect(fx.auth0.emails).toEqual([]);
}, 60_000);
afterAll(async () => fx?.stop());

const resets = () => fx.auth0.emails.filter((e) => e.kind === 'password_reset').map((e) => e.to);

it('the reconcile after a mirrored burst: zero emails to users mirrored with their hash, one to each mirrored without, nobody created', async () => {
  const usersBefore = fx.auth0.users.size;
  const { run, report } = await reconcileRun('first');
  const byId = new Map(report.lines.map((l) => [l.identity_id, l]));
  const withHash = list.filter((i) => !isLegacy(i) && hashOf(i));
  const without = list.filter((i) => !isLegacy(i) && !hashOf(i));
  expect(withHash.map((i) => byId.get(i.id)?.status).filter((s) => s !== 'mirrored')).toEqual([]);
  expect(without.map((i) => [byId.get(i.id)?.status, byId.get(i.id)?.mirrored_by?.startsWith('mirror-')]).filter(([s, m]) => s !== 'created_reset_sent' || !m)).toEqual([]);
  expect(resets().sort()).toEqual(without.map((i) => i.traits.email).sort());
  expect(fx.auth0.users.size).toBe(usersBefore);
  expect(run.stdout).toContain(`already mirrored (no email): ${withHash.length}; mirrored without a password (one reset email): ${without.length}; needed the reconcile: 0`);
}, 60_000);

it('a second run (another operator, or after the Workflow) creates nobody and emails nobody again', async () => {
  const sent = resets().length;
  const { report } = await reconcileRun('second');
  expect(resets()).toHaveLength(sent);
  expect(report.totals.created_reset_sent ?? 0).toBe(0);
  expect(report.totals.skipped_exists).toBe(list.filter((i) => !isLegacy(i) && !hashOf(i)).length);
  expect(report.totals.mirrored).toBe(list.filter((i) => !isLegacy(i) && hashOf(i)).length);
  const perEmail = new Map<string, number>();
  for (const u of fx.auth0.users.values()) perEmail.set(u.profile.email, (perEmail.get(u.profile.email) ?? 0) + 1);
  expect([...perEmail].filter(([, n]) => n > 1)).toEqual([]);
}, 60_000);

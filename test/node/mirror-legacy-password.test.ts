/**
 * The reverse of the password migration hook: Dana was imported from Auth0
 * into Olympus without a hash (use_password_migration_hook), moved her
 * password at her first sign-in through the hook, then CHANGED it in
 * Olympus. Auth0 still holds the old one; a rollback must not undo the
 * change (src/reconcile/legacy-password.ts).
 *
 * - Default policy: the mirror never recreates her real account; it notes
 *   the change on it, and the reconcile at rollback sends her exactly one
 *   reset email (a second reconcile emails nobody).
 * - MIRROR_LEGACY_PASSWORD_CHANGES=recreate: the mirror re-imports her
 *   under the same user_id with the new hash: the new password signs in at
 *   the Auth0 stand-in, the old one no longer does; the reconcile emails
 *   nobody.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, type Auth0Client } from '../../dev/auth0-api/index.ts';
import { PASSWORD_REALM_GRANT } from '../../dev/auth0-api/password-realm.ts';
import { hashPassword, identityFor } from '../../dev/kratos-admin/identity-directory.ts';
import type { KratosIdentity } from '../../dev/kratos-admin/index.ts';
import type { LegacyPasswordPolicy } from '../../src/reconcile/legacy-password.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { postHook, startMirrorFixture, type MirrorFixture } from './support/mirror-harness.ts';
import { runReconcile } from './support/reconcile-harness.ts';

const HOOK_CLIENT: Auth0Client = { client_id: 'hook-client', client_secret: 'hook-secret', grantTypes: [PASSWORD_REALM_GRANT] };
const DANA = { email: 'dana@example.com', id: 'dana0001', old: 'dana-legacy-password', changed: 'dana-new-olympus-password' };
const from = new Date(Date.now() - 3600_000).toISOString();
const to = new Date(Date.now() + 3600_000).toISOString();

let fx: MirrorFixture | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

async function signsInAtAuth0(f: MirrorFixture, password: string): Promise<boolean> {
  const res = await fetch(`${f.auth0.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PASSWORD_REALM_GRANT, client_id: HOOK_CLIENT.client_id, client_secret: HOOK_CLIENT.client_secret, username: DANA.email, password, realm: f.auth0.connection.name, scope: 'openid' }),
  });
  await res.body?.cancel();
  return res.status === 200;
}

/** Dana in Auth0 (her real account, with what a real account carries), imported into Olympus without a hash. */
async function setUp(policy: LegacyPasswordPolicy, beforeChange?: (f: MirrorFixture) => void) {
  fx = await startMirrorFixture({ auth0: { clients: [DEFAULT_AUTH0_CLIENT, HOOK_CLIENT] } });
  fx.auth0.seedUser({ user_id: DANA.id, email: DANA.email, email_verified: true, given_name: 'Dana', family_name: 'Scully', user_metadata: { theme: 'dark' }, app_metadata: { plan: 'pro' } }, { kind: 'password', password: DANA.old });
  const imported = new Date(Date.now() - 2 * 86400_000).toISOString();
  const identity: KratosIdentity = identityFor({ sub: crypto.randomUUID(), email: DANA.email, password: 'unused', given_name: 'Dana', family_name: 'Scully', legacyAuth0Id: `auth0|${DANA.id}`, createdAt: imported });
  identity.credentials!.password!.config = { use_password_migration_hook: true };
  fx.kratos.addIdentities([identity]);
  const m = await fx.start({ legacyPasswordChanges: policy });
  await m.idle();
  expect(m.mirror.entry(identity.id)?.legacy?.seen).toBe('pending');
  const setPassword = (password: string) => {
    const stored = fx!.kratos.identities.get(identity.id)!;
    stored.credentials!.password!.config = { hashed_password: hashPassword(password) };
    stored.credentials!.password!.updated_at = stored.updated_at = new Date().toISOString();
  };
  // Her first sign-in in Olympus: the hook checked the password at Auth0, Kratos stored its own hash of it.
  setPassword(DANA.old);
  await m.sweep();
  await m.idle();
  expect(m.mirror.entry(identity.id)?.legacy?.change).toBeUndefined();
  expect(m.mirror.snapshot().counts.legacy_password_changed).toBe(0);
  expect(fx.auth0.users.get(`auth0|${DANA.id}`)?.profile.app_metadata).toEqual({ plan: 'pro' });
  // Then she changes it in Olympus's settings flow, whose web hook tells the mirror.
  beforeChange?.(fx);
  setPassword(DANA.changed);
  expect(await postHook(m.url, fx.kratos.identities.get(identity.id)!)).toBe(202);
  await m.idle();
  return { m, identity };
}

async function reconcileRun(f: MirrorFixture, name: string) {
  const args = ['--from', from, '--to', to, '--kratos-admin-url', f.kratos.url, '--auth0-management-url', f.auth0.managementUrl, '--auth0-mgmt-client-id', DEFAULT_AUTH0_CLIENT.client_id, '--auth0-mgmt-client-secret', DEFAULT_AUTH0_CLIENT.client_secret, '--auth0-connection', f.auth0.connection.name, '--checkpoint', join(f.dir, `${name}.checkpoint`), '--report', join(f.dir, `${name}.json`)];
  const run = await runReconcile(args, { cwd: f.dir });
  expect(run.code, run.output).toBe(0);
  return JSON.parse(await readFile(join(f.dir, `${name}.json`), 'utf8')) as Report;
}

const resets = (f: MirrorFixture) => f.auth0.emails.filter((e) => e.kind === 'password_reset').map((e) => e.to);

it('default: her real Auth0 account is left as it is, noted; the reconcile at rollback sends her one reset email, a second one nobody', async () => {
  const { m, identity } = await setUp('reset');
  const user = fx!.auth0.users.get(`auth0|${DANA.id}`)!;
  expect(user.profile.app_metadata).toMatchObject({ plan: 'pro', password_change_state: 'reset', password_change_noted_by: m.mirror.runId });
  expect(await signsInAtAuth0(fx!, DANA.old)).toBe(true); // not recreated: Auth0 still has the old password
  expect(m.mirror.snapshot().counts).toMatchObject({ legacy_password_changed: 1, old_password_if_rolled_back_now: 1 });
  expect(fx!.auth0.emails).toEqual([]);

  const first = await reconcileRun(fx!, 'first');
  const line = first.lines.find((l) => l.identity_id === identity.id);
  expect(line).toMatchObject({ status: 'password_changed_reset_sent', auth0_user_id: `auth0|${DANA.id}`, email: DANA.email });
  expect(resets(fx!)).toEqual([DANA.email]);
  expect(fx!.auth0.users.get(`auth0|${DANA.id}`)!.profile.app_metadata).toMatchObject({ reset_claimed_by: first.run_id });

  const second = await reconcileRun(fx!, 'second');
  expect(second.lines.find((l) => l.identity_id === identity.id)?.status).toBe('password_changed_reset_claimed');
  expect(resets(fx!)).toEqual([DANA.email]);
  expect(fx!.auth0.users.size).toBe(1);
}, 60_000);

it('MIRROR_LEGACY_PASSWORD_CHANGES=recreate: re-imported under the same user_id with the new hash; the new password signs in, the old does not; no email', async () => {
  const { m, identity } = await setUp('recreate');
  const user = fx!.auth0.users.get(`auth0|${DANA.id}`)!;
  expect(user.profile).toMatchObject({ user_id: `auth0|${DANA.id}`, email: DANA.email, given_name: 'Dana', user_metadata: { theme: 'dark' }, app_metadata: { plan: 'pro', password_change_state: 'carried' } });
  expect(fx!.auth0.users.size).toBe(1);
  expect(await signsInAtAuth0(fx!, DANA.changed)).toBe(true);
  expect(await signsInAtAuth0(fx!, DANA.old)).toBe(false);
  expect(m.mirror.snapshot().counts).toMatchObject({ legacy_password_changed: 1, old_password_if_rolled_back_now: 0 });

  // A sweep finds nothing more to do (the digest of the carried hash is remembered).
  expect(await m.sweep()).toMatchObject({ queued: 0 });

  const report = await reconcileRun(fx!, 'after');
  expect(report.lines.find((l) => l.identity_id === identity.id)?.status).toBe('password_changed_carried');
  expect(fx!.auth0.emails).toEqual([]);
}, 60_000);


it('recreate, interrupted between the delete and the re-import: the next mirror puts her account back as it was (profile and metadata from its journal, not from Olympus), with the new hash', async () => {
  // The re-import is refused once (400, not retried) after her account was deleted: it is gone until the next attempt.
  const { m, identity } = await setUp('recreate', (f) => f.auth0.failNext(1, 400, (method, path) => method === 'POST' && path.endsWith('/jobs/users-imports')));
  expect(fx!.auth0.users.get(`auth0|${DANA.id}`)).toBeUndefined();
  expect(m.mirror.snapshot().counts).toMatchObject({ old_password_if_rolled_back_now: 1 });
  await m.stop();

  // Olympus's profile differs from her Auth0 account (no metadata, another given name): the journal, not Olympus, rebuilds it.
  fx!.kratos.identities.get(identity.id)!.traits = { ...fx!.kratos.identities.get(identity.id)!.traits, given_name: 'Olympus-Dana' };
  const next = await fx!.start({ legacyPasswordChanges: 'recreate' });
  await next.sweep();
  await next.idle();
  const user = fx!.auth0.users.get(`auth0|${DANA.id}`)!;
  expect(user.profile).toMatchObject({ user_id: `auth0|${DANA.id}`, email: DANA.email, email_verified: true, given_name: 'Dana', family_name: 'Scully', user_metadata: { theme: 'dark' }, app_metadata: { plan: 'pro', password_change_state: 'carried' } });
  expect(await signsInAtAuth0(fx!, DANA.changed)).toBe(true);
  expect(await signsInAtAuth0(fx!, DANA.old)).toBe(false);
  expect(next.mirror.snapshot().counts).toMatchObject({ legacy_password_changed: 1, old_password_if_rolled_back_now: 0 });
  // The journal held her account as it was (to survive the interruption), never her password hash.
  const journal = await readFile(fx!.journalPath, 'utf8');
  expect(journal).toContain('"kept":{');
  expect(journal).not.toContain(fx!.kratos.identities.get(identity.id)!.credentials!.password!.config!.hashed_password as string);
}, 60_000);

it('recreate keeps a blocked account blocked: the new hash is carried, the block with it', async () => {
  await setUp('recreate', (f) => {
    f.auth0.users.get(`auth0|${DANA.id}`)!.profile.blocked = true;
  });
  const user = fx!.auth0.users.get(`auth0|${DANA.id}`)!;
  expect(user.profile).toMatchObject({ blocked: true, app_metadata: { plan: 'pro', password_change_state: 'carried' } });
  expect(await signsInAtAuth0(fx!, DANA.changed)).toBe(false);
}, 60_000);

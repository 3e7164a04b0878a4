/**
 * `switchback password-migration status` (issue 15 item 4) against the Kratos
 * admin API stand-in: identities imported with the hook and no hash are
 * pending, identities with a hash have their password in Olympus, others have
 * no password; counted across pages, through the launcher, without printing
 * a hash; refused clearly when the admin API is not reachable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeIdentities, startKratosAdmin, type KratosAdminHandle } from '../../dev/kratos-admin/index.ts';
import { main } from '../../scripts/password-migration.ts';

const run = promisify(execFile);
let kratos: KratosAdminHandle;

beforeAll(async () => {
  // 20 identities, 16 with a password hash (80%), 4 passwordless; 6 of the hashed ones turned into
  // imports waiting for the hook: no hash, use_password_migration_hook: true.
  const identities = makeIdentities(20, { seed: 7, hashShare: 0.8 });
  let turned = 0;
  for (const identity of identities) {
    const password = identity.credentials?.password;
    if (password && turned < 6) {
      password.config = { use_password_migration_hook: true };
      turned++;
    }
  }
  kratos = await startKratosAdmin({ identities });
});
afterAll(() => kratos?.stop());

it('counts identities with a hash, pending ones and passwordless ones across pages', async () => {
  const lines: string[] = [];
  expect(await main(['status', '--json', '--page-size', '3'], { KRATOS_ADMIN_URL: kratos.url }, (s) => lines.push(s))).toBe(0);
  expect(JSON.parse(lines[0]!)).toEqual({ total: 20, withHash: 10, pending: 6, noPassword: 4, migratedShare: 10 / 16 });
  expect(kratos.calls.filter((c) => c.path === '/admin/identities').length).toBe(7);
  expect(kratos.calls.every((c) => c.query.include_credential === 'password')).toBe(true);
});

it('prints a table through the launcher, with no hash in it', async () => {
  const { stdout } = await run('bin/switchback', ['password-migration', 'status', '--kratos-admin-url', kratos.url], { env: { ...process.env, KRATOS_ADMIN_URL: '' } });
  expect(stdout).toMatch(/20 identities/);
  expect(stdout).toMatch(/password in Olympus \(migrated or set there\)\s+10\s+\(62\.5% of password users\)/);
  expect(stdout).toMatch(/pending \(hook on, no hash yet\)\s+6/);
  expect(stdout).not.toMatch(/\$(2[aby]|argon2id|pbkdf2)/);
});

it('without KRATOS_ADMIN_URL, or with it down, says so and exits non-zero', async () => {
  await expect(run('bin/switchback', ['password-migration', 'status'], { env: { ...process.env, KRATOS_ADMIN_URL: '' } })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('KRATOS_ADMIN_URL') });
  await expect(run('bin/switchback', ['password-migration', 'status', '--kratos-admin-url', 'http://127.0.0.1:9'], { env: process.env })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('unreachable') });
});

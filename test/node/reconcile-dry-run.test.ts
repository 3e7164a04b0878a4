/**
 * `reconcile --dry-run` reads Kratos and Auth0 and writes nothing (no user,
 * no import job, no email): it reports `would_create` for what a real run
 * would create and `skipped_exists` for what Auth0 already has, and a real
 * run afterwards creates exactly the `would_create` ones. Configured here
 * through the environment variables instead of flags.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT } from '../../dev/auth0-api/index.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, byStatus, hashOf, inWindow, isLegacy, runReconcile, startFixture, writeCalls, type CliRun, type Fixture } from './support/reconcile-harness.ts';

const identities = makeIdentities(200, { seed: 61, from: WINDOW.from, to: WINDOW.to });
const candidates = inWindow(identities).filter((i) => !isLegacy(i));
const preExisting = [candidates.find((i) => hashOf(i))!, candidates.find((i) => !hashOf(i))!];

let fx: Fixture;
let run: CliRun;
let report: Report;
let env: Record<string, string>;

beforeAll(async () => {
  fx = await startFixture({ identities });
  for (const i of preExisting) fx.auth0.seedUser({ email: i.traits.email });
  env = {
    KRATOS_ADMIN_URL: fx.kratos.url,
    AUTH0_MANAGEMENT_URL: fx.auth0.managementUrl,
    AUTH0_MGMT_CLIENT_ID: DEFAULT_AUTH0_CLIENT.client_id,
    AUTH0_MGMT_CLIENT_SECRET: DEFAULT_AUTH0_CLIENT.client_secret,
    AUTH0_CONNECTION: fx.auth0.connection.name,
  };
  run = await runReconcile(['--from', WINDOW.from, '--to', WINDOW.to, '--dry-run', '--page-size', '50', '--report', 'dry.json'], { cwd: fx.dir, env });
  report = await fx.report('dry.json');
}, 60_000);
afterAll(async () => fx?.stop());

it('writes nothing to Auth0', () => {
  expect(run.code, run.output).toBe(0);
  expect(writeCalls(fx.auth0)).toEqual([]);
  expect(fx.auth0.users.size).toBe(preExisting.length);
  expect(fx.auth0.jobs.size).toBe(0);
  expect(fx.auth0.emails).toEqual([]);
  // It did ask Auth0 what exists.
  expect(fx.auth0.calls.filter((c) => c.path === '/api/v2/users-by-email').length).toBe(candidates.length);
});

it('reports would_create (with what would happen to the password) and skipped_exists, one line per identity', () => {
  expect(report.dry_run).toBe(true);
  expect(run.stdout).toContain('(dry run)');
  expect(report.lines.map((l) => l.identity_id).sort()).toEqual(inWindow(identities).map((i) => i.id).sort());
  const status = new Map(report.lines.map((l) => [l.identity_id, l]));
  for (const i of inWindow(identities)) {
    const l = status.get(i.id)!;
    if (isLegacy(i)) expect(l.status).toBe('skipped_legacy');
    else if (preExisting.includes(i)) {
      expect(l.status).toBe('skipped_exists');
      expect(l.auth0_user_id).toBe(fx.auth0.usersByEmail(i.traits.email)[0]!.profile.user_id);
    } else {
      expect(l.status).toBe('would_create');
      const h = hashOf(i);
      expect(l.detail).toBe(!h ? 'reset email' : 'password kept');
    }
  }
  expect(report.totals.would_create).toBe(candidates.length - preExisting.length);
  expect(Object.keys(report.totals).filter((k) => k.startsWith('created_'))).toEqual([]);
});

it('keeps its checkpoint apart from a real run, which then creates exactly the would_create users', async () => {
  // Default checkpoint path (no --checkpoint): the dry run's is marked as such.
  const real = await runReconcile(['--from', WINDOW.from, '--to', WINDOW.to, '--page-size', '50', '--report', 'real.json'], { cwd: fx.dir, env });
  expect(real.code, real.output).toBe(0);
  expect(real.stderr).not.toContain('resuming');
  const done = await fx.report('real.json');
  const would = (byStatus(report).would_create ?? []).map((l) => l.identity_id).sort();
  const created = done.lines.filter((l) => l.status.startsWith('created_')).map((l) => l.identity_id).sort();
  expect(created).toEqual(would);
  expect(done.totals.skipped_exists).toBe(report.totals.skipped_exists);
  expect(fx.auth0.users.size).toBe(preExisting.length + would.length);
  const checkpoints = readdirSync(join(fx.dir, '.switchback')).sort();
  expect(checkpoints).toHaveLength(2);
  expect(checkpoints.filter((f) => f.endsWith('-dry-run.checkpoint.jsonl'))).toHaveLength(1);
}, 60_000);

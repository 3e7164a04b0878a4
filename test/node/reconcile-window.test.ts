/**
 * `switchback reconcile` over a window of 1,000 Olympus identities, end to
 * end (CLI child process, Kratos admin and Auth0 stand-ins): every identity
 * in the window is accounted for exactly once, legacy (imported from Auth0)
 * ones are skipped and never emailed, the Auth0 users carry the Olympus id,
 * real names, email_verified and the password hash; users without a hash get
 * exactly one reset email and nobody else gets any.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentities, type KratosIdentity } from '../../dev/kratos-admin/index.ts';
import type { StoredUser } from '../../dev/auth0-api/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, auth0State, byStatus, hashOf, inWindow, isLegacy, startFixture, type CliRun, type Fixture } from './support/reconcile-harness.ts';

const N = 1250; // 20 % outside the window: 1,000 inside

/** The dataset, with boundary instants, two users already in Auth0 and two whose recovery Olympus's courier already sent. */
function dataset() {
  const identities = makeIdentities(N, { seed: 11, from: WINDOW.from, to: WINDOW.to, outsideShare: 0.2 });
  const inside = inWindow(identities);
  const outside = identities.filter((i) => !inside.includes(i));
  // Both ends of the window are inclusive; a millisecond outside is outside.
  inside[0]!.created_at = WINDOW.from;
  inside[1]!.created_at = WINDOW.to;
  outside[0]!.created_at = new Date(Date.parse(WINDOW.from) - 1).toISOString();
  outside[1]!.created_at = new Date(Date.parse(WINDOW.to) + 1).toISOString();
  const candidates = inside.filter((i) => !isLegacy(i) && i !== inside[0] && i !== inside[1]);
  const noHash = candidates.filter((i) => !hashOf(i));
  const preExisting = [candidates.find((i) => hashOf(i))!, noHash[0]!];
  const courierSent = [noHash[1]!, noHash[2]!];
  return { identities, inside, preExisting, courierSent };
}

const email = (i: KratosIdentity) => i.traits.email;

describe('reconcile of a 1,000-identity window', () => {
  const data = dataset();
  let fx: Fixture;
  let run: CliRun;
  let report: Report;
  const seeded = new Map<string, StoredUser>();

  beforeAll(async () => {
    fx = await startFixture({ identities: data.identities });
    for (const i of data.preExisting) {
      const u = fx.auth0.seedUser({ email: email(i), name: 'Already Here', email_verified: true });
      seeded.set(u.profile.user_id, structuredClone(u));
    }
    for (const i of data.courierSent) fx.kratos.addCourierMessage({ recipient: email(i), template_type: 'recovery_code_valid', created_at: '2026-11-02T12:00:00.000Z' });
    run = await fx.run([], { timeoutMs: 90_000 });
    report = await fx.report();
  }, 120_000);
  afterAll(async () => fx?.stop());

  const expectedStatus = (i: KratosIdentity): string => {
    if (isLegacy(i)) return 'skipped_legacy';
    if (data.preExisting.includes(i)) return 'skipped_exists';
    if (hashOf(i)) return 'created_password_kept';
    if (data.courierSent.includes(i)) return 'created_reset_skipped_courier';
    return 'created_reset_sent';
  };

  it('exits 0 and prints the count, the totals and the report path', () => {
    expect(run.code, run.output).toBe(0);
    expect(run.stderr).toContain(`1000 identities created in ${WINDOW.from} .. ${WINDOW.to}`);
    expect(run.stdout).toMatch(/scanned 1250 identities, 1000 in the window/);
    expect(run.stdout).toMatch(/created_password_kept\s+\d+/);
    expect(run.stdout).toContain(`report: ${fx.dir}/report.json`);
    expect(run.stderr).not.toMatch(/warning|needs attention/);
  });

  it('has exactly one line per identity in the window, none outside, and totals that add up', () => {
    expect(data.inside).toHaveLength(1000);
    const ids = report.lines.map((l) => l.identity_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(data.inside.map((i) => i.id)));
    expect(report.scanned).toBe(N);
    expect(report.dry_run).toBe(false);
    const counted: Record<string, number> = {};
    for (const l of report.lines) counted[l.status] = (counted[l.status] ?? 0) + 1;
    expect(report.totals).toEqual({ in_window: 1000, ...counted });
    const sum = Object.entries(report.totals).reduce((s, [k, v]) => (k === 'in_window' ? s : s + (v ?? 0)), 0);
    expect(sum).toBe(1000);
    const expected: Record<string, number> = {};
    for (const i of data.inside) expected[expectedStatus(i)] = (expected[expectedStatus(i)] ?? 0) + 1;
    expect(report.totals).toEqual({ in_window: 1000, ...expected });
    expect(expected.skipped_legacy).toBeGreaterThan(200);
    expect(expected.created_reset_sent).toBeGreaterThan(100);
  });

  it('gives every identity the status its data calls for', () => {
    const line = new Map(report.lines.map((l) => [l.identity_id, l]));
    const wrong = data.inside.filter((i) => line.get(i.id)?.status !== expectedStatus(i)).map((i) => `${i.id}: ${line.get(i.id)?.status} != ${expectedStatus(i)}`);
    expect(wrong).toEqual([]);
    for (const i of data.preExisting) expect(line.get(i.id)!.auth0_user_id).toMatch(/^auth0\|/);
  });

  it('creates nothing for legacy identities and leaves users already in Auth0 as they were', () => {
    for (const i of data.inside.filter(isLegacy)) expect(fx.auth0.usersByEmail(email(i))).toEqual([]);
    for (const [id, before] of seeded) expect(fx.auth0.users.get(id)).toEqual(before);
    const created = report.lines.filter((l) => l.status.startsWith('created_')).length;
    expect(fx.auth0.users.size).toBe(created + seeded.size);
  });

  it('creates Auth0 users with the Olympus id, real names, email_verified and the password hash', () => {
    const problems: string[] = [];
    for (const i of data.inside.filter((x) => expectedStatus(x).startsWith('created_'))) {
      const users = fx.auth0.usersByEmail(email(i));
      if (users.length !== 1) {
        problems.push(`${email(i)}: ${users.length} users`);
        continue;
      }
      const u = users[0]!;
      const p = u.profile;
      expect(p.app_metadata).toEqual({
        olympus_id: i.id,
        olympus_created_at: i.created_at,
        reconciled_by: 'switchback',
        reconcile_run: report.run_id,
        written_by: 'reconcile',
        // The mark (src/reconcile/legacy-mark.ts): whether the hash came along, and who sends the reset email.
        ...(expectedStatus(i) === 'created_password_kept' ? { password: 'kept' } : { password: 'reset', reset_claimed_by: report.run_id }),
        ...(i.external_id ? { olympus_external_id: i.external_id } : {}),
      });
      const first = i.traits.first_name;
      const last = i.traits.last_name;
      // Auth0 names a user by its email when no name is given: never "undefined undefined".
      const name = [first, last].filter(Boolean).join(' ') || i.traits.email;
      if (p.name !== name || p.given_name !== first || p.family_name !== last || /undefined|null/.test(p.name)) problems.push(`${email(i)}: name ${JSON.stringify([p.name, p.given_name, p.family_name])}`);
      if (p.email_verified !== i.verifiable_addresses[0]!.verified) problems.push(`${email(i)}: email_verified ${p.email_verified}`);
      const hash = hashOf(i);
      const cred = u.credential;
      if (!hash) {
        if (cred?.kind === 'password_hash' || cred?.kind === 'custom_password_hash') problems.push(`${email(i)}: unexpected hash`);
      } else if (/^\$2[ab]\$10\$/.test(hash)) {
        // Auth0's password_hash takes bcrypt at cost 10 only (auth0-target.ts passwordCarry).
        if (cred?.kind !== 'password_hash' || cred.hash !== hash) problems.push(`${email(i)}: bcrypt hash not kept`);
      } else if (hash.startsWith('$2')) {
        // Any other cost (Kratos' default is 12) goes as custom_password_hash, algorithm bcrypt.
        if (cred?.kind !== 'custom_password_hash' || cred.custom.algorithm !== 'bcrypt' || cred.custom.hash.value !== hash) problems.push(`${email(i)}: bcrypt hash not kept (${JSON.stringify(cred)})`);
      } else {
        const algorithm = hash.startsWith('$argon2') ? 'argon2' : 'pbkdf2';
        if (cred?.kind !== 'custom_password_hash' || cred.custom.algorithm !== algorithm || cred.custom.hash.value !== hash) problems.push(`${email(i)}: ${algorithm} hash not kept (${JSON.stringify(cred)})`);
      }
    }
    expect(problems).toEqual([]);
    // The dataset covers each case.
    const created = data.inside.filter((x) => expectedStatus(x).startsWith('created_'));
    expect(created.filter((i) => !i.traits.first_name).length).toBeGreaterThan(50);
    expect(created.filter((i) => i.traits.first_name && !i.traits.last_name).length).toBeGreaterThan(50);
    expect(created.filter((i) => !i.verifiable_addresses[0]!.verified).length).toBeGreaterThan(50);
    for (const prefix of ['$2', '$argon2id$', '$pbkdf2-sha256$']) expect(created.filter((i) => hashOf(i)?.startsWith(prefix)).length).toBeGreaterThan(100);
  });

  it('sends exactly one reset email to each created user without a hash, and no email to anyone else', () => {
    const { emails } = auth0State(fx.auth0);
    const expected: Record<string, number> = {};
    for (const l of byStatus(report).created_reset_sent ?? []) expected[`password_reset:${l.email}`] = 1;
    expect(emails).toEqual(expected);
    expect(Object.keys(expected).length).toBe(report.totals.created_reset_sent);
    expect(fx.auth0.emails.every((e) => e.connection === fx.auth0.connection.name)).toBe(true);
  });
});

describe('reconcile one user at a time (--mode single)', () => {
  it('leaves the same users, hashes and emails as the default mode, with Auth0 user ids in the report', async () => {
    const a = await startFixture({ identities: dataset().identities });
    const b = await startFixture({ identities: dataset().identities });
    try {
      const [ra, rb] = await Promise.all([a.run(), b.run(['--mode', 'single'])]);
      expect(ra.code, ra.output).toBe(0);
      expect(rb.code, rb.output).toBe(0);
      const [repA, repB] = [await a.report(), await b.report()];
      expect(repB.totals).toEqual(repA.totals);
      const single = repB.lines.filter((l) => l.status === 'created_reset_sent');
      expect(single.length).toBeGreaterThan(100);
      for (const l of single) expect(userByEmail(b, l.email!)?.profile.user_id).toBe(l.auth0_user_id);
      // Same Auth0 state, except that users created one by one hold an unusable random password.
      const sa = auth0State(a.auth0);
      const sb = auth0State(b.auth0);
      expect(sb.emails).toEqual(sa.emails);
      expect(sb.users.map((u) => ({ ...u, credential: u.credential === 'password' ? 'none' : u.credential }))).toEqual(sa.users);
      expect(b.auth0.calls.filter((c) => c.method === 'POST' && c.path === '/api/v2/users')).toHaveLength(single.length);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 120_000);
});

function userByEmail(fx: Fixture, mail: string) {
  return fx.auth0.usersByEmail(mail)[0];
}

/**
 * The Clerk reconcile target (src/reconcile/clerk-target.ts) driven by the
 * reconcile engine against the Kratos admin and Clerk Backend API stand-ins:
 * each Olympus user comes back with the right outcome (hash carried and the
 * same password verifies at Clerk, needs_reset when Clerk cannot take the
 * hash, skipped when the email is taken), POST /v1/users's 429s are waited
 * out, a second run creates nothing twice, replaceHash keeps the user id,
 * `--undo` removes only that run's users, and the configuration names its
 * variables.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLERK_SECRET_KEY, startClerkApi, type ClerkApiHandle } from '../../dev/clerk-api/index.ts';
import { makeIdentities, startKratosAdmin, type KratosAdminHandle, type KratosIdentity } from '../../dev/kratos-admin/index.ts';
import { undoReport } from '../../scripts/cli/reconcile-undo.ts';
import { ClerkBackendClient } from '../../src/providers/admin/clerk-backend-client.ts';
import { ClerkTarget, ClerkTargetError, clerkTargetFromEnv } from '../../src/reconcile/clerk-target.ts';
import { memoryJournal } from '../../src/reconcile/journal.ts';
import { settleExisting } from '../../src/reconcile/legacy-mark.ts';
import { KratosAdminClient } from '../../src/reconcile/kratos-admin-client.ts';
import { reconcile, type ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';

const WINDOW = { from: new Date('2026-11-01T00:00:00.000Z'), to: new Date('2026-11-03T00:00:00.000Z') };
const raw64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
const kratosPbkdf2 = (alg: 'sha1' | 'sha256' | 'sha512', pw: string, iterations = 1000) => {
  const salt = randomBytes(16);
  return `$pbkdf2-${alg}$i=${iterations},l=32$${raw64(salt)}$${raw64(pbkdf2Sync(pw, salt, iterations, 32, alg))}`;
};
const ARGON2ID = '$argon2id$v=19$m=65536,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$9LhsHpXWhBTqUbXXmmzEYdzK2lR6GFgBUpdZJ4HPjVQ';

/** What each identity carries, and the outcome the run must report for it. */
const CASES = [
  { key: 'bcrypt', password: 'bcrypt-pass-1', hash: (pw: string) => bcrypt.hashSync(pw, 4), status: 'created_password_kept', hasher: 'bcrypt' },
  { key: 'pbkdf2-sha256', password: 'pbkdf2-256-pass', hash: (pw: string) => kratosPbkdf2('sha256', pw), status: 'created_password_kept', hasher: 'pbkdf2_sha256' },
  { key: 'pbkdf2-sha512', password: 'pbkdf2-512-pass', hash: (pw: string) => kratosPbkdf2('sha512', pw), status: 'created_password_kept', hasher: 'pbkdf2_sha512_hex' },
  { key: 'pbkdf2-sha1', password: 'pbkdf2-1-pass', hash: (pw: string) => kratosPbkdf2('sha1', pw), status: 'created_password_kept', hasher: 'pbkdf2_sha1' },
  { key: 'argon2id', password: undefined, hash: () => ARGON2ID, status: 'created_password_kept', hasher: 'argon2id' },
  { key: 'scrypt', password: undefined, hash: () => '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNo', status: 'created_needs_reset', hasher: undefined },
  { key: 'code-only', password: undefined, hash: undefined, status: 'created_needs_reset', hasher: undefined },
  { key: 'taken', password: 'taken-pass', hash: (pw: string) => kratosPbkdf2('sha256', pw), status: 'skipped_exists', hasher: undefined },
] as const;

let kratos: KratosAdminHandle;
let clerk: ClerkApiHandle;
let client: ClerkBackendClient;
let dir: string;
const ids = new Map<string, KratosIdentity>();

function identities(): KratosIdentity[] {
  const base = makeIdentities(CASES.length, { seed: 404, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, outsideShare: 0, hashShare: 1, emailPrefix: 'clerk-target-' });
  return base.map((identity, i) => {
    const c = CASES[i]!;
    const id = structuredClone(identity);
    if (c.hash === undefined) delete id.credentials?.password;
    else id.credentials!.password!.config = { hashed_password: c.hash(c.password ?? 'unused') };
    ids.set(c.key, id);
    return id;
  });
}

const targetOf = (o: { maxAttempts?: number } = {}) => new ClerkTarget(new ClerkBackendClient({ secretKey: DEFAULT_CLERK_SECRET_KEY, apiUrl: clerk.url }), o);

async function run(runId: string, target = targetOf()): Promise<{ report: Report; events: ReconcileEvent[] }> {
  const journal = memoryJournal<ReconcileEvent>();
  const report = await reconcile(
    { kratos: new KratosAdminClient(kratos.url), target, journal },
    { window: WINDOW, runId, dryRun: false, pageSize: 100, mode: 'single', importThreshold: 1000, checkCourier: false },
  );
  return { report, events: journal.events };
}

const lineOf = (r: Report, key: string) => r.lines.find((l) => l.identity_id === ids.get(key)!.id)!;
const userOf = (key: string) => clerk.instance.byEmail(ids.get(key)!.traits.email as string);

let first: Report;
let firstTarget: ClerkTarget;
let someoneElse: string;

beforeAll(async () => {
  kratos = await startKratosAdmin({ identities: identities() });
  // A production instance's 1,000 per 10 s, and POST /v1/users tight enough that the run meets 429s.
  clerk = await startClerkApi({ rateLimit: { limit: 1000, perSeconds: 10, retryAfter: true }, createRateLimit: { limit: 4, perSeconds: 1, retryAfter: true } });
  client = new ClerkBackendClient({ secretKey: DEFAULT_CLERK_SECRET_KEY, apiUrl: clerk.url });
  dir = await mkdtemp(join(tmpdir(), 'clerk-target-'));
  // The person's own Clerk account, already there under one identity's email.
  someoneElse = clerk.instance.seed({ email: ids.get('taken')!.traits.email as string, password: 'their-own-password' }).id;
  firstTarget = targetOf();
  ({ report: first } = await run('run-1', firstTarget));
}, 60_000);
afterAll(async () => {
  await clerk?.stop();
  await kratos?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a reconcile into Clerk', () => {
  it('reports the right outcome per user', () => {
    for (const c of CASES) expect([c.key, lineOf(first, c.key).status]).toEqual([c.key, c.status]);
    expect(first.totals.in_window).toBe(CASES.length);
  });

  it('a carried hash is the password: the same password verifies at Clerk, another does not', async () => {
    for (const c of CASES.filter((c) => c.status === 'created_password_kept' && c.password)) {
      const user = userOf(c.key)!;
      expect([c.key, user.password]).toMatchObject([c.key, { kind: 'digest', hasher: c.hasher }]);
      expect([c.key, await client.verifyPassword(user.id, c.password!)]).toEqual([c.key, true]);
      expect(await client.verifyPassword(user.id, `${c.password}-not`).catch((e: { reason?: string }) => e.reason)).toBe('invalid_credentials');
    }
    // argon2id: Clerk's digest is the PHC string itself; the stand-in cannot check argon2 (no implementation in Node 22).
    expect(userOf('argon2id')!.password).toEqual({ kind: 'digest', hasher: 'argon2id', digest: ARGON2ID });
  });

  it('external_id is the Olympus id and the mark is in private_metadata; needs_reset users have no password and a claimed reset', () => {
    for (const c of CASES.filter((c) => c.status !== 'skipped_exists')) {
      const user = userOf(c.key)!;
      const kept = c.status === 'created_password_kept';
      expect(user.externalId).toBe(ids.get(c.key)!.id);
      expect(user.privateMetadata).toMatchObject({ olympus_id: ids.get(c.key)!.id, reconciled_by: 'switchback', reconcile_run: 'run-1', password: kept ? 'kept' : 'reset' });
      expect(user.publicMetadata).toEqual({});
      expect(user.password === undefined).toBe(!kept);
      if (!kept) expect(user.privateMetadata.reset_claimed_by).toBe('run-1');
      expect(lineOf(first, c.key).auth0_user_id).toBe(user.id);
    }
    expect(lineOf(first, 'code-only').detail).toMatch(/clerk cannot send a reset email/);
  });

  it('the email already taken: skipped, the account left as it was', () => {
    const taken = userOf('taken')!;
    expect(taken.id).toBe(someoneElse);
    expect(taken.privateMetadata).toEqual({});
    expect(lineOf(first, 'taken')).toMatchObject({ status: 'skipped_exists', auth0_user_id: someoneElse });
  });

  it("POST /v1/users's 429s were waited out per Retry-After, none became a failure", () => {
    expect(clerk.calls.filter((c) => c.method === 'POST' && c.path === '/v1/users' && c.status === 429).length).toBeGreaterThan(0);
    expect(firstTarget.stats.rateLimited).toBeGreaterThan(0);
    expect(firstTarget.stats.waitedMs).toBeGreaterThanOrEqual(900);
    expect(first.totals.failed ?? 0).toBe(0);
  });

  it('a second run creates nothing twice: the first run\'s users are settled by their mark', async () => {
    const before = clerk.instance.users.size;
    const { report } = await run('run-2');
    expect(clerk.instance.users.size).toBe(before);
    for (const c of CASES) expect([c.key, lineOf(report, c.key).status]).toEqual([c.key, 'skipped_exists']);
  });

  it('a 429 that never ends fails that user after maxAttempts, with the reason', async () => {
    clerk.setCreateRateLimit({ limit: 1, perSeconds: 3600, retryAfter: true });
    try {
      const t = targetOf({ maxAttempts: 1 });
      const [a, b] = await t.create(
        ['one', 'two'].map((k) => ({ identityId: `id-${k}`, email: `limit-${k}@example.com`, emailVerified: true, createdAt: WINDOW.from.toISOString() })),
        { runId: 'run-limit', by: 'reconcile', claimReset: true, bulk: false },
      );
      expect(a!.status).toBe('created');
      expect(b).toMatchObject({ status: 'failed', detail: expect.stringMatching(/throttled \(HTTP 429 too_many_requests\)/) });
    } finally {
      clerk.setCreateRateLimit({ limit: 1000, perSeconds: 1, retryAfter: true });
    }
  });
});

describe('replaceHash', () => {
  it('a new convertible hash replaces the password in place: same user id, the new password verifies, the old one not', async () => {
    const t = targetOf();
    const [user] = await t.findByEmail(ids.get('pbkdf2-sha256')!.traits.email as string);
    const draft = { identityId: ids.get('pbkdf2-sha256')!.id, email: user!.email, emailVerified: true, createdAt: WINDOW.from.toISOString(), hash: kratosPbkdf2('sha512', 'changed-in-olympus') };
    expect(await t.replaceHash(user!, draft)).toEqual({ status: 'replaced', userId: user!.id });
    expect(await client.verifyPassword(user!.id, 'changed-in-olympus')).toBe(true);
    expect(await client.verifyPassword(user!.id, 'pbkdf2-256-pass').catch((e: { reason?: string }) => e.reason)).toBe('invalid_credentials');
  });

  it('a needs_reset user given a hash now keeps it (the mark says kept); a hash Clerk cannot take is unsupported', async () => {
    const t = targetOf();
    const [user] = await t.findByEmail(ids.get('code-only')!.traits.email as string);
    const base = { identityId: ids.get('code-only')!.id, email: user!.email, emailVerified: true, createdAt: WINDOW.from.toISOString() };
    expect(await t.replaceHash(user!, { ...base, hash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA' })).toEqual({ status: 'unsupported' });
    expect(await t.replaceHash(user!, { ...base, hash: bcrypt.hashSync('now-has-one', 4) })).toEqual({ status: 'replaced', userId: user!.id });
    expect(await client.verifyPassword(user!.id, 'now-has-one')).toBe(true);
    expect((await t.get(user!.id))!.mark).toMatchObject({ password: 'kept', resetClaimedBy: 'run-1' });
  });

  it("a user switchback did not create is never touched (no mark: unsupported)", async () => {
    const t = targetOf();
    const [user] = await t.findByEmail(ids.get('taken')!.traits.email as string);
    // created_at (Unix ms at Clerk) as ISO: the mirror reports an address as legacy-owned only when the account came first.
    expect(Date.parse(user!.createdAt!)).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
    expect(Date.parse(user!.createdAt!)).toBeLessThanOrEqual(Date.now());
    expect(await t.replaceHash(user!, { identityId: 'x', email: user!.email, emailVerified: true, createdAt: WINDOW.from.toISOString(), hash: bcrypt.hashSync('x', 4) })).toEqual({ status: 'unsupported' });
    expect(await client.verifyPassword(someoneElse, 'their-own-password')).toBe(true);
  });
});

describe('the reset claim', () => {
  it("a mirrored user without a password is created unclaimed; the claim merges into private_metadata and keeps the rest of the mark", async () => {
    const t = targetOf();
    const draft = { identityId: 'id-mirrored', email: 'mirrored@example.com', emailVerified: true, createdAt: WINDOW.from.toISOString(), hash: '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA' };
    const [made] = await t.create([draft], { runId: 'mirror-1', by: 'mirror', claimReset: false, bulk: false });
    expect(made).toEqual({ status: 'created', userId: expect.stringMatching(/^user_/), passwordKept: false });
    const [user] = await t.findByEmail('MIRRORED@example.com');
    expect(settleExisting([user!], 'id-mirrored', 'run-9').kind).toBe('claim');
    await t.claimReset(user!, 'run-9');
    const after = await t.get(user!.id);
    expect(after!.mark).toEqual({ olympusId: 'id-mirrored', run: 'mirror-1', by: 'mirror', password: 'reset', resetClaimedBy: 'run-9' });
    expect(settleExisting([after!], 'id-mirrored', 'run-10').kind).toBe('claimed');
    expect(await t.sendReset('mirrored@example.com')).toBe('needs_reset');
  });
});

describe('undo and configuration', () => {
  it('--undo of run 1 removes exactly the users run 1 created: not the person\'s own account, not another run\'s user', async () => {
    const other = await targetOf().create([{ identityId: 'id-other-run', email: 'other-run@example.com', emailVerified: true, createdAt: WINDOW.from.toISOString() }], { runId: 'run-other', by: 'reconcile', claimReset: true, bulk: false });
    expect(other[0]!.status).toBe('created');
    const path = join(dir, 'run-1.json');
    await writeFile(path, JSON.stringify(first));
    const created = first.lines.filter((l) => l.status.startsWith('created_')).map((l) => l.auth0_user_id!);
    expect(await undoReport(targetOf(), path, true)).toEqual({ deleted: created.length, missing: 0, kept: 0, failed: 0 });
    expect(await undoReport(targetOf(), path, false)).toEqual({ deleted: created.length, missing: 0, kept: 0, failed: 0 });
    for (const id of created) expect(clerk.instance.users.has(id)).toBe(false);
    expect(clerk.instance.users.has(someoneElse)).toBe(true);
    expect(clerk.instance.byEmail('other-run@example.com')).toBeDefined();
    // Run twice: everything is already gone.
    expect(await undoReport(targetOf(), path, false)).toMatchObject({ deleted: 0, missing: created.length });
  });

  it('clerkTargetFromEnv reads CLERK_SECRET_KEY and CLERK_API_URL and names the variable that is wrong; preflight names a refused key', async () => {
    expect(() => clerkTargetFromEnv({})).toThrow(/^CLERK_SECRET_KEY is required/);
    expect(() => clerkTargetFromEnv({ CLERK_SECRET_KEY: 'pk_test_abc' })).toThrow(/^CLERK_SECRET_KEY must be a Clerk secret key/);
    expect(() => clerkTargetFromEnv({ CLERK_SECRET_KEY: DEFAULT_CLERK_SECRET_KEY, CLERK_API_URL: 'ftp://x' })).toThrow(/^CLERK_API_URL must be/);
    const target = clerkTargetFromEnv({ CLERK_SECRET_KEY: DEFAULT_CLERK_SECRET_KEY, CLERK_API_URL: clerk.url });
    expect(target.kind).toBe('clerk');
    await target.preflight();
    const wrong = clerkTargetFromEnv({ CLERK_SECRET_KEY: 'sk_test_wrongKey', CLERK_API_URL: clerk.url });
    const err = await wrong.preflight().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClerkTargetError);
    expect((err as Error).message).toMatch(/^CLERK_SECRET_KEY was refused .* \(HTTP 401 authentication_invalid\)/);
    expect((err as Error).message).not.toContain('sk_test_wrongKey');
  });
});

describe('a password changed in Olympus by a user imported from Clerk', () => {
  it('is carried back in place (same account, the new password verifies, the old one not) and noted; a hash Clerk cannot take is unsupported', async () => {
    const t = targetOf();
    const pw = kratosPbkdf2('sha256', 'new-in-olympus');
    expect(t.legacyHashCapability(pw)).toBe('in_place');
    expect(t.legacyHashCapability('$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA')).toBe('unsupported');
    const email = ids.get('taken')!.traits.email as string;
    const draft = { identityId: 'id-imported', email, emailVerified: true, createdAt: WINDOW.from.toISOString(), hash: pw };
    expect(await t.replaceLegacyHash(someoneElse, draft, { at: '2026-11-02T10:00:00.000Z', by: 'mirror-7' })).toEqual({ status: 'replaced', userId: someoneElse });
    expect(await client.verifyPassword(someoneElse, 'new-in-olympus')).toBe(true);
    expect(await client.verifyPassword(someoneElse, 'their-own-password').catch((e: { reason?: string }) => e.reason)).toBe('invalid_credentials');
    const after = await t.get(someoneElse);
    // Noted, never marked as switchback's: undo still leaves the person's own account alone.
    expect(after!.mark).toBeUndefined();
    expect(after!.passwordChange).toEqual({ at: '2026-11-02T10:00:00.000Z', by: 'mirror-7', state: 'carried', resetClaimedBy: undefined });
  });

  it('a note for a reset clears an older claim and leaves the password as it is', async () => {
    const t = targetOf();
    const [user] = await t.findByEmail(ids.get('taken')!.traits.email as string);
    await t.claimReset(user!, 'run-old');
    await t.notePasswordChange(someoneElse, { at: '2026-11-02T11:00:00.000Z', by: 'mirror-7' });
    const after = await t.get(someoneElse);
    expect(after!.passwordChange).toEqual({ at: '2026-11-02T11:00:00.000Z', by: 'mirror-7', state: 'reset', resetClaimedBy: undefined });
    expect(await client.verifyPassword(someoneElse, 'new-in-olympus')).toBe(true);
  });
});

describe('a reconcile with no mirror, for users imported from Clerk whose password credential changed in the window', () => {
  let kratos2: KratosAdminHandle;
  const carol = { email: 'carol-imported@example.test', old: 'carol-old-password', now: 'carol-new-in-olympus' };
  const dave = { email: 'dave-imported@example.test', old: 'dave-old-password' };
  let carolId: string;
  let daveId: string;
  const imported = (template: KratosIdentity, email: string, legacyId: string, hash: string): KratosIdentity => {
    const id = structuredClone(template);
    id.traits = { ...id.traits, email };
    id.created_at = '2026-10-01T09:00:00.000Z'; // imported before the window
    id.metadata_admin = { legacy_id: legacyId };
    id.credentials!.password = { ...id.credentials!.password!, config: { hashed_password: hash }, updated_at: '2026-11-02T08:00:00.000Z' };
    return id;
  };

  beforeAll(async () => {
    carolId = clerk.instance.seed({ email: carol.email, password: carol.old }).id;
    daveId = clerk.instance.seed({ email: dave.email, password: dave.old }).id;
    const [a, b] = makeIdentities(2, { seed: 405, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, outsideShare: 0, hashShare: 1, emailPrefix: 'clerk-imported-' });
    kratos2 = await startKratosAdmin({
      identities: [imported(a!, carol.email, carolId, kratosPbkdf2('sha256', carol.now)), imported(b!, dave.email, daveId, '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNo')],
    });
  });
  afterAll(async () => kratos2?.stop());

  const runOn = async (runId: string, dryRun = false) =>
    reconcile(
      { kratos: new KratosAdminClient(kratos2.url), target: targetOf(), journal: memoryJournal<ReconcileEvent>() },
      { window: WINDOW, runId, dryRun, pageSize: 100, mode: 'single', importThreshold: 1000, checkCourier: false },
    );
  const line = (r: Report, email: string) => r.lines.find((l) => l.email === email)!;
  const patches = () => clerk.calls.filter((c) => c.method === 'PATCH' && (c.path === `/v1/users/${carolId}` || c.path === `/v1/users/${daveId}`)).length;

  it("carries Olympus's current hash to the same Clerk account (once, no email), leaves a hash Clerk cannot take alone, and a dry run changes nothing", async () => {
    const dry = await runOn('dry-1', true);
    expect(line(dry, carol.email)).toMatchObject({ status: 'would_create', auth0_user_id: carolId });
    expect(await client.verifyPassword(carolId, carol.old)).toBe(true);
    expect(patches()).toBe(0);

    const r = await runOn('run-in-place');
    expect(line(r, carol.email)).toMatchObject({ status: 'password_carried_in_place', auth0_user_id: carolId });
    expect(await client.verifyPassword(carolId, carol.now)).toBe(true);
    expect(await client.verifyPassword(carolId, carol.old).catch((e: { reason?: string }) => e.reason)).toBe('invalid_credentials');
    const after = await targetOf().get(carolId);
    expect(after!.mark).toBeUndefined(); // the person's own account: never marked as switchback's
    expect(after!.passwordChange).toMatchObject({ by: 'run-in-place', state: 'carried' });
    // Clerk cannot take scrypt: left as it was, and the line says what would catch a change.
    expect(line(r, dave.email)).toMatchObject({ status: 'skipped_legacy', auth0_user_id: daveId });
    expect(line(r, dave.email).detail).toMatch(/run switchback mirror from the import on/);
    expect(await client.verifyPassword(daveId, dave.old)).toBe(true);

    const writes = patches();
    const again = await runOn('run-again');
    expect(line(again, carol.email)).toMatchObject({ status: 'password_changed_carried' });
    expect(patches()).toBe(writes);
  });
});

/**
 * The Amazon Cognito reconcile target (src/reconcile/cognito-target.ts)
 * against the user-pool API stand-in (dev/cognito-api), through the real
 * reconcile engine (reconcile-run.ts) reading the Kratos admin stand-in:
 * users created CONFIRMED with a password nobody knows and one reset code
 * each, no hash carried (said per user in the report), existing emails
 * skipped, throttling retried, the pool's schema checked before any write,
 * undo removing only what a run created, SigV4 refused with a wrong secret.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DEFAULT_COGNITO_CREDENTIALS, startCognitoApi, type CognitoApiHandle, type QuotaCategory } from '../../dev/cognito-api/index.ts';
import { DEFAULT_SEED_PASSWORD, makeIdentities, startKratosAdmin, type KratosAdminHandle, type KratosIdentity } from '../../dev/kratos-admin/index.ts';
import { CognitoAdminClient, type CognitoAdminOptions } from '../../src/providers/admin/cognito-admin-client.ts';
import { COGNITO_MARK_ATTRIBUTES, CognitoTarget, CognitoTargetError, type CognitoTargetOptions } from '../../src/reconcile/cognito-target.ts';
import { memoryJournal } from '../../src/reconcile/journal.ts';
import { KratosAdminClient } from '../../src/reconcile/kratos-admin-client.ts';
import type { LegacyUserDraft } from '../../src/reconcile/reconcile-target.ts';
import { reconcile, type ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import { parseWindow } from '../../src/reconcile/reconcile-window.ts';
import { reconcileTargetFor, TargetConfigError } from '../../src/reconcile/targets.ts';
import { undoReport } from '../../scripts/cli/reconcile-undo.ts';
import { runReconcile } from './support/reconcile-harness.ts';

const WINDOW = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' };
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()));
});

async function pool(o: { customAttributes?: readonly string[]; quotas?: Partial<Record<QuotaCategory, number>> } = {}) {
  const api = await startCognitoApi({ customAttributes: o.customAttributes ?? COGNITO_MARK_ATTRIBUTES, quotas: o.quotas });
  stops.push(api.stop);
  const options: CognitoAdminOptions = { region: api.region, userPoolId: api.pool.id, endpoint: api.endpoint, ...DEFAULT_COGNITO_CREDENTIALS };
  return { api, options, target: (t: CognitoTargetOptions = {}, client = new CognitoAdminClient(options)) => new CognitoTarget(client, t) };
}

async function kratos(identities: KratosIdentity[]): Promise<KratosAdminHandle> {
  const k = await startKratosAdmin({ identities });
  stops.push(k.stop);
  return k;
}

const draft = (email: string, over: Partial<LegacyUserDraft> = {}): LegacyUserDraft => ({ identityId: crypto.randomUUID(), email, emailVerified: true, createdAt: '2026-11-02T00:00:00.000Z', givenName: 'Ada', familyName: 'Lovelace', ...over });
const run = (id = 'rc-test') => ({ runId: id, by: 'reconcile' as const, claimReset: true, bulk: false });
/** Signups in the window: verified emails, 80 % with a password hash, none imported from the legacy side. */
const signups = (n: number, seed: number) => makeIdentities(n, { seed, from: WINDOW.from, to: WINDOW.to, legacyShare: 0, outsideShare: 0, unverifiedShare: 0 });

describe('create', () => {
  it('creates the user CONFIRMED with a password nobody knows, marked in custom attributes, with the reset claimed by the run', async () => {
    const { api, target } = await pool();
    const t = target();
    await t.preflight();
    const d = draft('ada@example.com', { hash: '$2a$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234' });
    expect(t.acceptsHash(d.hash!)).toBe(false);
    const [out] = await t.create([d], run());
    expect(out).toMatchObject({ status: 'created', passwordKept: false });
    const user = api.pool.find('ada@example.com')!;
    expect(user.status).toBe('CONFIRMED'); // never left FORCE_CHANGE_PASSWORD, which blocks forgot-password
    expect(user.attributes).toMatchObject({ email: 'ada@example.com', email_verified: 'true', given_name: 'Ada', family_name: 'Lovelace', 'custom:olympus_id': d.identityId, 'custom:sb_run': 'rc-test', 'custom:sb_by': 'reconcile', 'custom:sb_password': 'reset', 'custom:sb_reset': 'rc-test' });
    expect(api.operations).toEqual(['DescribeUserPool', 'AdminCreateUser', 'AdminSetUserPassword']);
    expect(api.pool.sentCodes).toEqual([]); // created silently (SUPPRESS): the reset is a separate, counted step
    expect((await t.findByEmail('ADA@example.com')).map((u) => u.mark)).toEqual([{ olympusId: d.identityId, run: 'rc-test', by: 'reconcile', password: 'reset', resetClaimedBy: 'rc-test' }]);
    expect(await t.replaceHash()).toEqual({ status: 'unsupported' });
  });

  it('an email already in the pool is `exists`, not failed, and the person\'s account is untouched', async () => {
    const { api, target } = await pool();
    const theirs = api.pool.seed({ email: 'taken@example.com', password: 'their-own-password' });
    const t = target();
    const out = await t.create([draft('taken@example.com'), draft('free@example.com')], run());
    expect(out.map((o) => o.status)).toEqual(['exists', 'created']);
    expect(api.pool.find('taken@example.com')).toMatchObject({ username: theirs.username, status: 'CONFIRMED' });
    expect(api.pool.find('taken@example.com')!.attributes['custom:sb_run']).toBeUndefined();
    // When the account was made (UserCreateDate): the mirror reports an address as legacy-owned only when it came first.
    const [found] = await t.findByEmail('taken@example.com');
    expect(found!.createdAt).toBe(new Date(theirs.createdAt).toISOString());
  });

  it('TooManyRequestsException is backed off and retried until every user is created', async () => {
    const { api, target } = await pool({ quotas: { UserCreation: 3, UserAccountRecovery: 3 } });
    // The target believes the documented quota (50/s); the account's real budget is lower (shared with other callers).
    const t = target({ concurrency: 8 });
    const drafts = Array.from({ length: 12 }, (_, i) => draft(`burst-${i}@example.com`));
    const out = await t.create(drafts, run());
    expect(out.every((o) => o.status === 'created')).toBe(true);
    expect(api.pool.users.size).toBe(12);
    expect([...api.pool.users.values()].every((u) => u.status === 'CONFIRMED')).toBe(true);
    expect(api.calls.filter((c) => c.status === 400).length).toBeGreaterThan(0);
    expect(t.stats.rateLimited).toBeGreaterThan(0);
    expect(t.stats.waitedMs).toBeGreaterThan(0);
  }, 30_000);

  it('paces itself at the documented quota: 30 recovery calls per second are never exceeded by the target', async () => {
    const { api, target } = await pool({ quotas: { UserAccountRecovery: 30 } });
    const t = target({ quotas: { UserAccountRecovery: 30 } });
    const drafts = Array.from({ length: 20 }, (_, i) => draft(`paced-${i}@example.com`));
    await t.create(drafts, run());
    for (const d of drafts) await t.sendReset(d.email);
    expect(api.calls.filter((c) => c.status === 400)).toEqual([]); // no TooManyRequestsException: 40 recovery calls spaced at 30/s
    expect(t.stats.rateLimited).toBe(0);
    expect(api.pool.sentCodes).toHaveLength(20);
  }, 30_000);
});

describe('sendReset', () => {
  it('sends one code through Cognito; a user left FORCE_CHANGE_PASSWORD by an interrupted create gets its permanent password first', async () => {
    const { api, options, target } = await pool();
    const t = target();
    await t.create([draft('reset@example.com')], run());
    expect(await t.sendReset('reset@example.com')).toBe('sent');
    expect(api.pool.sentCodes.map((c) => c.email)).toEqual(['reset@example.com']);
    expect(api.pool.find('reset@example.com')!.status).toBe('RESET_REQUIRED');

    // Created, then the run stopped before AdminSetUserPassword.
    await new CognitoAdminClient(options).adminCreateUser({ username: 'half@example.com', attributes: { email: 'half@example.com', email_verified: 'true' } });
    expect(api.pool.find('half@example.com')!.status).toBe('FORCE_CHANGE_PASSWORD');
    expect(await t.sendReset('half@example.com')).toBe('sent');
    expect(api.pool.sentCodes.map((c) => c.email)).toEqual(['reset@example.com', 'half@example.com']);
  });

  it('an email Olympus never verified still gets its code (the random password leaves the code as the only way in); a pool user with an unverified email gets a clear error, not a silent success', async () => {
    const { api, options, target } = await pool();
    const t = target();
    await t.create([draft('unverified@example.com', { emailVerified: false })], run());
    expect(api.pool.find('unverified@example.com')!.attributes.email_verified).toBe('true');
    expect(await t.sendReset('unverified@example.com')).toBe('sent');
    expect(api.pool.sentCodes.map((c) => c.email)).toEqual(['unverified@example.com']);

    const client = new CognitoAdminClient(options);
    await client.adminCreateUser({ username: 'manual@example.com', attributes: { email: 'manual@example.com', email_verified: 'false' } });
    await client.adminSetUserPassword({ username: 'manual@example.com', password: 'Some-password-1', permanent: true });
    const err = await t.sendReset('manual@example.com').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CognitoTargetError);
    expect(err).toMatchObject({ reason: 'email_not_verified' });
    expect(api.pool.sentCodes).toHaveLength(1);
  });
});

describe('a password changed in Olympus by a user imported from Cognito', () => {
  it('cannot be carried (no hash API): the note goes into the mark attributes, clears an older claim, and leaves the account and its password alone', async () => {
    const { api, target } = await pool();
    const theirs = api.pool.seed({ email: 'imported@example.com', password: 'their-own-password', attributes: { 'custom:sb_reset': 'run-old' } });
    const t = target();
    expect(t.legacyHashCapability()).toBe('unsupported');
    await expect(t.replaceLegacyHash(theirs.username)).rejects.toMatchObject({ reason: 'hash_not_accepted' });
    await t.notePasswordChange(theirs.username, { at: '2026-11-02T11:00:00.000Z', by: 'mirror-7' });
    const after = await t.get(theirs.username);
    expect(after!.passwordChange).toEqual({ at: '2026-11-02T11:00:00.000Z', by: 'mirror-7', state: 'reset', resetClaimedBy: undefined });
    // Never marked as switchback's (undo leaves it alone), still CONFIRMED with the old password.
    expect(after!.mark).toBeUndefined();
    expect(api.pool.find('imported@example.com')).toMatchObject({ username: theirs.username, status: 'CONFIRMED' });
    await t.claimReset(after!, 'run-9');
    expect((await t.get(theirs.username))!.passwordChange!.resetClaimedBy).toBe('run-9');
  });
});

describe('preflight', () => {
  it('names the custom attributes the pool lacks, before any write', async () => {
    const { api, target } = await pool({ customAttributes: ['olympus_id', 'sb_run'] });
    const err = await target().preflight().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CognitoTargetError);
    expect(err).toMatchObject({ reason: 'missing_custom_attributes' });
    const message = (err as Error).message;
    expect(message).toContain('custom:sb_by, custom:sb_password, custom:sb_reset, custom:sb_pw_at, custom:sb_pw_by, custom:sb_pw_state');
    expect(message).not.toContain('custom:olympus_id');
    expect(message).toContain(`aws cognito-idp add-custom-attributes --user-pool-id ${api.pool.id}`);
    expect(api.operations).toEqual(['DescribeUserPool']);
  });

  it('a pool without the attributes refuses a marked user anyway (the schema is Cognito\'s, not ours)', async () => {
    const { api, target } = await pool({ customAttributes: [] });
    const t = target();
    // create() runs the preflight first: it throws, nothing is written.
    await expect(t.create([draft('x@example.com')], run())).rejects.toMatchObject({ reason: 'missing_custom_attributes' });
    expect(api.pool.users.size).toBe(0);
  });

  it('a wrong secret: SigV4 refused, a message naming the credentials, nothing written, the secret not echoed', async () => {
    const { api, options, target } = await pool();
    const t = target({}, new CognitoAdminClient({ ...options, secretAccessKey: 'not-the-secret-42' }));
    const err = await t.preflight().catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'credentials_refused' });
    expect((err as Error).message).toContain('COGNITO_ACCESS_KEY_ID/COGNITO_SECRET_ACCESS_KEY');
    expect((err as Error).message).toContain('InvalidSignatureException');
    expect((err as Error).message).not.toContain('not-the-secret-42');
    expect(api.operations).toEqual([]); // refused before any operation ran
    await expect(t.create([draft('y@example.com')], run())).rejects.toMatchObject({ reason: 'credentials_refused' });
    expect(api.pool.users.size).toBe(0);
  });
});

describe('through the reconcile engine', () => {
  it('brings a window back: one reset code per new user, hashes left behind and said so per user, existing emails skipped; a rerun sends nothing twice', async () => {
    const { api, target } = await pool();
    const ids = signups(6, 71);
    api.pool.seed({ email: String(ids[0]!.traits.email), password: 'their-own-password' });
    const k = await kratos(ids);
    const journal = memoryJournal<ReconcileEvent>();
    const opts = { window: parseWindow(WINDOW.from, WINDOW.to), runId: 'rc-cognito-1', dryRun: false, pageSize: 4, mode: 'auto' as const, importThreshold: 20, checkCourier: false };
    const report = await reconcile({ kratos: new KratosAdminClient(k.url), target: target(), journal }, opts);
    const byId = new Map(report.lines.map((l) => [l.identity_id, l]));
    expect(byId.get(ids[0]!.id)).toMatchObject({ status: 'skipped_exists', detail: 'already in cognito' });
    for (const i of ids.slice(1)) {
      const hashed = i.credentials?.password !== undefined;
      expect(byId.get(i.id), i.id).toMatchObject({ status: 'created_reset_sent', password: 'reset', password_reason: hashed ? 'hash_not_accepted_by_cognito' : 'no_password_in_olympus' });
    }
    expect(report.lines.some((l) => l.password_reason === 'hash_not_accepted_by_cognito')).toBe(true);
    expect(api.pool.sentCodes.map((c) => c.email).sort()).toEqual(ids.slice(1).map((i) => String(i.traits.email)).sort());
    // The Olympus password did not come along: the Cognito user's password is another (random) one.
    const hashed = ids.slice(1).find((i) => i.credentials?.password)!;
    expect(api.pool.find(String(hashed.traits.email))!.passwordDigest!.equals(createHash('sha256').update(DEFAULT_SEED_PASSWORD).digest())).toBe(false);

    const again = await reconcile({ kratos: new KratosAdminClient(k.url), target: target(), journal: memoryJournal<ReconcileEvent>() }, { ...opts, runId: 'rc-cognito-2' });
    expect(again.totals).toEqual({ in_window: 6, skipped_exists: 6 });
    expect(api.pool.sentCodes).toHaveLength(5); // another run finds the claim in the mark: no second code
  });

  it('undo removes exactly the users that run created: not the person\'s own account, not another run\'s', async () => {
    const { api, target } = await pool();
    const ids = signups(4, 72);
    api.pool.seed({ email: String(ids[0]!.traits.email), password: 'their-own-password' });
    const k = await kratos(ids);
    const t = target();
    const report = await reconcile({ kratos: new KratosAdminClient(k.url), target: t, journal: memoryJournal<ReconcileEvent>() }, { window: parseWindow(WINDOW.from, WINDOW.to), runId: 'rc-undo', dryRun: false, pageSize: 10, mode: 'auto', importThreshold: 20, checkCourier: false });
    expect(report.totals).toMatchObject({ in_window: 4, skipped_exists: 1, created_reset_sent: 3 });
    const other = (await t.create([draft('other-run@example.com')], run('rc-other')))[0]!;
    expect(other.status).toBe('created');
    // A tampered report claiming the person's account and the other run's user as this run's.
    const dir = await mkdtemp(join(tmpdir(), 'switchback-cognito-undo-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const forged = { ...report, lines: [...report.lines.map((l) => (l.status === 'skipped_exists' ? { ...l, status: 'created_reset_sent' as const } : l)), { identity_id: 'not-this-run', email: 'other-run@example.com', created_at: WINDOW.from, status: 'created_reset_sent' as const }] };
    await writeFile(join(dir, 'report.json'), JSON.stringify(forged));
    const result = await undoReport(t, join(dir, 'report.json'), false);
    expect(result).toEqual({ deleted: 3, missing: 1, kept: 1, failed: 0 });
    expect(api.pool.find(String(ids[0]!.traits.email))).toBeDefined();
    expect(api.pool.find('other-run@example.com')).toBeDefined();
    expect(api.pool.users.size).toBe(2);
    // The forged line whose email has no user of that identity is "already gone", never someone else's account.
    expect(api.operations.filter((o) => o === 'AdminDeleteUser')).toHaveLength(3);
  });
});

describe('targets.ts', () => {
  let api: CognitoApiHandle;
  beforeAll(async () => {
    api = await startCognitoApi({ customAttributes: COGNITO_MARK_ATTRIBUTES });
  });
  afterAll(() => api?.stop());

  it('LEGACY_PROVIDER=cognito builds the Cognito target from the COGNITO_* variables, naming a missing one', async () => {
    const vars: Record<string, string> = { LEGACY_PROVIDER: 'cognito', COGNITO_USER_POOL_ID: api.pool.id, COGNITO_ADMIN_ENDPOINT: api.endpoint, COGNITO_ACCESS_KEY_ID: DEFAULT_COGNITO_CREDENTIALS.accessKeyId, COGNITO_SECRET_ACCESS_KEY: DEFAULT_COGNITO_CREDENTIALS.secretAccessKey };
    const t = reconcileTargetFor('cognito', (n) => vars[n]);
    expect(t.kind).toBe('cognito');
    await t.preflight();
    const { COGNITO_SECRET_ACCESS_KEY: _s, ...noSecret } = vars;
    expect(() => reconcileTargetFor('cognito', (n) => noSecret[n])).toThrow(TargetConfigError);
    expect(() => reconcileTargetFor('cognito', (n) => noSecret[n])).toThrow(/COGNITO_SECRET_ACCESS_KEY is required/);
    expect(() => reconcileTargetFor('clerk', (n) => vars[n])).toThrow(/CLERK_SECRET_KEY is required/);
    expect(reconcileTargetFor('clerk', (n) => ({ CLERK_SECRET_KEY: 'sk_test_abc' })[n]).kind).toBe('clerk');
  });
});

describe('switchback reconcile with LEGACY_PROVIDER', () => {
  it('cognito: a pool without the mark\'s attributes stops the command before any write, naming them; clerk without its key and unknown kinds are usage errors', async () => {
    const { api, options } = await pool({ customAttributes: [] });
    const k = await kratos(signups(3, 73));
    const dir = await mkdtemp(join(tmpdir(), 'switchback-cognito-cli-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const env = { KRATOS_ADMIN_URL: k.url, COGNITO_USER_POOL_ID: options.userPoolId, COGNITO_ADMIN_ENDPOINT: options.endpoint, COGNITO_ACCESS_KEY_ID: options.accessKeyId, COGNITO_SECRET_ACCESS_KEY: options.secretAccessKey };
    const args = ['--from', WINDOW.from, '--to', WINDOW.to, '--checkpoint', join(dir, 'cp.jsonl'), '--report', join(dir, 'report.json')];
    const [cognito, clerk, bogus] = await Promise.all([
      runReconcile(args, { cwd: dir, env: { ...env, LEGACY_PROVIDER: 'cognito' }, timeoutMs: 30_000 }),
      runReconcile(args, { cwd: dir, env: { ...env, LEGACY_PROVIDER: 'clerk' }, timeoutMs: 30_000 }),
      runReconcile(args, { cwd: dir, env: { ...env, LEGACY_PROVIDER: 'okta' }, timeoutMs: 30_000 }),
    ]);
    expect(cognito.code, cognito.output).toBe(1);
    expect(cognito.stderr).toContain('lacks the custom attributes switchback marks its users with: custom:olympus_id, custom:sb_run, custom:sb_by, custom:sb_password, custom:sb_reset, custom:sb_pw_at, custom:sb_pw_by, custom:sb_pw_state');
    expect(api.operations).toEqual(['DescribeUserPool']);
    expect(api.pool.users.size).toBe(0);
    expect(clerk.code, clerk.output).toBe(2);
    expect(clerk.stderr).toContain('reconcile: CLERK_SECRET_KEY is required');
    expect(bogus.code, bogus.output).toBe(2);
    expect(bogus.stderr).toContain('reconcile: LEGACY_PROVIDER must be one of auth0, cognito, clerk, got "okta"');
  }, 40_000);
});

/**
 * The Auth0 reconcile target (reconcile-target.ts) on the Management API v2
 * client (auth0-management-client.ts): the first implementation of the
 * interface, the one the Workflow, the CLI and the mirror use today.
 *
 * - Hashes: POST /users takes no hash, so a user with a hash Auth0 can verify
 *   (bcrypt as `password_hash`, argon2 and pbkdf2 as `custom_password_hash`)
 *   is created through a user-import job (≤ 500 KB per file, at most two jobs
 *   per tenant, per-user errors read back; DUPLICATED_USER means `exists`).
 *   Without one: POST /users with an unusable random password (409: `exists`),
 *   or an import job too when many come at once (`bulk`).
 * - A new hash for an existing user: Auth0's import sets a hash only when it
 *   creates the user ("password_hash … can only be provided when the user is
 *   first imported and cannot be updated later", Bulk User Import Database
 *   Schema; an upsert with a hash fails with "A custom_password_hash was
 *   provided, but the user already has password hash defined", Auth0 support
 *   article "Bulk User Import Without Password Hashes"), and PATCH /users/{id}
 *   takes only a plain-text `password`. Auth0's own answer is: delete the user
 *   and import it again; we import it under the same user_id (import's
 *   `user_id` field, without the `auth0|` prefix), so sessions, logs and
 *   links keyed by the id still match.
 * - A password changed in Olympus by a user imported FROM Auth0 (a real
 *   account, legacy-password.ts): `recreate_only`, the same delete +
 *   re-import, keeping the user_id, profile, app_metadata and user_metadata,
 *   but losing what an import cannot carry (MFA enrolments, linked
 *   identities, login history, last_login, blocked-by-brute-force state):
 *   done only when the mirror is told to (MIRROR_LEGACY_PASSWORD_CHANGES=
 *   recreate). Otherwise a note in app_metadata (`notePasswordChange`).
 * - Reset: /dbconnections/change_password (Auth0's mail path), with an
 *   application enabled on the connection; with switchback's user-mail path
 *   (reset-mail.ts) a password-change ticket instead (`resetLink`), which
 *   sends nothing: the link goes out in the users' template.
 * - The mark (legacy-mark.ts) is app_metadata; Auth0 merges app_metadata at
 *   the top level on PATCH, so a claim touches only its key.
 */
import { Auth0ApiError, type Auth0ManagementClient, type Auth0User } from './auth0-management-client.ts';
import { markMetadata, markOf, type MarkMetadata } from './legacy-mark.ts';
import { noteMetadata, noteOf, type LegacyHashCapability } from './legacy-password.ts';
import type { CreateOptions, CreateOutcome, KratosHash, LegacyAccountSnapshot, LegacyReplaceOptions, LegacyUserDraft, PreflightOptions, ReconcileTarget, ResetOutcome, TargetUser } from './reconcile-target.ts';

export interface Auth0TargetOptions {
  /** The database connection's name (AUTH0_CONNECTION). */
  connection: string;
  /** client_id of an application enabled on the connection, for reset emails. */
  resetClientId: string;
}

type PasswordCarry =
  | { kind: 'bcrypt'; password_hash: string }
  | { kind: 'custom'; custom_password_hash: { algorithm: 'argon2' | 'bcrypt' | 'pbkdf2'; hash: { value: string; encoding?: 'utf8' } } }
  | { kind: 'none' };

/**
 * What Auth0 takes as `password_hash`: bcrypt `$2a$`/`$2b$` at cost 10 only
 * ("Passwords should be hashed using bcrypt $2a$ or $2b$ and have 10
 * saltRounds", Bulk User Import Database Schema; the pattern quoted by the
 * import error in Auth0's support article "User Import Fails with Error:
 * Error in passwordHash Property - String does not Match Pattern"). Kratos
 * hashes with cost 12 by default: those go as `custom_password_hash` with
 * algorithm bcrypt (an MCF string of any cost, `$2a$`/`$2b$`/`$2y$`).
 */
const AUTH0_PASSWORD_HASH = /^\$2[ab]?\$10+\$[./A-Za-z0-9]{53}$/;
const BCRYPT_MCF = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

const MAX_IMPORT_BYTES = 450 * 1024; // under Auth0's 500 KB per file, with room for the multipart envelope
const MAX_CONCURRENT_JOBS = 2;

/** How a Kratos hash travels to Auth0, if it can. */
export function passwordCarry(hash: string | undefined): PasswordCarry {
  if (!hash) return { kind: 'none' };
  if (AUTH0_PASSWORD_HASH.test(hash)) return { kind: 'bcrypt', password_hash: hash };
  if (BCRYPT_MCF.test(hash)) return { kind: 'custom', custom_password_hash: { algorithm: 'bcrypt', hash: { value: hash, encoding: 'utf8' } } };
  if (hash.startsWith('$argon2id$') || hash.startsWith('$argon2i$')) return { kind: 'custom', custom_password_hash: { algorithm: 'argon2', hash: { value: hash, encoding: 'utf8' } } };
  if (/^\$pbkdf2-sha(1|256|512)\$/.test(hash)) return { kind: 'custom', custom_password_hash: { algorithm: 'pbkdf2', hash: { value: hash, encoding: 'utf8' } } };
  return { kind: 'none' };
}

/** An unusable password that satisfies Auth0's password policies; the user resets it. */
export function unusablePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}aA1!`;
}

/**
 * Auth0's validator (z-schema) quotes the offending value in some messages
 * ("String does not match pattern {0}: {1}"), so an error about a hash can
 * carry the hash. Every string submitted under a password or hash field is
 * cut out of an error's text before it reaches a journal, a report or a log.
 */
export function withoutSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 8) out = out.split(s).join('[redacted]');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

/** The password material of an import record or a create body (values only). */
function secretsOf(record: Record<string, unknown> | undefined): string[] {
  if (!record) return [];
  const custom = record.custom_password_hash as { hash?: { value?: unknown; salt?: { value?: unknown } } } | undefined;
  return [record.password_hash, record.password, custom?.hash?.value, custom?.hash?.salt?.value].filter((v): v is string => typeof v === 'string');
}

function redacted(err: unknown, secrets: readonly string[]): unknown {
  return err instanceof Auth0ApiError ? new Auth0ApiError(err.status, err.errorCode, withoutSecrets(err.message, secrets), err.retryable) : err;
}

function profileFields(d: LegacyUserDraft): Record<string, unknown> {
  const r: Record<string, unknown> = { email: d.email, email_verified: d.emailVerified };
  if (d.name) r.name = d.name;
  if (d.givenName) r.given_name = d.givenName;
  if (d.familyName) r.family_name = d.familyName;
  return r;
}

function importRecord(d: LegacyUserDraft, meta: MarkMetadata | Record<string, unknown>, userId?: string): Record<string, unknown> {
  const r: Record<string, unknown> = { ...profileFields(d), app_metadata: meta };
  if (userId) r.user_id = userId;
  const carry = passwordCarry(d.hash);
  if (carry.kind === 'bcrypt') r.password_hash = carry.password_hash;
  if (carry.kind === 'custom') r.custom_password_hash = carry.custom_password_hash;
  return r;
}

/** What an import can carry of an Auth0 account as it is (never its password, which the Management API does not return). */
function accountSnapshot(u: Auth0User): LegacyAccountSnapshot {
  const out: Record<string, unknown> = {};
  // `blocked` and `username` too: a blocked account stays blocked, a connection that requires usernames keeps its own.
  for (const k of ['email', 'email_verified', 'username', 'name', 'given_name', 'family_name', 'nickname', 'picture', 'blocked', 'user_metadata', 'app_metadata'] as const) {
    const v = (u as unknown as Record<string, unknown>)[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

export function toTargetUser(u: Auth0User): TargetUser {
  const note = noteOf(u.app_metadata);
  return { id: u.user_id, email: u.email, mark: markOf(u.app_metadata), ...(note ? { passwordChange: note } : {}), ...(typeof u.created_at === 'string' ? { createdAt: u.created_at } : {}) };
}

/**
 * The Management API scopes every reconcile and mirror run uses: users read,
 * created (one by one and by import job) and updated (the mark), and the
 * connection looked up. Password-change tickets add create:user_tickets,
 * undo and recreate add delete:users (PreflightOptions).
 */
export const AUTH0_RECONCILE_SCOPES = ['read:users', 'create:users', 'update:users', 'read:connections'] as const;

export class Auth0Target implements ReconcileTarget {
  readonly kind = 'auth0' as const;
  #connectionId: string | undefined;

  constructor(
    readonly client: Auth0ManagementClient,
    private readonly o: Auth0TargetOptions,
  ) {}

  get stats() {
    return this.client.stats;
  }

  acceptsHash(hash: KratosHash): boolean {
    return passwordCarry(hash).kind !== 'none';
  }

  async preflight(o: PreflightOptions = {}): Promise<void> {
    await this.client.verifyCredentials();
    const needed = [...AUTH0_RECONCILE_SCOPES, ...(o.resetLinks ? ['create:user_tickets'] : []), ...(o.deletes ? ['delete:users'] : [])];
    const missing = await this.client.missingScopes(needed);
    if (missing.length > 0) {
      throw new Auth0ApiError(
        403,
        'insufficient_scope',
        `The Management API application (AUTH0_MGMT_CLIENT_ID) was not granted ${missing.join(', ')}: grant ${missing.length === 1 ? 'it' : 'them'} in the Auth0 Dashboard (Applications > APIs > Auth0 Management API > Machine to Machine Applications) before anything is written${o.resetLinks && missing.includes('create:user_tickets') ? ' (create:user_tickets: the password-change links of USER_MAIL=webhook|ses)' : ''}`,
        false,
      );
    }
    const conn = await this.client.connection(this.o.connection);
    this.#connectionId = conn.id;
    // Reset emails are requested with this application's client_id: if it cannot use the connection, every one would fail.
    if (conn.enabled_clients && !conn.enabled_clients.includes(this.o.resetClientId)) {
      throw new Auth0ApiError(400, 'reset_client_not_enabled', `--reset-client-id ${JSON.stringify(this.o.resetClientId)} (or AUTH0_CLIENT_ID) is not an application enabled on the connection ${JSON.stringify(this.o.connection)}: reset emails would fail`, false);
    }
  }

  async #connId(): Promise<string> {
    return (this.#connectionId ??= await this.client.connectionId(this.o.connection));
  }

  async create(drafts: readonly LegacyUserDraft[], o: CreateOptions): Promise<CreateOutcome[]> {
    const out: CreateOutcome[] = new Array(drafts.length);
    const viaJob: number[] = [];
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i]!;
      if (this.acceptsHash(d.hash ?? '') || o.bulk) {
        viaJob.push(i);
        continue;
      }
      const meta = markMetadata(d, { runId: o.runId, by: o.by, passwordKept: false, claimReset: o.claimReset });
      const password = unusablePassword();
      try {
        // No existence check first: Auth0's 409 says it, in one call instead of two.
        const created = await this.client.createUser({ ...profileFields(d), app_metadata: meta, connection: this.o.connection, password, verify_email: false });
        out[i] = created.status === 'exists' ? { status: 'exists' } : { status: 'created', userId: created.user.user_id, passwordKept: false };
      } catch (err) {
        if (err instanceof Auth0ApiError && !err.retryable) out[i] = { status: 'failed', detail: withoutSecrets(err.message, [password]) };
        else throw redacted(err, [password]);
      }
    }
    if (viaJob.length) await this.#importAll(drafts, viaJob, o, out);
    return out;
  }

  async #importAll(drafts: readonly LegacyUserDraft[], indexes: number[], o: CreateOptions, out: CreateOutcome[]): Promise<void> {
    const chunks: number[][] = [];
    let chunk: number[] = [];
    let size = 2;
    const records = new Map<number, Record<string, unknown>>();
    for (const i of indexes) {
      const d = drafts[i]!;
      const kept = this.acceptsHash(d.hash ?? '');
      const r = importRecord(d, markMetadata(d, { runId: o.runId, by: o.by, passwordKept: kept, claimReset: o.claimReset }));
      records.set(i, r);
      const bytes = JSON.stringify(r).length + 1;
      if (chunk.length && size + bytes > MAX_IMPORT_BYTES) {
        chunks.push(chunk);
        chunk = [];
        size = 2;
      }
      chunk.push(i);
      size += bytes;
    }
    if (chunk.length) chunks.push(chunk);
    const connectionId = await this.#connId();
    const runChunk = async (items: number[]) => {
      let results: Map<number, { code: string; message: string }[] | undefined>;
      try {
        results = await this.#importJob(connectionId, items.map((i) => records.get(i)!), items);
      } catch (err) {
        if (err instanceof Auth0ApiError && !err.retryable) {
          for (const i of items) out[i] = { status: 'failed', detail: err.message };
          return;
        }
        throw err;
      }
      for (const i of items) {
        const errs = results.get(i);
        const kept = this.acceptsHash(drafts[i]!.hash ?? '');
        if (!errs || errs.length === 0) out[i] = { status: 'created', passwordKept: kept };
        else if (errs.some((e) => e.code === 'DUPLICATED_USER')) out[i] = { status: 'exists' };
        else out[i] = { status: 'failed', detail: errs.map((e) => `${e.code}: ${e.message}`).join('; ') };
      }
    };
    for (let i = 0; i < chunks.length; i += MAX_CONCURRENT_JOBS) await Promise.all(chunks.slice(i, i + MAX_CONCURRENT_JOBS).map(runChunk));
  }

  /** One import job, waited for; per-user errors by index (import jobs return no user ids). */
  async #importJob(connectionId: string, users: Record<string, unknown>[], indexes: number[]): Promise<Map<number, { code: string; message: string }[] | undefined>> {
    let job;
    for (let attempt = 0; ; attempt++) {
      try {
        job = await this.client.importUsers(connectionId, users);
        break;
      } catch (err) {
        // More than two jobs tenant-wide: wait for a slot (the client already honoured the reset).
        if (err instanceof Auth0ApiError && err.status === 429 && attempt < 20) continue;
        throw redacted(err, users.flatMap(secretsOf));
      }
    }
    for (let polls = 0; job.status !== 'completed' && job.status !== 'failed'; polls++) {
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(polls, 5))));
      job = await this.client.job(job.id);
    }
    const out = new Map<number, { code: string; message: string }[] | undefined>();
    if (job.status === 'failed') {
      for (const i of indexes) out.set(i, [{ code: 'JOB_FAILED', message: `import job ${job.id} failed` }]);
      return out;
    }
    const errors = await this.client.jobErrors(job.id);
    const byEmail = new Map(errors.map((e) => [String(e.user.email ?? '').toLowerCase(), e.errors]));
    const chunkSecrets = users.flatMap(secretsOf);
    users.forEach((u, k) => {
      const errs = byEmail.get(String(u.email).toLowerCase());
      // Every record's secrets, not only this one's: two records of a chunk may share an address.
      out.set(indexes[k]!, errs?.map((e) => ({ code: e.code, message: withoutSecrets(e.message, chunkSecrets) })));
    });
    return out;
  }

  async findByEmail(email: string): Promise<TargetUser[]> {
    return (await this.client.usersByEmail(email)).map(toTargetUser);
  }

  async get(userId: string): Promise<TargetUser | undefined> {
    const u = await this.client.getUser(userId);
    return u ? toTargetUser(u) : undefined;
  }

  async updateProfile(user: TargetUser, d: LegacyUserDraft): Promise<void> {
    // Auth0 wants the connection named when a database user's email changes.
    const body: Record<string, unknown> = { ...profileFields(d), connection: this.o.connection };
    if (d.email === user.email) delete body.email;
    if (body.email !== undefined) body.verify_email = false;
    await this.client.patchUser(user.id, body);
  }

  async replaceHash(user: TargetUser, d: LegacyUserDraft & { hash: KratosHash }): Promise<{ status: 'replaced'; userId: string } | { status: 'unsupported' }> {
    if (!this.acceptsHash(d.hash) || !user.mark) return { status: 'unsupported' };
    const current = await this.client.getUser(user.id);
    // A retry after the delete went through finds no user: the mark is rebuilt from the one read before.
    const m = user.mark;
    const meta = { ...(current?.app_metadata ?? markMetadata(d, { runId: m.run, by: m.by, passwordKept: true, claimReset: false })), ...(m.resetClaimedBy ? { reset_claimed_by: m.resetClaimedBy } : {}), password: 'kept' };
    const bare = user.id.startsWith('auth0|') ? user.id.slice('auth0|'.length) : user.id;
    if (current) await this.client.deleteUser(user.id);
    const results = await this.#importJob(await this.#connId(), [importRecord(d, meta, bare)], [0]);
    const errs = results.get(0);
    if (errs && errs.length) throw new Auth0ApiError(0, errs[0]!.code, `re-import of ${user.id} with its new hash failed: ${errs.map((e) => `${e.code}: ${e.message}`).join('; ')}`, true);
    return { status: 'replaced', userId: `auth0|${bare}` };
  }

  legacyHashCapability(hash: KratosHash): LegacyHashCapability {
    return this.acceptsHash(hash) ? 'recreate_only' : 'unsupported';
  }

  async replaceLegacyHash(userId: string, d: LegacyUserDraft & { hash: KratosHash }, note: { at: string; by: string }, o: LegacyReplaceOptions = {}): Promise<{ status: 'replaced'; userId: string }> {
    const current = await this.client.getUser(userId);
    const bare = userId.startsWith('auth0|') ? userId.slice('auth0|'.length) : userId;
    // The account as it is (or as an unfinished attempt kept it before its delete): what the re-import puts back.
    const snapshot = current ? accountSnapshot(current) : o.kept;
    // Gone, and no copy kept by an unfinished attempt of ours: someone deleted it in Auth0. Not resurrected.
    if (!snapshot) throw new Auth0ApiError(404, 'user_gone', `${userId} is gone from Auth0 and no copy of it was kept by an unfinished re-import: not recreated (it was deleted there)`, false);
    if (current && o.keep) await o.keep(snapshot);
    const keep = (k: string) => (snapshot[k] !== undefined && snapshot[k] !== null ? { [k]: snapshot[k] } : {});
    const appMetadata: Record<string, unknown> = { ...((snapshot.app_metadata as Record<string, unknown> | undefined) ?? {}), ...noteMetadata({ ...note, state: 'carried' }) };
    delete appMetadata.reset_claimed_by;
    const base = { ...profileFields({ ...d, email: typeof snapshot.email === 'string' ? snapshot.email : d.email, emailVerified: snapshot.email_verified === true }), ...keep('username'), ...keep('name'), ...keep('given_name'), ...keep('family_name'), ...keep('nickname'), ...keep('picture'), ...keep('blocked'), ...keep('user_metadata') };
    const record = { ...importRecord(d, appMetadata, bare), ...base };
    if (current) await this.client.deleteUser(userId);
    const results = await this.#importJob(await this.#connId(), [record], [0]);
    const errs = results.get(0);
    if (errs && errs.length) throw new Auth0ApiError(0, errs[0]!.code, `re-import of ${userId} with its new hash failed: ${errs.map((e) => `${e.code}: ${e.message}`).join('; ')}`, true);
    return { status: 'replaced', userId: `auth0|${bare}` };
  }

  async notePasswordChange(userId: string, note: { at: string; by: string }): Promise<void> {
    // A new change owes a new email: an older claim (an earlier rollback's) no longer covers it.
    await this.client.updateAppMetadata(userId, { ...noteMetadata({ ...note, state: 'reset' }), reset_claimed_by: null });
  }

  async claimReset(user: TargetUser, runId: string): Promise<void> {
    await this.client.updateAppMetadata(user.id, { reset_claimed_by: runId });
  }

  async sendReset(email: string): Promise<ResetOutcome> {
    await this.client.sendPasswordChangeEmail(email, this.o.resetClientId, this.o.connection);
    return 'sent';
  }

  async resetLink(email: string): Promise<string> {
    return this.client.passwordChangeTicket(email, await this.#connId());
  }

  async remove(userId: string): Promise<void> {
    await this.client.deleteUser(userId);
  }
}

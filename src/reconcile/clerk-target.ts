/**
 * The Clerk reconcile target (reconcile-target.ts) on the Backend API client
 * (src/providers/admin/clerk-backend-client.ts): what a rollback needs to
 * bring Olympus signups back to a legacy Clerk instance.
 *
 * - Create: POST /v1/users, one user per call (Clerk has no bulk create),
 *   `external_id` = the Olympus identity id, the mark (legacy-mark.ts) in
 *   `private_metadata` (backend-only: the user cannot edit it), the sign-up
 *   time as `created_at`. A hash Clerk can verify goes as `password_digest`
 *   + `password_hasher` (clerk-digest.ts says which, and why); without one,
 *   `skip_password_requirement` and the user is `needs_reset`.
 *   `form_identifier_exists` (422, the email or the external id taken) is
 *   `exists`: the engine settles it by the mark.
 * - Reset: Clerk has no Backend API that sends a password-reset email (its
 *   reset is the sign-in's `reset_password_email_code` strategy, started by
 *   the user), so `sendReset` answers `needs_reset` and the engine reports
 *   it per user; the communication email goes through the configured mail
 *   path.
 * - A new hash: PATCH /v1/users/{id} with the digest, in place (same user
 *   id), then the mark's `password: kept` through PATCH
 *   /v1/users/{id}/metadata (deep merge); `unsupported` when not convertible.
 * - Rate limits (clerk-docs guides/how-clerk-works/system-limits.mdx):
 *   1,000 requests per 10 s per production instance (100 on development),
 *   POST /v1/users 20 per 10 s (references/backend/user/create-user.mdx),
 *   PATCH of a user or its metadata 10 per 10 s per user. A 429 blocks that
 *   endpoint for `Retry-After` seconds: every call here waits it out and
 *   tries again (up to `maxAttempts`), and the next call waits for the same
 *   block rather than spend a request on a known 429.
 */
import { SwitchbackError } from '../core/errors.ts';
import { isLegacyAdminError, LegacyAdminError } from '../providers/admin/admin-error.ts';
import { clerkBackendOptions, isProblem } from '../providers/admin/admin-config.ts';
import { ClerkBackendClient, type ClerkUser } from '../providers/admin/clerk-backend-client.ts';
import { clerkDigestOf, isDigest, type ClerkDigest } from './clerk-digest.ts';
import { markMetadata, markOf } from './legacy-mark.ts';
import { noteMetadata, noteOf, type LegacyHashCapability } from './legacy-password.ts';
import type { CreateOptions, CreateOutcome, KratosHash, LegacyUserDraft, ReconcileTarget, ResetOutcome, TargetUser } from './reconcile-target.ts';

export interface ClerkTargetOptions {
  /** Tries per call when Clerk answers 429 (default 10). */
  maxAttempts?: number;
  /** Wait when a 429 carries no Retry-After (default 1 s: Clerk's windows are 10 s). */
  defaultRetryAfterMs?: number;
  /** Test seam for the waits. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The key or the URL is missing, wrong or refused: no write was attempted. The message names the variable. */
export class ClerkTargetError extends SwitchbackError {
  readonly code = 'ERR_LEGACY_ADMIN';
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function toTargetUser(u: ClerkUser, email?: string): TargetUser {
  const lower = email?.toLowerCase();
  const address = (lower && u.emailAddresses.find((e) => e.toLowerCase() === lower)) ?? u.emailAddresses[0] ?? '';
  const note = noteOf(u.privateMetadata);
  return { id: u.id, email: address, mark: markOf(u.privateMetadata), ...(note ? { passwordChange: note } : {}), ...(u.createdAtMs !== undefined ? { createdAt: new Date(u.createdAtMs).toISOString() } : {}) };
}

export class ClerkTarget implements ReconcileTarget {
  readonly kind = 'clerk' as const;
  readonly #maxAttempts: number;
  readonly #defaultRetryAfterMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #blockedUntil = 0;
  readonly #own = { rateLimited: 0, waitedMs: 0 };

  constructor(
    readonly client: ClerkBackendClient,
    o: ClerkTargetOptions = {},
  ) {
    this.#maxAttempts = o.maxAttempts ?? 10;
    this.#defaultRetryAfterMs = o.defaultRetryAfterMs ?? 1000;
    this.#sleep = o.sleep ?? wait;
    this.#now = o.now ?? Date.now;
  }

  get stats() {
    return { calls: this.client.stats.calls, rateLimited: this.#own.rateLimited, waitedMs: this.#own.waitedMs };
  }

  /** One Backend API call, waiting out 429s as Clerk's Retry-After says. */
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const blocked = this.#blockedUntil - this.#now();
      if (blocked > 0) {
        this.#own.waitedMs += blocked;
        await this.#sleep(blocked);
      }
      try {
        return await fn();
      } catch (err) {
        if (!isLegacyAdminError(err, 'throttled') || attempt >= this.#maxAttempts) throw err;
        this.#own.rateLimited++;
        this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + Math.max(100, err.retryAfterMs ?? this.#defaultRetryAfterMs));
      }
    }
  }

  acceptsHash(hash: KratosHash): boolean {
    return isDigest(clerkDigestOf(hash));
  }

  async preflight(): Promise<void> {
    try {
      await this.#call(() => this.client.call('GetUserList', 'GET', '/users?limit=1'));
    } catch (err) {
      if (isLegacyAdminError(err, 'auth_refused')) throw new ClerkTargetError(`CLERK_SECRET_KEY was refused by the Clerk Backend API at CLERK_API_URL (HTTP ${err.status}${err.providerCode ? ` ${err.providerCode}` : ''}): check the key and its instance`, err);
      throw err;
    }
  }

  async create(drafts: readonly LegacyUserDraft[], o: CreateOptions): Promise<CreateOutcome[]> {
    const out: CreateOutcome[] = [];
    for (const d of drafts) {
      const digest = clerkDigestOf(d.hash);
      const kept = isDigest(digest);
      const meta = markMetadata(d, { runId: o.runId, by: o.by, passwordKept: kept, claimReset: o.claimReset });
      try {
        const user = await this.#call(() =>
          this.client.createUser({
            emailAddress: d.email,
            ...(d.givenName ? { firstName: d.givenName } : {}),
            ...(d.familyName ? { lastName: d.familyName } : {}),
            externalId: d.identityId,
            privateMetadata: { ...meta },
            createdAt: d.createdAt,
            ...(kept ? { passwordDigest: digest } : {}),
          }),
        );
        out.push({ status: 'created', userId: user.id, passwordKept: kept });
      } catch (err) {
        if (isLegacyAdminError(err, 'user_exists')) out.push({ status: 'exists' });
        else if (err instanceof LegacyAdminError) out.push({ status: 'failed', detail: err.message });
        else throw err;
      }
    }
    return out;
  }

  async findByEmail(email: string): Promise<TargetUser[]> {
    const users = await this.#call(() => this.client.findUsersByEmail(email));
    return users.map((u) => toTargetUser(u, email));
  }

  async get(userId: string): Promise<TargetUser | undefined> {
    const u = await this.#call(() => this.client.getUser(userId));
    return u ? toTargetUser(u) : undefined;
  }

  /**
   * Names only: Clerk's PATCH /v1/users takes no email (addresses are their
   * own resources, /v1/email_addresses, verified by the user), so a changed
   * email is not carried here; addresses created by the Backend API are
   * verified already.
   */
  async updateProfile(user: TargetUser, d: LegacyUserDraft): Promise<void> {
    await this.#call(() => this.client.updateUser(user.id, { ...(d.givenName ? { firstName: d.givenName } : {}), ...(d.familyName ? { lastName: d.familyName } : {}) }));
  }

  async replaceHash(user: TargetUser, d: LegacyUserDraft & { hash: KratosHash }): Promise<{ status: 'replaced'; userId: string } | { status: 'unsupported' }> {
    const digest = clerkDigestOf(d.hash);
    if (!isDigest(digest) || !user.mark) return { status: 'unsupported' };
    await this.#setDigest(user.id, digest);
    await this.#call(() => this.client.mergePrivateMetadata(user.id, { password: 'kept' }));
    return { status: 'replaced', userId: user.id };
  }

  async #setDigest(userId: string, digest: ClerkDigest): Promise<void> {
    await this.#call(() => this.client.updateUser(userId, { passwordDigest: digest }));
  }

  /** Clerk replaces a password digest in place (PATCH /v1/users/{id}): the account, its id and everything on it stay. */
  legacyHashCapability(hash: KratosHash): LegacyHashCapability {
    return this.acceptsHash(hash) ? 'in_place' : 'unsupported';
  }

  /** A user imported from Clerk changed their password in Olympus: the new digest in place, and the note (a retry repeats both harmlessly). */
  async replaceLegacyHash(userId: string, d: LegacyUserDraft & { hash: KratosHash }, note: { at: string; by: string }): Promise<{ status: 'replaced'; userId: string }> {
    const digest = clerkDigestOf(d.hash);
    if (!isDigest(digest)) throw new ClerkTargetError(`the hash of ${userId} cannot be converted for Clerk (legacyHashCapability said so)`, undefined);
    await this.#setDigest(userId, digest);
    await this.#call(() => this.client.mergePrivateMetadata(userId, { ...noteMetadata({ ...note, state: 'carried' }), reset_claimed_by: null }));
    return { status: 'replaced', userId };
  }

  /** Clerk keeps the old password: the note owes the user one reset email at the next rollback's reconcile. */
  async notePasswordChange(userId: string, note: { at: string; by: string }): Promise<void> {
    await this.#call(() => this.client.mergePrivateMetadata(userId, { ...noteMetadata({ ...note, state: 'reset' }), reset_claimed_by: null }));
  }

  async claimReset(user: TargetUser, runId: string): Promise<void> {
    await this.#call(() => this.client.mergePrivateMetadata(user.id, { reset_claimed_by: runId }));
  }

  async sendReset(_email: string): Promise<ResetOutcome> {
    return 'needs_reset';
  }

  /** DELETE /v1/users/{id}; a user already gone is fine (an undo run twice). */
  async remove(userId: string): Promise<void> {
    try {
      await this.#call(() => this.client.deleteUser(userId));
    } catch (err) {
      if (!isLegacyAdminError(err, 'user_not_found')) throw err;
    }
  }
}

/**
 * The Clerk target from the variables the Clerk admin client already reads
 * (admin-config.ts): CLERK_SECRET_KEY and CLERK_API_URL (default
 * https://api.clerk.com). Empty values count as unset. Throws
 * ClerkTargetError naming the variable.
 */
export function clerkTargetFromEnv(vars: Readonly<Record<string, string | undefined>>, deps: { fetch?: typeof fetch } & ClerkTargetOptions = {}): ClerkTarget {
  const options = clerkBackendOptions((name) => (vars[name] === '' ? undefined : vars[name]));
  if (isProblem(options)) throw new ClerkTargetError(`${options.variable} ${options.problem}`, undefined);
  const { fetch: f, ...targetOptions } = deps;
  return new ClerkTarget(new ClerkBackendClient(options, f ? { fetch: f } : {}), targetOptions);
}

/**
 * ReconcileTarget: what the reconcile engine needs from a legacy provider to
 * bring Olympus users back to it. The engine (reconcile-run.ts for the CLI,
 * reconcile-workflow.ts for the edge job, src/mirror/ for `switchback mirror`)
 * decides WHAT to do with each identity; a target only knows HOW its
 * provider does it. One file per provider:
 *
 * - auth0-target.ts: Management API v2. New users with a hash go through a
 *   user-import job (the only Auth0 API that takes hashes); without one,
 *   POST /users with an unusable password. Reset: /dbconnections/change_password.
 *   A password change on an existing user: delete + re-import under the same
 *   user_id (an import never replaces an existing hash; see that file).
 * - cognito (to add): AdminCreateUser with MessageAction SUPPRESS and a
 *   permanent random password, AdminResetUserPassword for the reset; no hash
 *   is ever accepted (`acceptsHash` always false), so every user is
 *   `password: 'reset'`; the mark lives in custom attributes
 *   (custom:olympus_id, custom:sb_run, custom:sb_password, custom:sb_reset);
 *   UsernameExistsException is `exists`.
 * - clerk-target.ts: POST /v1/users with password_digest + password_hasher
 *   (clerk-digest.ts: bcrypt and argon2 as is, pbkdf2 re-encoded), external_id
 *   = the Olympus id, the mark in private_metadata; form_identifier_exists is
 *   `exists`; Clerk has no API that sends a reset email, so `sendReset`
 *   answers `needs_reset` and the engine reports it per user; a new hash is
 *   a PATCH in place (same user id).
 *
 * Every target records the same mark on the users it creates (legacy-mark.ts):
 * that mark is the one definition of "a user switchback created", shared by
 * the Workflow, the CLI, `--undo` and the mirror, and its reset claim is the
 * ledger that keeps anyone from getting two reset emails.
 */
import type { LegacyMark } from './legacy-mark.ts';
import type { LegacyHashCapability, PasswordChangeNote } from './legacy-password.ts';

/** A Kratos password hash in its PHC/MCF text form, e.g. `$2a$10$…`, `$argon2id$…`, `$pbkdf2-sha256$…`. */
export type KratosHash = string;

/** The provider-neutral user to create or update, mapped from a Kratos identity (identity-mapper.ts). */
export interface LegacyUserDraft {
  identityId: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  givenName?: string;
  familyName?: string;
  externalId?: string;
  /** The identity's created_at (ISO 8601). */
  createdAt: string;
  /** Present when Olympus has a password hash; the target carries it over only if `acceptsHash(hash)`. */
  hash?: KratosHash;
}

/** A user as the target holds it, with switchback's mark when switchback created it. */
export interface TargetUser {
  /** The provider's user id (Auth0 `auth0|…`, Cognito username, Clerk `user_…`). */
  id: string;
  email: string;
  mark: LegacyMark | undefined;
  /** On a user imported FROM this provider whose password changed in Olympus: the mirror's note (legacy-password.ts). */
  passwordChange?: PasswordChangeNote;
  /** When the provider created the account (ISO 8601), where its API says so (Auth0's and Clerk's `created_at`, Cognito's `UserCreateDate`). */
  createdAt?: string;
}

export type CreateOutcome =
  | { status: 'created'; userId?: string; passwordKept: boolean }
  | { status: 'exists' }
  | { status: 'failed'; detail: string };

/**
 * Who sent the reset email: `sent` the provider's own mail; `sent_by_mail_path`
 * switchback's user-mail path (src/comms/user-mail.ts) with the users' template;
 * `needs_reset` nobody (the provider has no reset email and no mail path is
 * configured): the user resets at sign-in.
 */
export type ResetOutcome = 'sent' | 'sent_by_mail_path' | 'needs_reset';

export interface CreateOptions {
  /** The writer's run id (a reconcile run, or the mirror's): recorded in the mark. */
  runId: string;
  /** Who wrote it: the mark's `by` (undo and the report tell the mirror's users from a run's). */
  by: 'reconcile' | 'mirror';
  /**
   * A user created without a hash owes a reset email. `true`: this writer
   * will send it (the claim is written with the user, atomically); `false`
   * (the mirror, before any rollback): the first reconcile after a rollback
   * claims it.
   */
  claimReset: boolean;
  /** A hint for targets with a bulk path (Auth0 import jobs): many users at once. */
  bulk: boolean;
}

/**
 * What a delete + re-import must put back of a real account (Auth0: profile,
 * user_metadata, app_metadata), opaque to the caller and never a password
 * hash. The mirror keeps it in its journal before the delete, so a crash
 * between the delete and the re-import does not rebuild the account from
 * Olympus's profile and lose its metadata.
 */
export type LegacyAccountSnapshot = Readonly<Record<string, unknown>>;

export interface LegacyReplaceOptions {
  /** Called with the account as it is, before anything is deleted; the call waits for it (a journal write). */
  keep?: (snapshot: LegacyAccountSnapshot) => Promise<void>;
  /** What `keep` was given by an earlier, unfinished attempt: used when the account is already gone. */
  kept?: LegacyAccountSnapshot;
}

/** What the run will ask of the target beyond creating and reading users, so that preflight checks that too. */
export interface PreflightOptions {
  /** Reset emails go out as password-change links in our own template (USER_MAIL=webhook|ses; Auth0: tickets). */
  resetLinks?: boolean;
  /** Users may be deleted: undo, or the mirror's MIRROR_LEGACY_PASSWORD_CHANGES=recreate. */
  deletes?: boolean;
}

export interface ReconcileTarget {
  readonly kind: 'auth0' | 'cognito' | 'clerk';
  /** Whether this target can take this hash format as is (Auth0: bcrypt, argon2, pbkdf2; Cognito: none). */
  acceptsHash(hash: KratosHash): boolean;
  /** Checks credentials and configuration before any write; throws a message naming the variable. */
  preflight(o?: PreflightOptions): Promise<void>;
  /** Creates users, one outcome per draft in the same order; `exists` when the email is taken. */
  create(drafts: readonly LegacyUserDraft[], o: CreateOptions): Promise<CreateOutcome[]>;
  /** Users with this email (exact, lower-cased), each with switchback's mark if any. */
  findByEmail(email: string): Promise<TargetUser[]>;
  /** One user by the provider id, undefined when gone. */
  get(userId: string): Promise<TargetUser | undefined>;
  /** Email, names, verified flag (the profile) of a user switchback created. */
  updateProfile(user: TargetUser, draft: LegacyUserDraft): Promise<void>;
  /**
   * A new password hash for a user switchback created. `replaced`: the user
   * now signs in with it; `unsupported`: the target cannot take this hash
   * (the user will reset it). May change the user's id (returned).
   */
  replaceHash(user: TargetUser, draft: LegacyUserDraft & { hash: KratosHash }, o: Pick<CreateOptions, 'runId' | 'by'>): Promise<{ status: 'replaced'; userId: string } | { status: 'unsupported' }>;
  /**
   * How this target takes a new hash for a user it already held before the
   * migration (imported into Olympus from it, legacy-password.ts):
   * `in_place` (Clerk: PATCH /v1/users/{id} with password_digest),
   * `recreate_only` (Auth0: delete + re-import under the same user_id),
   * `unsupported` (Cognito; any hash `acceptsHash` refuses).
   */
  legacyHashCapability(hash: KratosHash): LegacyHashCapability;
  /**
   * Puts the Olympus hash on that (real, pre-existing) user and records the
   * note `{ at, by, state: 'carried' }` on it. Keeps the user id. Only called
   * when `legacyHashCapability` is not `unsupported` (and, for
   * `recreate_only`, only with MIRROR_LEGACY_PASSWORD_CHANGES=recreate).
   * Must be retry-safe: a retry after a half-done replace (Auth0: after the
   * delete) finishes it from what `keep` was given (`o.kept`); a user gone
   * with nothing kept was deleted by someone else and is not recreated.
   */
  replaceLegacyHash(userId: string, draft: LegacyUserDraft & { hash: KratosHash }, note: { at: string; by: string }, o?: LegacyReplaceOptions): Promise<{ status: 'replaced'; userId: string }>;
  /**
   * Records the note `{ at, by, state: 'reset' }` on that user (the legacy
   * side keeps the OLD password): the first reconcile after a rollback claims
   * its reset (`claimReset`) and sends the one email. Touches nothing else.
   */
  notePasswordChange(userId: string, note: { at: string; by: string }): Promise<void>;
  /** Writes the reset claim into the user's mark, before the email is sent: at most one sender. */
  claimReset(user: TargetUser, runId: string): Promise<void>;
  /** Sends the provider's own password-reset email, or says it cannot (`needs_reset`). */
  sendReset(email: string): Promise<ResetOutcome>;
  /**
   * A single-use password-reset link for this user, sending nothing (Auth0:
   * a password-change ticket). Targets that have one let the user-mail path
   * (reset-mail.ts) send the reset in the users' template instead of the
   * provider's own email.
   */
  resetLink?(email: string): Promise<string>;
  /** Removes a user (reconcile --undo). */
  remove(userId: string): Promise<void>;
  /** Calls made, 429s met, time waited (progress lines, benchmarks). */
  readonly stats: { calls: number; rateLimited: number; waitedMs: number };
}

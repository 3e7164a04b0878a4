/**
 * Clerk's Backend API, the operations a legacy Clerk needs from switchback:
 * check a password (the password migration hook: find the user by email,
 * then verify_password), find, create with or without a password digest,
 * update and delete (a rollback's reconcile target and its undo). Runs in
 * Workers and Node. Reference: https://clerk.com/docs/reference/backend-api
 * (`Authorization: Bearer sk_...`, JSON bodies, errors in clerk-errors.ts).
 *
 * No retry here: 429 throws `throttled` with Clerk's Retry-After in
 * `retryAfterMs`, for the caller's pacing (the hook has no time to wait).
 */
import { boundedFetch, boundedText, LegacyAdminError, safeCode } from './admin-error.ts';
import { clerkErrorReason } from './clerk-errors.ts';

export interface ClerkBackendOptions {
  /** `sk_live_...` / `sk_test_...` */
  secretKey: string;
  /** `https://api.clerk.com` unless a local stand-in is used. */
  apiUrl: string;
}

export interface ClerkCallOptions {
  timeoutMs?: number;
}

export interface ClerkUser {
  id: string;
  externalId: string | null;
  emailAddresses: string[];
  passwordEnabled: boolean;
  locked: boolean;
  banned: boolean;
  /** Backend-only metadata (a reconcile's mark, legacy-mark.ts). */
  privateMetadata: Record<string, unknown>;
  /** `created_at`: when the user was created, Unix ms (Clerk's User object), when the answer says. */
  createdAtMs?: number;
}

/** Hashers POST /v1/users takes a `password_digest` of (create-user-params); src/reconcile/clerk-digest.ts says which a Kratos hash becomes. */
export type ClerkPasswordHasher = 'bcrypt' | 'argon2i' | 'argon2id' | 'pbkdf2_sha1' | 'pbkdf2_sha256' | 'pbkdf2_sha512' | 'pbkdf2_sha512_hex' | 'scrypt_firebase' | 'sha256';

export interface ClerkNewUser {
  emailAddress: string;
  firstName?: string;
  lastName?: string;
  /** The Olympus identity id (unique at Clerk): what makes a rerun find its own work. */
  externalId?: string;
  /** A carried hash; without it (and without `password`) the user has no password and signs in after a reset. */
  passwordDigest?: { digest: string; hasher: ClerkPasswordHasher };
  password?: string;
  publicMetadata?: Record<string, unknown>;
  privateMetadata?: Record<string, unknown>;
  /** RFC 3339; keeps the original sign-up time. */
  createdAt?: string;
}

const MAX_ANSWER = 2_000_000;

function userOf(raw: unknown, operation: string): ClerkUser {
  const u = raw as Record<string, unknown> | null;
  if (typeof u !== 'object' || u === null || typeof u.id !== 'string') throw new LegacyAdminError('clerk', operation, 'bad_response', 200, undefined);
  const emails = Array.isArray(u.email_addresses) ? (u.email_addresses as { email_address?: unknown }[]).map((e) => e?.email_address).filter((e): e is string => typeof e === 'string') : [];
  return {
    id: u.id,
    externalId: typeof u.external_id === 'string' ? u.external_id : null,
    emailAddresses: emails,
    passwordEnabled: u.password_enabled === true,
    locked: u.locked === true,
    banned: u.banned === true,
    privateMetadata: typeof u.private_metadata === 'object' && u.private_metadata !== null && !Array.isArray(u.private_metadata) ? (u.private_metadata as Record<string, unknown>) : {},
    ...(typeof u.created_at === 'number' && Number.isFinite(u.created_at) ? { createdAtMs: u.created_at } : {}),
  };
}

export class ClerkBackendClient {
  readonly #base: string;
  readonly #key: string;
  readonly #fetch: typeof fetch;
  readonly stats = { calls: 0, throttled: 0 };

  constructor(options: ClerkBackendOptions, deps: { fetch?: typeof fetch } = {}) {
    this.#base = `${options.apiUrl.replace(/\/+$/, '')}/v1`;
    this.#key = options.secretKey;
    this.#fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  }

  /** One call; the parsed JSON answer, or a LegacyAdminError with a stable reason. */
  async call(operation: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Record<string, unknown>, options: ClerkCallOptions = {}): Promise<unknown> {
    this.stats.calls++;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const init: RequestInit = { method, headers, body: body === undefined ? undefined : JSON.stringify(body), redirect: 'manual' };
    const res = await boundedFetch('clerk', operation, (signal) => this.#fetch(`${this.#base}${path}`, { ...init, signal }), options.timeoutMs ?? 10_000);
    const text = await boundedText(res, MAX_ANSWER);
    let parsed: unknown;
    try {
      parsed = text === undefined || text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (parsed === undefined) throw new LegacyAdminError('clerk', operation, 'bad_response', res.status, undefined);
      return parsed;
    }
    const first = (parsed as { errors?: { code?: unknown }[] } | undefined)?.errors?.[0];
    const code = safeCode(first?.code);
    const reason = clerkErrorReason(res.status, code);
    let retryAfterMs: number | undefined;
    if (res.status === 429) {
      this.stats.throttled++;
      const seconds = Number(res.headers.get('retry-after'));
      if (Number.isFinite(seconds) && seconds >= 0) retryAfterMs = Math.min(3600, seconds) * 1000;
    }
    throw new LegacyAdminError('clerk', operation, reason, res.status, code, retryAfterMs);
  }

  /** GET /v1/users?email_address=: the users holding that address (at most one on an instance with unique emails). */
  async findUsersByEmail(email: string, options?: ClerkCallOptions): Promise<ClerkUser[]> {
    return this.#list('GetUserList', new URLSearchParams({ email_address: email }), options);
  }

  /** GET /v1/users?external_id=: how a rerun finds the user it created for an Olympus identity. */
  async findUsersByExternalId(externalId: string, options?: ClerkCallOptions): Promise<ClerkUser[]> {
    return this.#list('GetUserList', new URLSearchParams({ external_id: externalId }), options);
  }

  async #list(operation: string, query: URLSearchParams, options?: ClerkCallOptions): Promise<ClerkUser[]> {
    const out = await this.call(operation, 'GET', `/users?${query}`, undefined, options);
    if (!Array.isArray(out)) throw new LegacyAdminError('clerk', operation, 'bad_response', 200, undefined);
    return out.map((u) => userOf(u, operation));
  }

  /**
   * POST /v1/users (https://clerk.com/docs/reference/backend-api/tag/users/post/users):
   * with a `password_digest` + `password_hasher` the user signs in with the
   * password they had (Clerk checks the digest and rehashes later); without
   * a password `skip_password_requirement` lets the user exist and sign in
   * after a reset. No `skip_password_checks` with a digest: Clerk documents
   * it for plaintext passwords ("recommended … only when migrating plaintext
   * passwords", create-user), and its own migration tool
   * (clerk/migration-tool src/migrate/import-users.ts) sends digest + hasher
   * without it. Throws `user_exists` when the email or the external id is
   * taken.
   */
  async createUser(input: ClerkNewUser, options?: ClerkCallOptions): Promise<ClerkUser> {
    const body: Record<string, unknown> = { email_address: [input.emailAddress] };
    if (input.firstName !== undefined) body.first_name = input.firstName;
    if (input.lastName !== undefined) body.last_name = input.lastName;
    if (input.externalId !== undefined) body.external_id = input.externalId;
    if (input.publicMetadata !== undefined) body.public_metadata = input.publicMetadata;
    if (input.privateMetadata !== undefined) body.private_metadata = input.privateMetadata;
    if (input.createdAt !== undefined) body.created_at = input.createdAt;
    if (input.passwordDigest) {
      body.password_digest = input.passwordDigest.digest;
      body.password_hasher = input.passwordDigest.hasher;
    } else if (input.password !== undefined) {
      body.password = input.password;
    } else {
      body.skip_password_requirement = true;
    }
    return userOf(await this.call('CreateUser', 'POST', '/users', body, options), 'CreateUser');
  }

  /**
   * POST /v1/users/{id}/verify_password
   * (https://clerk.com/docs/reference/backend-api/tag/users/post/users/%7Buser_id%7D/verify_password):
   * true when `{verified: true}`; a wrong password throws `invalid_credentials`.
   */
  async verifyPassword(userId: string, password: string, options?: ClerkCallOptions): Promise<boolean> {
    const out = await this.call('VerifyPassword', 'POST', `/users/${encodeURIComponent(userId)}/verify_password`, { password }, options);
    return (out as { verified?: unknown } | null)?.verified === true;
  }

  /** PATCH /v1/users/{id}: a new password digest (a password changed in Olympus), an external id, names. */
  async updateUser(userId: string, input: Pick<ClerkNewUser, 'firstName' | 'lastName' | 'externalId' | 'passwordDigest'>, options?: ClerkCallOptions): Promise<ClerkUser> {
    const body: Record<string, unknown> = {};
    if (input.firstName !== undefined) body.first_name = input.firstName;
    if (input.lastName !== undefined) body.last_name = input.lastName;
    if (input.externalId !== undefined) body.external_id = input.externalId;
    if (input.passwordDigest) {
      body.password_digest = input.passwordDigest.digest;
      body.password_hasher = input.passwordDigest.hasher;
    }
    return userOf(await this.call('UpdateUser', 'PATCH', `/users/${encodeURIComponent(userId)}`, body, options), 'UpdateUser');
  }

  /** GET /v1/users/{id}; undefined when Clerk answers 404. */
  async getUser(userId: string, options?: ClerkCallOptions): Promise<ClerkUser | undefined> {
    try {
      return userOf(await this.call('GetUser', 'GET', `/users/${encodeURIComponent(userId)}`, undefined, options), 'GetUser');
    } catch (err) {
      if (err instanceof LegacyAdminError && err.reason === 'user_not_found') return undefined;
      throw err;
    }
  }

  /**
   * PATCH /v1/users/{id}/metadata: Clerk deep-merges the given keys into the
   * user's metadata (update-user-metadata), so a claim touches only its key.
   * Limited to 10 requests per 10 s per user (system-limits).
   */
  async mergePrivateMetadata(userId: string, metadata: Record<string, unknown>, options?: ClerkCallOptions): Promise<ClerkUser> {
    return userOf(await this.call('UpdateUserMetadata', 'PATCH', `/users/${encodeURIComponent(userId)}/metadata`, { private_metadata: metadata }, options), 'UpdateUserMetadata');
  }

  /** DELETE /v1/users/{id} (a reconcile's undo). */
  async deleteUser(userId: string, options?: ClerkCallOptions): Promise<void> {
    await this.call('DeleteUser', 'DELETE', `/users/${encodeURIComponent(userId)}`, undefined, options);
  }
}

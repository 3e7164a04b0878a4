/**
 * The Amazon Cognito reconcile target (reconcile-target.ts) on the user-pool
 * admin API client (src/providers/admin/cognito-admin-client.ts: JSON 1.1,
 * SigV4 through aws4fetch, so it runs in the Workflow and in Node).
 *
 * - Create: AdminCreateUser with MessageAction SUPPRESS (no invitation
 *   email), then AdminSetUserPassword Permanent=true with a random password
 *   nobody knows. AdminCreateUser leaves the user FORCE_CHANGE_PASSWORD,
 *   and such a user cannot use forgot-password (API_AdminCreateUser.html);
 *   the permanent password makes it CONFIRMED, so the reset code works.
 *   UsernameExistsException / AliasExistsException is `exists`, never
 *   `failed`. In a pool where the email is neither the username nor an alias,
 *   Cognito lets two users share an email: the target looks first.
 * - Hashes: Cognito takes none through this API (AdminCreateUser and
 *   AdminSetUserPassword take plain text; user import jobs take no hash
 *   either, developer guide "Importing users into a user pool"), so
 *   `acceptsHash` is always false, every user is `password: 'reset'` and
 *   `replaceHash` is `unsupported`; the report says why per user
 *   (`hash_not_accepted_by_cognito`).
 * - Reset: AdminResetUserPassword; Cognito sends the code by the pool's
 *   recovery channel, which needs a verified email
 *   (API_AdminResetUserPassword.html). A created user's email is therefore
 *   marked verified even when Olympus never saw it verified (many signups
 *   never click the link; AWS's own import guide asks for email_verified
 *   true for the same reason): its password is random and unknown, so the
 *   only way into the account is the code sent to that address, and whoever
 *   signs in has proven they hold it. A profile update keeps Olympus's flag.
 * - The mark (legacy-mark.ts) lives in custom attributes, which must be
 *   declared in the pool's schema before any user can carry them
 *   (developer guide, user-pool-settings-attributes, "Custom attributes";
 *   AddCustomAttributes): custom:olympus_id, custom:sb_run, custom:sb_by,
 *   custom:sb_password, custom:sb_reset. The preflight reads
 *   DescribeUserPool's SchemaAttributes and names the missing ones.
 * - Quotas (https://docs.aws.amazon.com/cognito/latest/developerguide/limits.html,
 *   "Operation quotas"): per account and region, shared with every other
 *   caller of the pool's account: UserCreation 50 requests/s
 *   (AdminCreateUser), UserAccountRecovery 30/s (AdminResetUserPassword,
 *   AdminSetUserPassword), UserRead 120/s, UserList 30/s (ListUsers),
 *   UserUpdate 25/s, UserDeletion 50/s, UserPoolRead 15/s. The target paces
 *   each category itself and, on TooManyRequestsException, backs off
 *   exponentially with jitter and retries (bounded), as the AWS SDKs do
 *   (API reference, CommonErrors: ThrottlingException/TooManyRequests).
 */
import { SwitchbackError } from '../core/errors.ts';
import { isLegacyAdminError, LegacyAdminError } from '../providers/admin/admin-error.ts';
import type { CognitoAdminClient, CognitoUser } from '../providers/admin/cognito-admin-client.ts';
import { markMetadata, markOf } from './legacy-mark.ts';
import { noteOf, type LegacyHashCapability } from './legacy-password.ts';
import type { CreateOptions, CreateOutcome, KratosHash, LegacyUserDraft, ReconcileTarget, ResetOutcome, TargetUser } from './reconcile-target.ts';

/**
 * The mark's custom attributes (names without `custom:`), each a mutable String in the pool's schema;
 * the last three are the mirror's note on a user imported FROM Cognito who changed their password in
 * Olympus (legacy-password.ts: when, by whom, `reset`), whose reset claim is `sb_reset` too.
 */
export const COGNITO_MARK_ATTRIBUTES = ['olympus_id', 'sb_run', 'sb_by', 'sb_password', 'sb_reset', 'sb_pw_at', 'sb_pw_by', 'sb_pw_state'] as const;

export type CognitoQuotaCategory = 'UserCreation' | 'UserAccountRecovery' | 'UserRead' | 'UserList' | 'UserUpdate' | 'UserDeletion' | 'UserPoolRead';

/** Cognito's default request-rate quotas (limits.html), requests per second per account and region. */
export const COGNITO_DEFAULT_QUOTAS = {
  UserCreation: 50,
  UserAccountRecovery: 30,
  UserRead: 120,
  UserList: 30,
  UserUpdate: 25,
  UserDeletion: 50,
  UserPoolRead: 15,
} as const satisfies Record<CognitoQuotaCategory, number>;

export interface CognitoTargetOptions {
  /** The rates the target keeps to (default COGNITO_DEFAULT_QUOTAS; lower them when other callers share the account's quota). */
  quotas?: Partial<Record<CognitoQuotaCategory, number>>;
  /** Users created at once in `create` (each waits for its category's pace). Default 8. */
  concurrency?: number;
  /** Retries of a throttled call (TooManyRequestsException, LimitExceededException). Default 8. */
  maxThrottleRetries?: number;
  /** Retries of a call that got no answer or a 5xx. Default 2. */
  maxTransientRetries?: number;
  onThrottled?: (waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type CognitoTargetErrorReason = 'credentials_refused' | 'pool_unusable' | 'missing_custom_attributes' | 'no_email_recovery' | 'email_not_verified' | 'hash_not_accepted';

/** A target-level problem with a stable reason; its message names what to fix. */
export class CognitoTargetError extends SwitchbackError {
  readonly code = 'ERR_RECONCILE_TARGET';
  constructor(
    readonly reason: CognitoTargetErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** How the pool keeps emails unique (DescribeUserPool UsernameAttributes / AliasAttributes). */
type EmailMode = 'username' | 'alias' | 'free';

/** A password nobody knows that meets Cognito's strictest default policy (upper, lower, digit, symbol). */
export function randomPermanentPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `${btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '')}aA1!`;
}

const attr = (name: (typeof COGNITO_MARK_ATTRIBUTES)[number]) => `custom:${name}`;

/** The mark, as the custom attributes a created user carries. */
export function markAttributes(d: LegacyUserDraft, o: { runId: string; by: 'reconcile' | 'mirror'; claimReset: boolean }): Record<string, string> {
  const m = markMetadata(d, { ...o, passwordKept: false });
  return {
    [attr('olympus_id')]: m.olympus_id,
    [attr('sb_run')]: m.reconcile_run,
    [attr('sb_by')]: m.written_by,
    [attr('sb_password')]: m.password,
    ...(m.reset_claimed_by ? { [attr('sb_reset')]: m.reset_claimed_by } : {}),
  };
}

/** The mark read back from a user's attributes (undefined: not switchback's). */
export function markOfAttributes(a: Record<string, string>) {
  if (!a[attr('sb_run')]) return undefined;
  return markOf({
    reconciled_by: 'switchback',
    olympus_id: a[attr('olympus_id')],
    reconcile_run: a[attr('sb_run')],
    written_by: a[attr('sb_by')],
    password: a[attr('sb_password')],
    reset_claimed_by: a[attr('sb_reset')],
  });
}

function profileAttributes(d: LegacyUserDraft): Record<string, string> {
  const r: Record<string, string> = { email: d.email.toLowerCase(), email_verified: String(d.emailVerified) };
  if (d.name) r.name = d.name;
  if (d.givenName) r.given_name = d.givenName;
  if (d.familyName) r.family_name = d.familyName;
  return r;
}

/** The mirror's password-change note read back from a user's attributes (legacy-password.ts noteOf's keys). */
export function noteOfAttributes(a: Record<string, string>) {
  return noteOf({ password_changed_in_olympus: a[attr('sb_pw_at')], password_change_noted_by: a[attr('sb_pw_by')], password_change_state: a[attr('sb_pw_state')], reset_claimed_by: a[attr('sb_reset')] });
}

export function toTargetUser(u: CognitoUser): TargetUser {
  const note = noteOfAttributes(u.attributes);
  return { id: u.username, email: u.attributes.email ?? '', mark: markOfAttributes(u.attributes), ...(note ? { passwordChange: note } : {}), ...(u.createdAtMs !== undefined ? { createdAt: new Date(u.createdAtMs).toISOString() } : {}) };
}

/** Spaces the calls of one quota category at its rate (a start time per call; callers may be concurrent). */
class Pace {
  #next = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}
  /** How long this call waits for its slot. */
  slot(): number {
    const t = this.now();
    const at = Math.max(t, this.#next);
    this.#next = at + this.intervalMs;
    return at - t;
  }
}

const OPERATION_CATEGORY = {
  AdminCreateUser: 'UserCreation',
  AdminSetUserPassword: 'UserAccountRecovery',
  AdminResetUserPassword: 'UserAccountRecovery',
  AdminGetUser: 'UserRead',
  ListUsers: 'UserList',
  AdminUpdateUserAttributes: 'UserUpdate',
  AdminDeleteUser: 'UserDeletion',
  DescribeUserPool: 'UserPoolRead',
} as const satisfies Record<string, CognitoQuotaCategory>;
type Operation = keyof typeof OPERATION_CATEGORY;

export class CognitoTarget implements ReconcileTarget {
  readonly kind = 'cognito' as const;
  readonly #paces = new Map<CognitoQuotaCategory, Pace>();
  readonly #o: Required<Omit<CognitoTargetOptions, 'quotas' | 'onThrottled'>> & Pick<CognitoTargetOptions, 'onThrottled'>;
  #emailMode: EmailMode | undefined;
  readonly stats = { calls: 0, rateLimited: 0, waitedMs: 0 };

  constructor(
    readonly client: CognitoAdminClient,
    options: CognitoTargetOptions = {},
  ) {
    const now = options.now ?? (() => Date.now());
    this.#o = {
      concurrency: options.concurrency ?? 8,
      maxThrottleRetries: options.maxThrottleRetries ?? 8,
      maxTransientRetries: options.maxTransientRetries ?? 2,
      onThrottled: options.onThrottled,
      sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      now,
    };
    for (const [category, rps] of Object.entries({ ...COGNITO_DEFAULT_QUOTAS, ...options.quotas }) as [CognitoQuotaCategory, number][]) {
      this.#paces.set(category, new Pace(1000 / Math.max(0.001, rps), now));
    }
  }

  /** One paced call; throttling backs off and retries, a 5xx or a lost answer is retried a little. */
  async #call<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const wait = this.#paces.get(OPERATION_CATEGORY[operation])!.slot();
      if (wait > 0) {
        this.stats.waitedMs += wait;
        await this.#o.sleep(wait);
      }
      this.stats.calls++;
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof LegacyAdminError) || !err.retryable) throw err;
        const throttled = err.reason === 'throttled' || err.reason === 'limit_exceeded';
        if (attempt >= (throttled ? this.#o.maxThrottleRetries : this.#o.maxTransientRetries)) throw err;
        // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), from 100 ms up to 10 s.
        const backoff = Math.round(Math.random() * Math.min(10_000, 100 * 2 ** (attempt + 1)));
        if (throttled) {
          this.stats.rateLimited++;
          this.#o.onThrottled?.(backoff);
        }
        this.stats.waitedMs += backoff;
        await this.#o.sleep(backoff);
      }
    }
  }

  acceptsHash(_hash: KratosHash): boolean {
    return false;
  }

  async preflight(): Promise<void> {
    let pool;
    try {
      pool = await this.#call('DescribeUserPool', () => this.client.describeUserPool());
    } catch (err) {
      if (isLegacyAdminError(err, 'auth_refused')) throw new CognitoTargetError('credentials_refused', `Cognito refused the credentials (COGNITO_ACCESS_KEY_ID/COGNITO_SECRET_ACCESS_KEY, region COGNITO_REGION): ${err.message}`);
      if (isLegacyAdminError(err, 'invalid_request')) throw new CognitoTargetError('pool_unusable', `user pool ${this.client.poolId} (COGNITO_USER_POOL_ID) cannot be described: ${err.message}`);
      throw err;
    }
    const have = new Map(pool.schema.map((a) => [a.name, a]));
    const missing = COGNITO_MARK_ATTRIBUTES.filter((n) => {
      const a = have.get(attr(n));
      return !a || a.type !== 'String' || !a.mutable;
    });
    if (missing.length) {
      const add = missing.map((n) => `Name=${n},AttributeDataType=String,Mutable=true`).join(' ');
      throw new CognitoTargetError(
        'missing_custom_attributes',
        `user pool ${this.client.poolId} (COGNITO_USER_POOL_ID) lacks the custom attributes switchback marks its users with: ${missing.map(attr).join(', ')} (mutable Strings). Add them once: aws cognito-idp add-custom-attributes --user-pool-id ${this.client.poolId} --custom-attributes ${add}`,
      );
    }
    if (pool.recoveryMechanisms && !pool.recoveryMechanisms.includes('verified_email')) {
      throw new CognitoTargetError('no_email_recovery', `user pool ${this.client.poolId} (COGNITO_USER_POOL_ID) does not recover accounts by verified email (AccountRecoverySetting: ${pool.recoveryMechanisms.join(', ') || 'none'}): AdminResetUserPassword could not send the reset codes`);
    }
    this.#emailMode = pool.usernameAttributes.includes('email') ? 'username' : pool.aliasAttributes.includes('email') ? 'alias' : 'free';
  }

  async #mode(): Promise<EmailMode> {
    if (this.#emailMode === undefined) await this.preflight();
    return this.#emailMode!;
  }

  async create(drafts: readonly LegacyUserDraft[], o: CreateOptions): Promise<CreateOutcome[]> {
    const mode = await this.#mode();
    const out: CreateOutcome[] = new Array(drafts.length);
    let next = 0;
    const worker = async () => {
      while (next < drafts.length) {
        const i = next++;
        out[i] = await this.#createOne(drafts[i]!, o, mode);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, drafts.length) }, worker));
    return out;
  }

  async #createOne(d: LegacyUserDraft, o: CreateOptions, mode: EmailMode): Promise<CreateOutcome> {
    // A pool that does not keep emails unique would take a second user with the same email.
    if (mode === 'free' && (await this.findByEmail(d.email)).length) return { status: 'exists' };
    // With email as the username attribute, Cognito wants the email as Username (and makes the sub the username);
    // otherwise the Olympus id, which never collides with a person's chosen username.
    const username = mode === 'username' ? d.email.toLowerCase() : d.identityId;
    let user: CognitoUser;
    try {
      user = await this.#call('AdminCreateUser', () => this.client.adminCreateUser({ username, attributes: { ...profileAttributes(d), email_verified: 'true', ...markAttributes(d, o) } }));
    } catch (err) {
      if (isLegacyAdminError(err, 'user_exists')) return { status: 'exists' };
      if (err instanceof LegacyAdminError && !err.retryable) return { status: 'failed', detail: err.message };
      throw err;
    }
    try {
      await this.#call('AdminSetUserPassword', () => this.client.adminSetUserPassword({ username: user.username, password: randomPermanentPassword(), permanent: true }));
    } catch (err) {
      // The user exists; sendReset sets the password first when it finds it still FORCE_CHANGE_PASSWORD.
      if (!(err instanceof LegacyAdminError)) throw err;
    }
    return { status: 'created', userId: user.username, passwordKept: false };
  }

  async findByEmail(email: string): Promise<TargetUser[]> {
    const { users } = await this.#call('ListUsers', () => this.client.listUsers({ filter: `email = "${email.toLowerCase().replace(/["\\]/g, (c) => `\\${c}`)}"`, limit: 60 }));
    return users.map(toTargetUser);
  }

  async get(userId: string): Promise<TargetUser | undefined> {
    try {
      return toTargetUser(await this.#call('AdminGetUser', () => this.client.adminGetUser(userId)));
    } catch (err) {
      if (isLegacyAdminError(err, 'user_not_found')) return undefined;
      throw err;
    }
  }

  async updateProfile(user: TargetUser, d: LegacyUserDraft): Promise<void> {
    const attrs = profileAttributes(d);
    if (attrs.email === user.email.toLowerCase()) delete attrs.email;
    await this.#call('AdminUpdateUserAttributes', () => this.client.adminUpdateUserAttributes(user.id, attrs));
  }

  async replaceHash(): Promise<{ status: 'unsupported' }> {
    return { status: 'unsupported' };
  }

  /** Cognito takes no hash through its API: a password changed in Olympus is always the reset path. */
  legacyHashCapability(): LegacyHashCapability {
    return 'unsupported';
  }

  async replaceLegacyHash(userId: string): Promise<{ status: 'replaced'; userId: string }> {
    throw new CognitoTargetError('hash_not_accepted', `Cognito takes no password hash: ${userId}'s changed password is noted for a reset instead`);
  }

  /** Cognito keeps the old password: the note (and a cleared claim) owes the user one reset code at the next rollback's reconcile. */
  async notePasswordChange(userId: string, note: { at: string; by: string }): Promise<void> {
    // The old claim cleared with an empty value (the mark's attributes have MinLength 0), which reads as no claim.
    await this.#call('AdminUpdateUserAttributes', () => this.client.adminUpdateUserAttributes(userId, { [attr('sb_pw_at')]: note.at, [attr('sb_pw_by')]: note.by, [attr('sb_pw_state')]: 'reset', [attr('sb_reset')]: '' }));
  }

  async claimReset(user: TargetUser, runId: string): Promise<void> {
    await this.#call('AdminUpdateUserAttributes', () => this.client.adminUpdateUserAttributes(user.id, { [attr('sb_reset')]: runId }));
  }

  async sendReset(email: string): Promise<ResetOutcome> {
    // Username may be the email (email as username or alias); else the user found by its email.
    const [user] = (await this.#mode()) === 'free' ? await this.findByEmail(email) : [undefined];
    const username = user?.id ?? email.toLowerCase();
    try {
      await this.#call('AdminResetUserPassword', () => this.client.adminResetUserPassword(username));
      return 'sent';
    } catch (err) {
      if (!isLegacyAdminError(err, 'invalid_request') && !isLegacyAdminError(err, 'invalid_credentials')) throw err;
      const found = await this.#call('AdminGetUser', () => this.client.adminGetUser(username));
      if (found.attributes.email_verified !== 'true') {
        throw new CognitoTargetError('email_not_verified', `Cognito sends reset codes only to a verified email, and ${found.username}'s is not (email_verified false in the pool): the user cannot reset until the address is verified`);
      }
      if (found.status !== 'FORCE_CHANGE_PASSWORD') throw err;
      // An earlier create stopped before the permanent password: set it, then the reset works.
      await this.#call('AdminSetUserPassword', () => this.client.adminSetUserPassword({ username: found.username, password: randomPermanentPassword(), permanent: true }));
      await this.#call('AdminResetUserPassword', () => this.client.adminResetUserPassword(found.username));
      return 'sent';
    }
  }

  async remove(userId: string): Promise<void> {
    try {
      await this.#call('AdminDeleteUser', () => this.client.adminDeleteUser(userId));
    } catch (err) {
      if (!isLegacyAdminError(err, 'user_not_found')) throw err;
    }
  }
}

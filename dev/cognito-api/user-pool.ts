// The user pool behind the Cognito admin API stand-in: users with Cognito's
// statuses and the transitions the API reference gives them
// (UserType.UserStatus; AdminCreateUser, AdminSetUserPassword,
// AdminResetUserPassword, AdminInitiateAuth pages):
// - AdminCreateUser: FORCE_CHANGE_PASSWORD with a temporary password; signing
//   in with it answers the NEW_PASSWORD_REQUIRED challenge;
// - AdminSetUserPassword Permanent=true: CONFIRMED; Permanent=false:
//   FORCE_CHANGE_PASSWORD with that temporary password;
// - AdminResetUserPassword: RESET_REQUIRED and a reset code sent by the
//   recovery channel (here: recorded in `sentCodes`); refused for a user
//   without a verified email (InvalidParameterException, as Cognito does
//   when no recovery channel can be used); a RESET_REQUIRED user cannot sign
//   in (PasswordResetRequiredException);
// - the pool signs in with email as username (UsernameAttributes: email):
//   `Username` is the email or the user's username (its `sub`), both found;
// - attributes follow the pool's schema: the standard ones, and custom ones
//   (`custom:<name>`) only when declared (CreateUserPool Schema or
//   AddCustomAttributes; an undeclared one is refused with
//   InvalidParameterException "Attributes did not conform to the schema",
//   https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-custom-attributes);
//   String values up to 2048 characters;
// - AdminResetUserPassword on a FORCE_CHANGE_PASSWORD user is refused
//   (NotAuthorizedException: such a user cannot use the forgot-password flow
//   either, AdminCreateUser page), which is why a reconcile sets a permanent
//   password first.
// Passwords are kept as SHA-256 digests; nothing is persisted.
import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';

export type PoolUserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'RESET_REQUIRED' | 'FORCE_CHANGE_PASSWORD';

export interface PoolUser {
  username: string;
  attributes: Record<string, string>;
  status: PoolUserStatus;
  enabled: boolean;
  /** The user has an authenticator app: a right password answers SOFTWARE_TOKEN_MFA. */
  mfa: boolean;
  passwordDigest: Buffer | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface SentCode {
  username: string;
  email: string;
  code: string;
  at: number;
}

/** What a Cognito operation refuses with: the exception's name and its message. */
export class CognitoFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The standard attributes a user may carry (user-pool-settings-attributes, "Standard attributes"), and `sub`. */
export const STANDARD_ATTRIBUTES = ['address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name', 'nickname', 'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'sub', 'updated_at', 'website', 'zoneinfo'] as const;
const MAX_CUSTOM_VALUE = 2048;

export interface UserPoolOptions {
  /** Custom attributes declared in the schema, without the `custom:` prefix (String, mutable). */
  customAttributes?: readonly string[];
  /** Called with every reset code sent (the stack forwards it to the mail catcher). */
  onResetCode?: (sent: SentCode) => void;
}

const digest = (password: string) => createHash('sha256').update(password, 'utf8').digest();
const lower = (s: string) => s.trim().toLowerCase();

/** Cognito's default password policy: at least 8 characters (the stand-in checks only the length). */
const MIN_PASSWORD = 8;

export class UserPool {
  readonly users = new Map<string, PoolUser>();
  readonly #byEmail = new Map<string, string>();
  readonly sentCodes: SentCode[] = [];
  readonly customAttributes: Set<string>;
  onResetCode: ((sent: SentCode) => void) | undefined;

  constructor(
    readonly id: string,
    options: UserPoolOptions = {},
  ) {
    this.customAttributes = new Set(options.customAttributes ?? []);
    this.onResetCode = options.onResetCode;
  }

  /** Declares custom attributes (AddCustomAttributes). */
  addCustomAttributes(names: readonly string[]): void {
    for (const n of names) this.customAttributes.add(n);
  }

  /** Refuses what the schema does not hold, as Cognito does. */
  #checkSchema(attributes: Record<string, string>): void {
    for (const [name, value] of Object.entries(attributes)) {
      const custom = name.startsWith('custom:') ? name.slice('custom:'.length) : undefined;
      if (custom === undefined ? !(STANDARD_ATTRIBUTES as readonly string[]).includes(name) : !this.customAttributes.has(custom)) {
        throw new CognitoFault('InvalidParameterException', `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`);
      }
      if (custom !== undefined && value.length > MAX_CUSTOM_VALUE) throw new CognitoFault('InvalidParameterException', `Attributes did not conform to the schema: ${name}: String must be no longer than ${MAX_CUSTOM_VALUE} characters`);
    }
    if (attributes.sub !== undefined) throw new CognitoFault('InvalidParameterException', 'Cannot modify an immutable attribute: sub');
  }

  find(usernameOrEmail: string): PoolUser | undefined {
    return this.users.get(usernameOrEmail) ?? this.users.get(this.#byEmail.get(lower(usernameOrEmail)) ?? '');
  }

  #require(username: string): PoolUser {
    const user = this.find(username);
    if (!user) throw new CognitoFault('UserNotFoundException', 'User does not exist.');
    return user;
  }

  /** AdminCreateUser: FORCE_CHANGE_PASSWORD with the given (or a generated) temporary password. */
  create(username: string, attributes: Record<string, string>, temporaryPassword: string | undefined, now: number): PoolUser {
    this.#checkSchema(attributes);
    const email = attributes.email ?? (username.includes('@') ? username : undefined);
    if (email !== undefined && this.#byEmail.has(lower(email))) throw new CognitoFault('UsernameExistsException', 'An account with the given email already exists.');
    if (this.users.has(username)) throw new CognitoFault('UsernameExistsException', 'User account already exists');
    if (temporaryPassword !== undefined && temporaryPassword.length < MIN_PASSWORD) throw new CognitoFault('InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    const sub = randomUUID();
    const user: PoolUser = {
      username: sub,
      attributes: { ...attributes, sub, ...(email !== undefined ? { email: lower(email) } : {}) },
      status: 'FORCE_CHANGE_PASSWORD',
      enabled: true,
      mfa: false,
      passwordDigest: digest(temporaryPassword ?? `Tmp-${randomUUID()}`),
      createdAt: now,
      updatedAt: now,
    };
    this.users.set(sub, user);
    if (email !== undefined) this.#byEmail.set(lower(email), sub);
    return user;
  }

  /** Seeds a signed-up, confirmed user (the demo's accounts, a sign-up at the hosted UI). */
  seed(input: { email: string; password: string; sub?: string; attributes?: Record<string, string>; status?: PoolUserStatus; mfa?: boolean; enabled?: boolean }, now = Date.now()): PoolUser {
    const sub = input.sub ?? randomUUID();
    if (this.#byEmail.has(lower(input.email))) throw new CognitoFault('UsernameExistsException', 'An account with the given email already exists.');
    const user: PoolUser = {
      username: sub,
      attributes: { email_verified: 'true', ...input.attributes, sub, email: lower(input.email) },
      status: input.status ?? 'CONFIRMED',
      enabled: input.enabled ?? true,
      mfa: input.mfa ?? false,
      passwordDigest: digest(input.password),
      createdAt: now,
      updatedAt: now,
    };
    this.users.set(sub, user);
    this.#byEmail.set(lower(input.email), sub);
    return user;
  }

  setPassword(username: string, password: string, permanent: boolean, now: number): void {
    const user = this.#require(username);
    if (password.length < MIN_PASSWORD) throw new CognitoFault('InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    user.passwordDigest = digest(password);
    user.status = permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    user.updatedAt = now;
  }

  /** AdminUpdateUserAttributes: the schema checked, a new email kept unique. */
  updateAttributes(username: string, attributes: Record<string, string>, now: number): void {
    const user = this.#require(username);
    this.#checkSchema(attributes);
    const email = attributes.email === undefined ? undefined : lower(attributes.email);
    if (email !== undefined && email !== user.attributes.email) {
      if (this.#byEmail.has(email)) throw new CognitoFault('AliasExistsException', 'An account with the given email already exists.');
      if (user.attributes.email !== undefined) this.#byEmail.delete(user.attributes.email);
      this.#byEmail.set(email, user.username);
    }
    user.attributes = { ...user.attributes, ...attributes, ...(email !== undefined ? { email } : {}) };
    user.updatedAt = now;
  }

  resetPassword(username: string, now: number): SentCode {
    const user = this.#require(username);
    const email = user.attributes.email;
    if (email === undefined || user.attributes.email_verified !== 'true') {
      throw new CognitoFault('InvalidParameterException', 'Cannot reset password for the user as there is no registered/verified email or phone_number');
    }
    if (user.status === 'FORCE_CHANGE_PASSWORD') throw new CognitoFault('NotAuthorizedException', 'User password cannot be reset in the current state.');
    user.status = 'RESET_REQUIRED';
    user.updatedAt = now;
    const sent = { username: user.username, email, code: String(randomInt(0, 1_000_000)).padStart(6, '0'), at: now };
    this.sentCodes.push(sent);
    this.onResetCode?.(sent);
    return sent;
  }

  /** ConfirmForgotPassword's effect (the stand-in's reset page): the code, then a new password, CONFIRMED. */
  confirmReset(email: string, code: string, password: string, now: number): boolean {
    const user = this.find(email);
    const sent = user && this.sentCodes.findLast((s) => s.username === user.username);
    if (!user || !sent || sent.code !== code || password.length < MIN_PASSWORD) return false;
    this.setPassword(user.username, password, true, now);
    return true;
  }

  delete(username: string): void {
    const user = this.#require(username);
    this.users.delete(user.username);
    if (user.attributes.email !== undefined) this.#byEmail.delete(lower(user.attributes.email));
  }

  get(username: string): PoolUser {
    return this.#require(username);
  }

  /**
   * The password check of AdminInitiateAuth / InitiateAuth: what the API
   * answers for these credentials, in the order Cognito decides (an unknown
   * user is UserNotFoundException unless the pool prevents user existence
   * errors; a disabled one NotAuthorizedException "User is disabled.").
   */
  authenticate(username: string, password: string): { challenge?: 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA'; user: PoolUser } {
    const user = this.find(username);
    if (!user) throw new CognitoFault('UserNotFoundException', 'User does not exist.');
    if (!user.enabled) throw new CognitoFault('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'RESET_REQUIRED') throw new CognitoFault('PasswordResetRequiredException', 'Password reset required for the user');
    const given = digest(password);
    if (!user.passwordDigest || !timingSafeEqual(given, user.passwordDigest)) throw new CognitoFault('NotAuthorizedException', 'Incorrect username or password.');
    if (user.status === 'UNCONFIRMED') throw new CognitoFault('UserNotConfirmedException', 'User is not confirmed.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') return { challenge: 'NEW_PASSWORD_REQUIRED', user };
    if (user.mfa) return { challenge: 'SOFTWARE_TOKEN_MFA', user };
    return { user };
  }

  /**
   * ListUsers' Filter: `attribute = "value"` (exact) or `attribute ^= "value"`
   * (prefix), one of the searchable attributes (username, email,
   * phone_number, name, given_name, family_name, preferred_username,
   * cognito:user_status, status, sub). Undefined when the filter is invalid.
   */
  filter(expr: string | undefined): PoolUser[] | undefined {
    const all = [...this.users.values()];
    if (expr === undefined || expr === '') return all;
    const m = /^\s*([a-z_:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(expr);
    const searchable = ['username', 'email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username', 'cognito:user_status', 'status', 'sub'];
    if (!m || !searchable.includes(m[1]!)) return undefined;
    const [, attr, op, raw] = m as unknown as [string, string, string, string];
    const value = raw.replace(/\\(.)/g, '$1');
    const of = (u: PoolUser) => (attr === 'username' ? u.username : attr === 'cognito:user_status' ? u.status : attr === 'status' ? (u.enabled ? 'Enabled' : 'Disabled') : u.attributes[attr]);
    return all.filter((u) => {
      const v = of(u);
      return v !== undefined && (op === '=' ? v === value : v.startsWith(value));
    });
  }
}

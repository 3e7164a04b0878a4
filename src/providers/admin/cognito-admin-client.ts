/**
 * Amazon Cognito's user-pool admin API, the operations a legacy Cognito
 * needs from switchback: check a password (the password migration hook),
 * find, create, set a password, send a reset code and delete (a rollback's
 * reconcile target and its undo). Runs in Workers and Node.
 *
 * Protocol (API reference, "Making API requests",
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html):
 * `POST https://cognito-idp.<region>.amazonaws.com/` with
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, a JSON body, signed with AWS
 * Signature Version 4 for service `cognito-idp`
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
 * by aws4fetch, which uses WebCrypto. Errors: cognito-errors.ts.
 *
 * No retry here (aws4fetch's own retries are off): the hook has a time
 * budget inside the user's sign-in and the reconcile paces itself against
 * Cognito's quotas; both read `retryable` on the error.
 */
import { AwsClient } from 'aws4fetch';
import { boundedFetch, boundedText, LegacyAdminError } from './admin-error.ts';
import { cognitoErrorName, cognitoErrorReason } from './cognito-errors.ts';

export interface CognitoAdminOptions {
  region: string;
  userPoolId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/` unless a local stand-in or a VPC endpoint is used. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CognitoCallOptions {
  /** Whole-call budget (default 10 s). */
  timeoutMs?: number;
}

/** User statuses (UserType.UserStatus in the API reference). */
export type CognitoUserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'ARCHIVED' | 'COMPROMISED' | 'UNKNOWN' | 'RESET_REQUIRED' | 'FORCE_CHANGE_PASSWORD' | 'EXTERNAL_PROVIDER';

export interface CognitoUser {
  username: string;
  attributes: Record<string, string>;
  status: CognitoUserStatus | string;
  enabled: boolean;
  /** UserCreateDate, Unix ms, when the answer says. */
  createdAtMs?: number;
}

/** A pool's EmailConfiguration (EmailConfigurationType in the API reference), for the courier check. */
export interface CognitoEmailConfiguration {
  /** COGNITO_DEFAULT (Cognito's built-in email, a small daily quota) or DEVELOPER (the team's Amazon SES identity); absent means COGNITO_DEFAULT. */
  sendingAccount: string;
  /** The SES identity's ARN (required with DEVELOPER). */
  sourceArn: string | undefined;
  from: string | undefined;
}

/** What DescribeUserPool says that a reconcile needs (UserPoolType in the API reference). */
export interface CognitoPoolDescription {
  /** SchemaAttributes: `email`, `custom:olympus_id`, ... */
  schema: { name: string; type: string; mutable: boolean }[];
  /** `email` when users sign in with their email as the username (emails unique). */
  usernameAttributes: string[];
  /** `email` when the email is a sign-in alias (unique among confirmed users). */
  aliasAttributes: string[];
  /** AccountRecoverySetting's mechanisms (`verified_email`, `verified_phone_number`, `admin_only`); undefined when the pool does not say. */
  recoveryMechanisms: string[] | undefined;
}

export type CognitoSignIn =
  /** Tokens were issued (and dropped here: only the verdict is wanted). */
  | { kind: 'authenticated' }
  /** The password was right and Cognito asks for more: NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, ... */
  | { kind: 'challenge'; challenge: string };

/** What AdminInitiateAuth's ContextData carries for threat protection (the end user's address, not ours). */
export interface CognitoContextData {
  ipAddress: string;
  serverName: string;
  serverPath: string;
}

const TARGET = 'AWSCognitoIdentityProviderService';
const MAX_ANSWER = 2_000_000;

function attributesOf(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const a of list as { Name?: unknown; Value?: unknown }[]) if (typeof a?.Name === 'string' && typeof a.Value === 'string') out[a.Name] = a.Value;
  return out;
}

function userOf(raw: unknown, attributesKey: 'Attributes' | 'UserAttributes', operation: string): CognitoUser {
  const u = raw as Record<string, unknown> | null;
  if (typeof u !== 'object' || u === null || typeof u.Username !== 'string') throw new LegacyAdminError('cognito', operation, 'bad_response', 200, undefined);
  // UserCreateDate: a timestamp, epoch seconds in the JSON protocol (UserType in the API reference).
  const created = typeof u.UserCreateDate === 'number' && Number.isFinite(u.UserCreateDate) ? { createdAtMs: Math.round(u.UserCreateDate * 1000) } : {};
  return { username: u.Username, attributes: attributesOf(u[attributesKey]), status: typeof u.UserStatus === 'string' ? u.UserStatus : 'UNKNOWN', enabled: u.Enabled !== false, ...created };
}

/** ListUsers filter value: a double-quoted string in which `"` and `\` are escaped. */
export function listUsersFilter(attribute: 'email' | 'username' | 'sub' | 'phone_number', value: string): string {
  return `${attribute} = "${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)) (user-pool-settings-client-apps, "Computing secret hash values"). */
export async function secretHash(clientSecret: string, username: string, clientId: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(clientSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(username + clientId)));
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

export class CognitoAdminClient {
  readonly #aws: AwsClient;
  readonly #endpoint: string;
  readonly #fetch: typeof fetch;
  readonly poolId: string;
  /** Calls made and their outcomes, for progress reports and benchmarks. */
  readonly stats = { calls: 0, throttled: 0 };

  constructor(options: CognitoAdminOptions, deps: { fetch?: typeof fetch } = {}) {
    this.#aws = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken,
      service: 'cognito-idp',
      region: options.region,
      retries: 0,
    });
    this.#endpoint = options.endpoint;
    this.poolId = options.userPoolId;
    this.#fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  }

  /** One signed call; the parsed answer, or a LegacyAdminError with the operation and a stable reason. */
  async call(operation: string, body: Record<string, unknown>, options: CognitoCallOptions = {}): Promise<Record<string, unknown>> {
    this.stats.calls++;
    const signed = await this.#aws.sign(this.#endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}.${operation}` },
      body: JSON.stringify(body),
    });
    const res = await boundedFetch('cognito', operation, (signal) => this.#fetch(signed, { signal, redirect: 'manual' }), options.timeoutMs ?? 10_000);
    const text = await boundedText(res, MAX_ANSWER);
    let parsed: unknown;
    try {
      parsed = text === undefined || text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.ok) {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new LegacyAdminError('cognito', operation, 'bad_response', res.status, undefined);
      return parsed as Record<string, unknown>;
    }
    const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { __type?: unknown; message?: unknown; Message?: unknown };
    const name = cognitoErrorName(fields.__type) ?? cognitoErrorName(res.headers.get('x-amzn-errortype'));
    const reason = res.status >= 500 && name === undefined ? 'upstream_status' : cognitoErrorReason(res.status, name, fields.message ?? fields.Message);
    if (reason === 'throttled' || reason === 'limit_exceeded') this.stats.throttled++;
    throw new LegacyAdminError('cognito', operation, reason, res.status, name);
  }

  /**
   * AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH (the app client must
   * allow ALLOW_ADMIN_USER_PASSWORD_AUTH): whether `password` is the user's.
   * A challenge means the password was right. A wrong password throws
   * `invalid_credentials`, an unknown user `user_not_found` (or
   * `invalid_credentials` when the pool hides unknown users).
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html
   */
  async adminInitiateAuth(input: { clientId: string; clientSecret?: string; username: string; password: string; context?: CognitoContextData }, options?: CognitoCallOptions): Promise<CognitoSignIn> {
    const auth: Record<string, string> = { USERNAME: input.username, PASSWORD: input.password };
    if (input.clientSecret) auth.SECRET_HASH = await secretHash(input.clientSecret, input.username, input.clientId);
    const body: Record<string, unknown> = { UserPoolId: this.poolId, ClientId: input.clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: auth };
    if (input.context) body.ContextData = { IpAddress: input.context.ipAddress, ServerName: input.context.serverName, ServerPath: input.context.serverPath, HttpHeaders: [] };
    const out = await this.call('AdminInitiateAuth', body, options);
    if (typeof out.ChallengeName === 'string' && out.ChallengeName !== '') return { kind: 'challenge', challenge: out.ChallengeName };
    if (typeof out.AuthenticationResult === 'object' && out.AuthenticationResult !== null) return { kind: 'authenticated' };
    throw new LegacyAdminError('cognito', 'AdminInitiateAuth', 'bad_response', 200, undefined);
  }

  /**
   * AdminCreateUser with MessageAction SUPPRESS (no invitation): the user is
   * FORCE_CHANGE_PASSWORD until a permanent password is set. Throws
   * `user_exists` when the username (or an alias) is taken.
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
   */
  async adminCreateUser(input: { username: string; attributes: Record<string, string>; temporaryPassword?: string }, options?: CognitoCallOptions): Promise<CognitoUser> {
    const body: Record<string, unknown> = {
      UserPoolId: this.poolId,
      Username: input.username,
      UserAttributes: Object.entries(input.attributes).map(([Name, Value]) => ({ Name, Value })),
      MessageAction: 'SUPPRESS',
    };
    if (input.temporaryPassword !== undefined) body.TemporaryPassword = input.temporaryPassword;
    const out = await this.call('AdminCreateUser', body, options);
    return userOf(out.User, 'Attributes', 'AdminCreateUser');
  }

  /** AdminSetUserPassword; `permanent: true` makes the user CONFIRMED. https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserPassword.html */
  async adminSetUserPassword(input: { username: string; password: string; permanent: boolean }, options?: CognitoCallOptions): Promise<void> {
    await this.call('AdminSetUserPassword', { UserPoolId: this.poolId, Username: input.username, Password: input.password, Permanent: input.permanent }, options);
  }

  /**
   * AdminResetUserPassword: the user goes to RESET_REQUIRED and Cognito sends
   * a reset code by the pool's recovery channel (it needs a verified email or
   * phone; without one, `invalid_request` or `delivery_failed`).
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminResetUserPassword.html
   */
  async adminResetUserPassword(username: string, options?: CognitoCallOptions): Promise<void> {
    await this.call('AdminResetUserPassword', { UserPoolId: this.poolId, Username: username }, options);
  }

  /** AdminGetUser; `user_not_found` when there is none. https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html */
  async adminGetUser(username: string, options?: CognitoCallOptions): Promise<CognitoUser> {
    const out = await this.call('AdminGetUser', { UserPoolId: this.poolId, Username: username }, options);
    return userOf(out, 'UserAttributes', 'AdminGetUser');
  }

  /** AdminDeleteUser (a reconcile's undo). https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDeleteUser.html */
  async adminDeleteUser(username: string, options?: CognitoCallOptions): Promise<void> {
    await this.call('AdminDeleteUser', { UserPoolId: this.poolId, Username: username }, options);
  }

  /** ListUsers with a filter (one attribute, `=` or `^=`; limit at most 60). https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html */
  async listUsers(input: { filter?: string; limit?: number; paginationToken?: string }, options?: CognitoCallOptions): Promise<{ users: CognitoUser[]; paginationToken: string | undefined }> {
    const body: Record<string, unknown> = { UserPoolId: this.poolId, Limit: Math.min(60, Math.max(1, input.limit ?? 60)) };
    if (input.filter !== undefined) body.Filter = input.filter;
    if (input.paginationToken !== undefined) body.PaginationToken = input.paginationToken;
    const out = await this.call('ListUsers', body, options);
    if (!Array.isArray(out.Users)) throw new LegacyAdminError('cognito', 'ListUsers', 'bad_response', 200, undefined);
    return { users: out.Users.map((u) => userOf(u, 'Attributes', 'ListUsers')), paginationToken: typeof out.PaginationToken === 'string' ? out.PaginationToken : undefined };
  }

  /** DescribeUserPool's UserPool object (UserPoolType), read by the two methods below. */
  private async userPool(options?: CognitoCallOptions): Promise<Record<string, unknown>> {
    const out = await this.call('DescribeUserPool', { UserPoolId: this.poolId }, options);
    const pool = out.UserPool;
    if (typeof pool !== 'object' || pool === null || Array.isArray(pool)) throw new LegacyAdminError('cognito', 'DescribeUserPool', 'bad_response', 200, undefined);
    return pool as Record<string, unknown>;
  }

  /**
   * DescribeUserPool, read for its EmailConfiguration only: who sends the
   * pool's email (the courier check after a rollback).
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_EmailConfigurationType.html
   */
  async describeEmailConfiguration(options?: CognitoCallOptions): Promise<CognitoEmailConfiguration> {
    const pool = await this.userPool(options);
    const e = (typeof pool.EmailConfiguration === 'object' && pool.EmailConfiguration !== null ? pool.EmailConfiguration : {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return { sendingAccount: text(e.EmailSendingAccount) ?? 'COGNITO_DEFAULT', sourceArn: text(e.SourceArn), from: text(e.From) };
  }

  /** AdminUpdateUserAttributes (custom attributes must be in the pool's schema). https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminUpdateUserAttributes.html */
  async adminUpdateUserAttributes(username: string, attributes: Record<string, string>, options?: CognitoCallOptions): Promise<void> {
    await this.call('AdminUpdateUserAttributes', { UserPoolId: this.poolId, Username: username, UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })) }, options);
  }

  /**
   * DescribeUserPool: what a reconcile checks before writing (the schema's
   * custom attributes, how users sign in, the recovery channel).
   * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_DescribeUserPool.html
   */
  async describeUserPool(options?: CognitoCallOptions): Promise<CognitoPoolDescription> {
    const pool = await this.userPool(options);
    if (!Array.isArray(pool.SchemaAttributes)) throw new LegacyAdminError('cognito', 'DescribeUserPool', 'bad_response', 200, undefined);
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const recovery = (pool.AccountRecoverySetting as { RecoveryMechanisms?: { Name?: unknown }[] } | undefined)?.RecoveryMechanisms;
    return {
      schema: (pool.SchemaAttributes as { Name?: unknown; AttributeDataType?: unknown; Mutable?: unknown }[]).filter((a) => typeof a?.Name === 'string').map((a) => ({ name: a.Name as string, type: typeof a.AttributeDataType === 'string' ? a.AttributeDataType : 'String', mutable: a.Mutable !== false })),
      usernameAttributes: strings(pool.UsernameAttributes),
      aliasAttributes: strings(pool.AliasAttributes),
      recoveryMechanisms: Array.isArray(recovery) ? recovery.map((m) => m?.Name).filter((n): n is string => typeof n === 'string') : undefined,
    };
  }

  /** The user whose `email` attribute is `email`, if any (the first, when a pool without unique emails has several). */
  async findUserByEmail(email: string, options?: CognitoCallOptions): Promise<CognitoUser | undefined> {
    return (await this.listUsers({ filter: listUsersFilter('email', email), limit: 2 }, options)).users[0];
  }
}

// The Resource Owner Password grant with a realm, as Auth0's Authentication
// API answers it (https://auth0.com/docs/api/authentication#resource-owner-password):
//
//   POST /oauth/token grant_type=http://auth0.com/oauth/grant-type/password-realm
//        client_id, client_secret, username, password, realm, scope
//
// - the Password grant must be enabled on the application, else 403
//   unauthorized_client "Grant type '…' not allowed for the client.";
// - a wrong password or an unknown user: 403 invalid_grant "Wrong email or
//   password." (the same words either way);
// - a blocked user: 401 unauthorized "user is blocked";
// - brute-force protection (https://auth0.com/docs/secure/attack-protection/brute-force-protection):
//   after 10 consecutive failed attempts for one user from one address, that
//   address is blocked for that user: 429 too_many_attempts until the user
//   (or an admin) unblocks it; a success before that resets the count;
// - `auth0-forwarded-for` is the address Auth0 uses for those counts only
//   when the application is confidential and has "Trust Token Endpoint IP
//   Header" on (https://auth0.com/docs/get-started/authentication-and-authorization-flow/resource-owner-password-flow/avoid-common-issues-with-resource-owner-password-flow-and-attack-protection);
//   otherwise the connecting address counts, and the header is ignored.
// The token endpoint's own rate limit (429 too_many_requests) is applied by
// app.ts before this runs. Only plain passwords (POST /users, seeds) can be
// checked: the stand-in cannot verify an imported bcrypt or custom hash, and
// answers invalid_grant for them.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { AuthApiError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import type { TokenIssuer } from './oauth-token.ts';
import type { UserStore } from './user-store.ts';
import { credentialMatches } from './login-directory.ts';

export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';
/** Auth0's brute-force protection threshold (failed attempts per user and address). */
export const BRUTE_FORCE_THRESHOLD = 10;

const BLOCKED_TEXT = "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";

/** Who tried what from where, for tests (never the password). */
export interface PasswordAttempt {
  username: string;
  /** The address the brute-force count used. */
  ip: string;
  /** Whether auth0-forwarded-for was honoured. */
  forwarded: boolean;
  outcome: 'success' | 'wrong_password' | 'blocked' | 'user_blocked' | 'refused';
}

export class BruteForceGuard {
  readonly #failures = new Map<string, number>();
  readonly #blocked = new Set<string>();

  #key(userId: string, ip: string): string {
    return `${userId}|${ip}`;
  }
  isBlocked(userId: string, ip: string): boolean {
    return this.#blocked.has(this.#key(userId, ip));
  }
  fail(userId: string, ip: string): void {
    const k = this.#key(userId, ip);
    const n = (this.#failures.get(k) ?? 0) + 1;
    this.#failures.set(k, n);
    if (n >= BRUTE_FORCE_THRESHOLD) this.#blocked.add(k);
  }
  succeed(userId: string, ip: string): void {
    this.#failures.delete(this.#key(userId, ip));
  }
  /** What the unblock link in Auth0's email (or an admin) does: every address, for one user or all. */
  unblock(userId?: string): void {
    for (const k of [...this.#blocked, ...this.#failures.keys()]) {
      if (userId === undefined || k.startsWith(`${userId}|`)) {
        this.#blocked.delete(k);
        this.#failures.delete(k);
      }
    }
  }
}

export interface PasswordRealmContext {
  store: UserStore;
  connection: Auth0Connection;
  issuer: TokenIssuer;
  guard: BruteForceGuard;
  attempts: PasswordAttempt[];
}

function required(params: Record<string, unknown>, name: string): string {
  const v = params[name];
  if (typeof v !== 'string' || v === '') throw new AuthApiError(400, 'invalid_request', `Missing required parameter: ${name}`);
  return v;
}

export function passwordRealmGrant(ctx: PasswordRealmContext, params: Record<string, unknown>, connectingIp: string, forwardedFor: string | undefined): Record<string, unknown> {
  const client = ctx.issuer.authenticate(params);
  if (!(client.grantTypes ?? ['client_credentials']).includes(PASSWORD_REALM_GRANT)) {
    throw new AuthApiError(403, 'unauthorized_client', `Grant type '${PASSWORD_REALM_GRANT}' not allowed for the client.`);
  }
  const username = required(params, 'username');
  const password = required(params, 'password');
  const realm = required(params, 'realm');
  // Assumed (not in Auth0's public docs): the words for a realm that is not one of the tenant's connections.
  if (realm !== ctx.connection.name) throw new AuthApiError(400, 'invalid_request', 'Unknown realm.');
  const forwarded = client.trustForwardedFor === true && forwardedFor !== undefined && isIP(forwardedFor.trim()) !== 0;
  const ip = forwarded ? forwardedFor!.trim() : connectingIp;
  const user = ctx.store.byEmail(username.toLowerCase()).find((u) => u.connection === realm);
  const record = (outcome: PasswordAttempt['outcome']) => ctx.attempts.push({ username: username.toLowerCase(), ip, forwarded, outcome });
  if (user && ctx.guard.isBlocked(user.profile.user_id, ip)) {
    record('blocked');
    throw new AuthApiError(429, 'too_many_attempts', BLOCKED_TEXT);
  }
  // Whatever the connection stores: a plain password, or an imported custom_password_hash the stand-in can check (pbkdf2).
  const ok = user !== undefined && credentialMatches(user.credential, password);
  if (!user || !ok) {
    if (user) ctx.guard.fail(user.profile.user_id, ip);
    record('wrong_password');
    throw new AuthApiError(403, 'invalid_grant', 'Wrong email or password.');
  }
  if (user.profile.blocked) {
    record('user_blocked');
    throw new AuthApiError(401, 'unauthorized', 'user is blocked');
  }
  ctx.guard.succeed(user.profile.user_id, ip);
  record('success');
  // Opaque here: the hook only reads the status. (Auth0 adds an id_token for scope=openid.)
  return { access_token: randomBytes(24).toString('base64url'), scope: 'openid', expires_in: 86_400, token_type: 'Bearer' };
}

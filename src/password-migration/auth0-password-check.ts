/**
 * The password check against Auth0: the Resource Owner Password grant with a
 * realm (https://auth0.com/docs/api/authentication#resource-owner-password),
 *
 *   POST /oauth/token  grant_type=http://auth0.com/oauth/grant-type/password-realm
 *                      username, password, realm=<database connection>,
 *                      client_id, client_secret, scope=openid
 *
 * by an application with the Password grant enabled. The end user's address
 * goes in `auth0-forwarded-for` (the application needs "Trust Token Endpoint
 * IP Header", and a client secret): otherwise Auth0's brute-force protection
 * (10 failed attempts per user and address,
 * https://auth0.com/docs/secure/attack-protection/brute-force-protection) and
 * suspicious-IP throttling see every attempt as coming from the gateway, and
 * one attacker would block the account for everybody
 * (https://auth0.com/docs/get-started/authentication-and-authorization-flow/resource-owner-password-flow/avoid-common-issues-with-resource-owner-password-flow-and-attack-protection).
 *
 * Answers, read by their `error` code (never their text, which is not logged):
 * 200 is a match; 403 `invalid_grant` ("Wrong email or password.") a
 * mismatch; 403 `mfa_required` means the password was right; 401/403
 * `unauthorized` ("user is blocked") is refused like a wrong password;
 * `too_many_attempts` (brute-force block) and 429 (rate limit,
 * https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy)
 * are throttling, not a wrong password; anything else is an upstream error.
 */
import type { PasswordMigrationOptions } from '../config.ts';
import type { LegacyPasswordCheck, PasswordCheckResult } from './password-check.ts';

export const PASSWORD_REALM_GRANT = 'http://auth0.com/oauth/grant-type/password-realm';

const MAX_ERROR_BYTES = 4096;

/** The `error` code of an Auth0 error body, when it is one; the description is never read. */
async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text().catch(() => '');
  if (text.length > MAX_ERROR_BYTES) return undefined;
  try {
    const code = (JSON.parse(text) as { error?: unknown }).error;
    return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function auth0ResultOf(status: number, code: string | undefined): PasswordCheckResult {
  if (status >= 200 && status < 300) return { outcome: 'match', reason: 'accepted' };
  if (status === 429) return { outcome: 'rate_limited', reason: code === 'too_many_attempts' ? 'too_many_attempts' : 'upstream_throttled' };
  if (code === 'too_many_attempts') return { outcome: 'rate_limited', reason: 'too_many_attempts' };
  if (status === 403 && code === 'invalid_grant') return { outcome: 'mismatch', reason: 'invalid_grant' };
  if (status === 403 && code === 'mfa_required') return { outcome: 'match', reason: 'accepted_mfa_required' };
  if ((status === 401 || status === 403) && code === 'unauthorized') return { outcome: 'mismatch', reason: 'user_blocked' };
  if (status === 401 || status === 403 || (status === 400 && code !== undefined)) return { outcome: 'upstream_error', reason: 'client_rejected' };
  return { outcome: 'upstream_error', reason: 'upstream_status' };
}

export function auth0PasswordCheck(options: Extract<PasswordMigrationOptions, { legacy: 'auth0' }>): LegacyPasswordCheck {
  return {
    async check(identifier, password, clientAddress, deadline) {
      const budget = deadline - Date.now();
      if (budget <= 0) return { outcome: 'upstream_error', reason: 'timeout' };
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
      if (options.forwardClientIp && clientAddress !== undefined) headers['auth0-forwarded-for'] = clientAddress;
      const body = new URLSearchParams({
        grant_type: PASSWORD_REALM_GRANT,
        client_id: options.clientId,
        client_secret: options.clientSecret,
        username: identifier,
        password,
        realm: options.realm,
        scope: 'openid',
      });
      const abort = new AbortController();
      let timer: ReturnType<typeof setTimeout> | null = null;
      // The budget covers the whole answer, body included, whether or not the fetch honours the signal.
      const expired = new Promise<PasswordCheckResult>((resolve) => {
        timer = setTimeout(() => {
          abort.abort();
          resolve({ outcome: 'upstream_error', reason: 'timeout' });
        }, budget);
      });
      const call = (async (): Promise<PasswordCheckResult> => {
        let res: Response;
        try {
          res = await fetch(options.tokenUrl, { method: 'POST', headers, body, redirect: 'manual', signal: abort.signal });
        } catch (err) {
          // The error is not kept: only its kind leaves this function.
          const name = (err as { name?: unknown } | null)?.name;
          return { outcome: 'upstream_error', reason: name === 'AbortError' ? 'timeout' : 'network_error' };
        }
        if (res.ok) {
          // The tokens are not wanted: a match is all Kratos needs.
          await res.body?.cancel().catch(() => {});
          return auth0ResultOf(res.status, undefined);
        }
        return auth0ResultOf(res.status, await errorCode(res));
      })();
      try {
        return await Promise.race([call, expired]);
      } finally {
        if (timer !== null) clearTimeout(timer);
      }
    },
  };
}

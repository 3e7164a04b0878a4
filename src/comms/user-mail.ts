/**
 * The user-mail path: how an email to a user (the reconcile's reset email,
 * the `userEmail` template of templates.ts) leaves switchback, so users read
 * one text wherever it was sent from. Runs in the Worker (the reconcile
 * Workflow) and in Node (`switchback reconcile`): plain fetch, no SDK.
 *
 * `USER_MAIL=legacy` (default): no mail path; each legacy provider sends its
 * own email (Auth0's change-password mail), as before.
 * `USER_MAIL=webhook`: POST `{to, subject, text, idempotency_key}` as JSON to
 * `USER_MAIL_URL` (a relay the team points at its mail provider) with
 * `Authorization: Bearer USER_MAIL_TOKEN` and an `Idempotency-Key` header
 * (IETF draft-ietf-httpapi-idempotency-key-header): the relay sends a key
 * once and answers a repeat with the first result, so a retry after a lost
 * answer never sends a second email. 2xx: sent; 401/403: refused (the token);
 * 4xx: rejected; 429 and 5xx: retryable; no answer: `no_answer` (retryable:
 * the key makes the retry safe). The token is never in an error message.
 * `USER_MAIL=ses`: Amazon SES API v2 SendEmail (ses-transport.ts), signed
 * with SigV4 by aws4fetch. SES has no idempotency key: a lost answer is
 * `unconfirmed` (never retried: it may have been sent), the reset claim
 * and the journal keep it at one.
 */
import { sendSesEmail, sesConfig, type SesMailConfig } from './ses-transport.ts';
import { failureOf, UserMailError, type UserMail, type UserMailSent } from './user-mail-types.ts';

export { UserMailError, type UserMail, type UserMailFailure, type UserMailSent } from './user-mail-types.ts';

export type UserMailConfig =
  | { kind: 'legacy' }
  | {
      kind: 'webhook';
      url: string;
      token: string;
      /** USER_MAIL_RESET_URL: the app's forgot-password page, for targets with no reset link of their own (Clerk). */
      resetUrl: string | undefined;
    }
  | (SesMailConfig & { kind: 'ses'; resetUrl: string | undefined });

/** A configured mail path (anything but `legacy`). */
export type UserMailPath = Exclude<UserMailConfig, { kind: 'legacy' }>;

const TIMEOUT_MS = 10_000;


/** Sends one email through the configured path. Throws UserMailError. */
export async function sendUserMail(cfg: UserMailPath, mail: UserMail, fetchImpl: typeof fetch = fetch): Promise<UserMailSent> {
  switch (cfg.kind) {
    case 'webhook':
      return sendWebhook(cfg, mail, fetchImpl);
    case 'ses':
      return sendSesEmail(cfg, mail, fetchImpl);
  }
}

async function sendWebhook(cfg: Extract<UserMailConfig, { kind: 'webhook' }>, mail: UserMail, fetchImpl: typeof fetch): Promise<UserMailSent> {
  let res: Response;
  try {
    res = await fetchImpl(cfg.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.token}`, 'idempotency-key': mail.idempotencyKey },
      body: JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text, idempotency_key: mail.idempotencyKey }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new UserMailError('no_answer', 0, `user mail relay not reachable: ${String(err).slice(0, 200)}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const reason = failureOf(res.status);
    // The relay's own words help the operator (never our token, which is not in its answer).
    throw new UserMailError(reason, res.status, `user mail relay answered HTTP ${res.status} (${reason})${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  let body: { id?: unknown; duplicate?: unknown } = {};
  try {
    body = text ? (JSON.parse(text) as typeof body) : {};
  } catch {
    // A 2xx without JSON still means the relay took it.
  }
  return {
    id: typeof body.id === 'string' ? body.id : undefined,
    duplicate: res.headers.get('idempotent-replayed') === 'true' || body.duplicate === true,
  };
}

/** A problem with the USER_MAIL_* variables, naming the variable (config.ts and the CLI turn it into their error). */
export interface UserMailConfigProblem {
  variable: string;
  problem: string;
}

/** Reads USER_MAIL, USER_MAIL_URL, USER_MAIL_TOKEN, USER_MAIL_RESET_URL (and USER_MAIL_SES_*). Pure. */
export function userMailConfig(get: (name: string) => string | undefined): UserMailConfig | UserMailConfigProblem {
  const kind = get('USER_MAIL') ?? 'legacy';
  if (kind === 'legacy') return { kind: 'legacy' };
  if (kind !== 'webhook' && kind !== 'ses') return { variable: 'USER_MAIL', problem: 'must be "legacy" (each provider sends its own email), "webhook" (POST to USER_MAIL_URL) or "ses" (Amazon SES, USER_MAIL_SES_*)' };
  const resetUrl = get('USER_MAIL_RESET_URL');
  if (resetUrl !== undefined) {
    const badReset = httpsUrl(resetUrl);
    if (badReset) return { variable: 'USER_MAIL_RESET_URL', problem: badReset };
  }
  if (kind === 'ses') {
    const ses = sesConfig(get, httpsUrl);
    return 'variable' in ses ? ses : { kind: 'ses', ...ses, resetUrl };
  }
  const url = get('USER_MAIL_URL');
  if (url === undefined) return { variable: 'USER_MAIL_URL', problem: 'is required when USER_MAIL=webhook (the relay that sends users\' email)' };
  const bad = httpsUrl(url);
  if (bad) return { variable: 'USER_MAIL_URL', problem: bad };
  const token = get('USER_MAIL_TOKEN');
  if (token === undefined || token.length < 16) return { variable: 'USER_MAIL_TOKEN', problem: 'is required when USER_MAIL=webhook: the relay\'s bearer token, at least 16 characters' };
  return { kind: 'webhook', url, token, resetUrl };
}

function httpsUrl(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.username || u.password) return 'must not carry credentials';
    if (u.protocol === 'https:') return undefined;
    // Plain http only to this machine (the local mail catcher).
    if (u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]')) return undefined;
  } catch {
    // falls through
  }
  return 'must be an https URL (http only for 127.0.0.1/localhost)';
}

export function isUserMailProblem(v: UserMailConfig | UserMailConfigProblem): v is UserMailConfigProblem {
  return 'variable' in v;
}

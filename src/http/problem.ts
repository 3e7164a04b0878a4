/**
 * The one JSON error body the gateway writes (admin API, hooks, config and
 * origin failures, the bearer 401s, the last-resort `onError`): OAuth 2's
 * `{ error, error_description }` (RFC 6749 §5.2, RFC 6750 §3), plus extension
 * fields where a caller needs them (`issues`, `path`, `variable`).
 *
 * Not RFC 9457's `application/problem+json` (`type`, `title`, `status`): the
 * gateway's bearer challenges already speak RFC 6750, its clients (the
 * rollback command, Auth0 and Kratos hook senders, the plan's curl) read
 * `error`/`error_description`, and two shapes on one gateway would be worse
 * than one. The status is the HTTP status, not repeated in the body.
 *
 * Each wire code has exactly one status here, so the same code never comes
 * back with two statuses, and `problemForError` places every internal error
 * code (src/core/errors.ts) on a wire code without echoing its message.
 */
import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isSwitchbackError, type GatewayErrorCode } from '../core/errors.ts';
import { log } from '../core/log.ts';

export const PROBLEM_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_rules: 400,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  cross_site_request: 403,
  csrf_token_invalid: 403,
  not_found: 404,
  reenable_blocked: 409,
  no_rollback: 409,
  drill_mode_off: 409,
  statuspage_in_progress: 409,
  statuspage_failed: 502,
  payload_too_large: 413,
  too_many_requests: 429,
  unsupported_media_type: 415,
  internal_error: 500,
  origin_unavailable: 502,
  temporarily_unavailable: 503,
  misconfigured: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

/** What a caller sees when it only knows the code (onError): generic on purpose. */
const GENERIC_DESCRIPTION = {
  invalid_request: 'The request is not valid.',
  invalid_json: 'The body is not valid JSON.',
  invalid_rules: 'The rules are not valid.',
  unauthorized: 'Authentication required.',
  invalid_signature: 'The signature is not valid.',
  forbidden: 'This action is not allowed.',
  cross_site_request: 'Cross-site request refused.',
  csrf_token_invalid: 'The console session\'s CSRF token is missing or wrong.',
  not_found: 'Not found.',
  reenable_blocked: 'Re-enabling Olympus after a rollback needs what the body\'s missing list names.',
  no_rollback: 'Olympus is not off after a rollback.',
  drill_mode_off: 'Drill mode is off: synthetic outcomes are refused.',
  statuspage_in_progress: 'The status page incident is being published.',
  statuspage_failed: 'Statuspage could not create the incident.',
  payload_too_large: 'The body is too large.',
  too_many_requests: 'Too many requests; wait a minute and try again.',
  unsupported_media_type: 'Unsupported Content-Type for this endpoint.',
  internal_error: 'The gateway could not handle this request.',
  origin_unavailable: 'The application could not be reached.',
  temporarily_unavailable: 'A service the gateway depends on could not be reached; try again shortly.',
  misconfigured: 'switchback is misconfigured.',
} as const satisfies Record<ProblemCode, string>;

/** The body shape and headers, for callers outside a Hono context (src/http/wire-error.ts). */
export function problemResponse(status: number, error: string, description: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error, error_description: description, ...extra }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  });
}

/** A problem answer, typed for Hono's client (the status follows from the code). */
export type ProblemResponse<C extends ProblemCode, X = unknown> = Response & TypedResponse<{ error: C; error_description: string } & X, (typeof PROBLEM_STATUS)[C], 'json'>;

/** A problem answer; its status comes from the code. */
export function problem<C extends ProblemCode, X extends Record<string, string | number | boolean | null | object> = Record<never, never>>(c: Context, code: C, description: string, extra?: X): ProblemResponse<C, X> {
  return c.json({ error: code, error_description: description, ...extra }, PROBLEM_STATUS[code], { 'cache-control': 'no-store' }) as unknown as ProblemResponse<C, X>;
}

/**
 * Where an internal error lands on the wire when nothing closer handled it.
 * Written out for every code: a new code does not compile until placed.
 */
export const ERROR_PROBLEM = {
  ERR_CONFIG: 'misconfigured',
  ERR_CLIENT_CONFIG: 'misconfigured',
  ERR_LOGIN_TRANSACTION: 'invalid_request',
  ERR_CODE_EXCHANGE: 'temporarily_unavailable',
  ERR_DISCOVERY: 'temporarily_unavailable',
  ERR_VERIFY: 'unauthorized',
  ERR_RULES: 'invalid_rules',
  ERR_NOTIFY_DELIVERY: 'internal_error',
  ERR_SIGNUP_PAYLOAD: 'invalid_request',
  ERR_RECONCILE_WINDOW: 'invalid_request',
  ERR_KRATOS_ADMIN: 'temporarily_unavailable',
  ERR_AUTH0_API: 'temporarily_unavailable',
  ERR_LEGACY_ADMIN: 'temporarily_unavailable',
  ERR_USER_MAIL: 'temporarily_unavailable',
  ERR_RECONCILE_TARGET: 'misconfigured',
} as const satisfies Record<GatewayErrorCode, ProblemCode>;

/** The wire code for any thrown value: an unknown error is an internal_error. */
export function problemCodeFor(err: unknown): ProblemCode {
  if (!isSwitchbackError(err)) return 'internal_error';
  const code = err.code;
  return code in ERROR_PROBLEM ? ERROR_PROBLEM[code as GatewayErrorCode] : 'internal_error';
}

/** The last-resort answer: the code's generic sentence, never the error's own message. */
export function problemForError(c: Context, err: unknown) {
  const code = problemCodeFor(err);
  return problem(c, code, GENERIC_DESCRIPTION[code]);
}

/** The app's `onError`: the message goes to the log only; an unexpected error's text is not for the caller. */
export function onUnhandledError(err: Error, c: Context) {
  log('error', { event: 'unhandled_error', reason: isSwitchbackError(err) ? err.code : 'internal_error', error: err.message });
  return problemForError(c, err);
}

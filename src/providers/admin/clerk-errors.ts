/**
 * Clerk Backend API errors as Clerk writes them
 * (https://clerk.com/docs/guides/development/errors/backend-api):
 *
 *   {"errors": [{"code": "form_identifier_exists", "message": "...",
 *                "long_message": "...", "meta": {"param_name": "..."}}],
 *    "clerk_trace_id": "..."}
 *
 * The first error's `code` decides the reason; messages (which can quote the
 * email) are never kept. 429 comes with `Retry-After` in seconds
 * (https://clerk.com/docs/guides/how-clerk-works/system-limits). Codes not
 * listed fall back on the status: 401/403 our key, 404 no such user, 429
 * throttled, 5xx upstream, other 4xx a request Clerk refused.
 *
 * UNCONFIRMED: the code of a wrong password at POST /v1/users/{id}/verify_password
 * (the SDK's verifyPassword() resolves `{verified: true}` and throws
 * otherwise); both `form_password_incorrect` and `incorrect_password` are
 * read as a wrong password, and `password_not_set` (a user without a
 * password: social sign-in only) too.
 */
import type { AdminErrorReason } from './admin-error.ts';

const CLERK_ERRORS = {
  form_identifier_exists: 'user_exists',
  form_identifier_exists_external_id: 'user_exists',
  form_password_incorrect: 'invalid_credentials',
  incorrect_password: 'invalid_credentials',
  password_not_set: 'invalid_credentials',
  resource_not_found: 'user_not_found',
  form_password_pwned: 'invalid_password',
  form_password_length_too_short: 'invalid_password',
  form_password_validation_failed: 'invalid_password',
  form_password_not_strong_enough: 'invalid_password',
  form_password_digest_invalid: 'invalid_request',
  form_password_digest_invalid_code: 'invalid_request',
  user_locked: 'user_disabled',
  user_banned: 'user_disabled',
  too_many_requests: 'throttled',
  authentication_invalid: 'auth_refused',
  authorization_invalid: 'auth_refused',
  authorization_header_format_invalid: 'auth_refused',
  clerk_key_invalid: 'auth_refused',
} as const satisfies Record<string, AdminErrorReason>;

export type ClerkErrorCode = keyof typeof CLERK_ERRORS;

export function clerkErrorReason(status: number, code: string | undefined): AdminErrorReason {
  if (code !== undefined && Object.hasOwn(CLERK_ERRORS, code)) return CLERK_ERRORS[code as ClerkErrorCode];
  if (status === 401 || status === 403) return 'auth_refused';
  if (status === 404) return 'user_not_found';
  if (status === 429) return 'throttled';
  if (status >= 500 || status < 400) return 'upstream_status';
  return 'invalid_request';
}

/**
 * What an admin-API failure (src/providers/admin) means for the password
 * hook, written out for every reason: a new reason does not compile until it
 * is placed. Only the provider saying "wrong password", "no such user" or
 * "this account cannot sign in" is a mismatch (403); its throttling is
 * `rate_limited` (as Auth0's 429), and everything else, our own credentials
 * refused included, is an upstream error: Kratos shows the user that the
 * upstream failed, never "wrong password" for a fault of ours.
 */
import { isLegacyAdminError, type AdminErrorReason } from '../providers/admin/admin-error.ts';
import type { PasswordCheckResult } from './password-check.ts';

const RESULTS = {
  invalid_credentials: { outcome: 'mismatch', reason: 'invalid_credentials' },
  user_not_found: { outcome: 'mismatch', reason: 'user_not_found' },
  password_reset_required: { outcome: 'mismatch', reason: 'password_reset_required' },
  user_not_confirmed: { outcome: 'mismatch', reason: 'user_not_confirmed' },
  user_disabled: { outcome: 'mismatch', reason: 'user_blocked' },
  throttled: { outcome: 'rate_limited', reason: 'upstream_throttled' },
  limit_exceeded: { outcome: 'rate_limited', reason: 'upstream_throttled' },
  timeout: { outcome: 'upstream_error', reason: 'timeout' },
  network_error: { outcome: 'upstream_error', reason: 'network_error' },
  auth_refused: { outcome: 'upstream_error', reason: 'client_rejected' },
  invalid_request: { outcome: 'upstream_error', reason: 'client_rejected' },
  user_exists: { outcome: 'upstream_error', reason: 'upstream_status' },
  invalid_password: { outcome: 'upstream_error', reason: 'upstream_status' },
  delivery_failed: { outcome: 'upstream_error', reason: 'upstream_status' },
  upstream_status: { outcome: 'upstream_error', reason: 'upstream_status' },
  bad_response: { outcome: 'upstream_error', reason: 'upstream_status' },
} as const satisfies Record<AdminErrorReason, PasswordCheckResult>;

/** The result of a failed admin call; anything that is not a LegacyAdminError is an upstream error. */
export function resultOfAdminError(err: unknown): PasswordCheckResult {
  return isLegacyAdminError(err) ? RESULTS[err.reason] : { outcome: 'upstream_error', reason: 'upstream_status' };
}

/**
 * Runs `check` within `deadline` (epoch ms): a check still running then is a
 * timeout, whatever it does after. `check` gets the remaining budget for its
 * calls. Never throws.
 */
export async function withinDeadline(deadline: number, check: (budgetMs: () => number) => Promise<PasswordCheckResult>): Promise<PasswordCheckResult> {
  if (deadline - Date.now() <= 0) return { outcome: 'upstream_error', reason: 'timeout' };
  let timer: ReturnType<typeof setTimeout> | null = null;
  const expired = new Promise<PasswordCheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'upstream_error', reason: 'timeout' }), deadline - Date.now());
  });
  try {
    return await Promise.race([check(() => Math.max(1, deadline - Date.now())).catch(resultOfAdminError), expired]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/**
 * What checking a password against the legacy provider can come to, whatever
 * the provider: each legacy kind (Auth0's password-realm grant, Cognito's
 * AdminInitiateAuth, Clerk's verify_password) implements `LegacyPasswordCheck`
 * in its own file and is registered in legacy-password-checks.ts.
 *
 * `outcome` is the one vocabulary of logs, counters and the metric
 * (outcome-events.ts); `reason` says why, for logs only. Neither ever carries
 * the password, and an implementation never puts the password, the identifier
 * or the provider's error text in an error it throws: it does not throw.
 */
import type { PasswordMigrationOutcome } from '../rollback/outcome-events.ts';

export type PasswordCheckReason =
  /** The provider accepted the password. */
  | 'accepted'
  /** The password was right and the provider wants a second factor: still a match. */
  | 'accepted_mfa_required'
  /** The password was right and Cognito answers a challenge (NEW_PASSWORD_REQUIRED, MFA): still a match. */
  | 'accepted_challenge'
  /** Wrong password, unknown user (Auth0). */
  | 'invalid_grant'
  /** Wrong password (Cognito NotAuthorizedException, Clerk form_password_incorrect). */
  | 'invalid_credentials'
  /** No such user at the provider (Cognito UserNotFoundException, no Clerk user with that email). */
  | 'user_not_found'
  /** The provider wants a reset before any sign-in (Cognito RESET_REQUIRED): the old password is no proof. */
  | 'password_reset_required'
  /** The user never confirmed their account at the provider. */
  | 'user_not_confirmed'
  /** The user is blocked at the provider: not let in through the back door. */
  | 'user_blocked'
  /** The provider's brute-force protection blocked this user from this address. */
  | 'too_many_attempts'
  /** The provider's rate limit (429). */
  | 'upstream_throttled'
  /** The gateway's own limits (abuse-limits.ts). */
  | 'identifier_limit'
  | 'client_limit'
  | 'limiter_unavailable'
  /** The time budget ran out before the provider answered. */
  | 'timeout'
  | 'network_error'
  /** Our client is refused (credentials, grant not enabled, realm unknown): a configuration problem. */
  | 'client_rejected'
  | 'upstream_status';

export interface PasswordCheckResult {
  outcome: PasswordMigrationOutcome;
  reason: PasswordCheckReason;
}

export interface LegacyPasswordCheck {
  /**
   * `clientAddress` is the end user's address (not Kratos's), when Kratos
   * forwarded one; `deadline` is an epoch time in ms. Never throws.
   */
  check(identifier: string, password: string, clientAddress: string | undefined, deadline: number): Promise<PasswordCheckResult>;
}

/**
 * The password check of each legacy provider kind, by the kind's id: the
 * hook looks its kind up here. Cognito (AdminInitiateAuth with
 * ADMIN_USER_PASSWORD_AUTH) and Clerk (find the user, then
 * POST /v1/users/{id}/verify_password) join as a file each and a line here;
 * `satisfies` makes the compiler find the missing line when a kind is added.
 */
import type { LegacyPasswordKind, PasswordMigrationOptions } from '../config.ts';
import { auth0PasswordCheck } from './auth0-password-check.ts';
import type { LegacyPasswordCheck } from './password-check.ts';

export const LEGACY_PASSWORD_CHECKS = {
  auth0: auth0PasswordCheck,
} as const satisfies Record<LegacyPasswordKind, (options: PasswordMigrationOptions) => LegacyPasswordCheck>;

export function legacyPasswordCheck(options: PasswordMigrationOptions): LegacyPasswordCheck {
  return LEGACY_PASSWORD_CHECKS[options.legacy](options);
}

/**
 * The password check of each legacy provider kind, by the kind's id: the
 * hook looks its kind up here. Auth0: the password-realm grant; Cognito:
 * AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH; Clerk: find the user,
 * then POST /v1/users/{id}/verify_password. A new kind is a file and a line
 * here; the mapped type makes the compiler find the missing line.
 */
import type { LegacyPasswordKind, PasswordMigrationOptions } from '../config.ts';
import { auth0PasswordCheck } from './auth0-password-check.ts';
import { clerkPasswordCheck } from './clerk-password-check.ts';
import { cognitoPasswordCheck } from './cognito-password-check.ts';
import type { LegacyPasswordCheck } from './password-check.ts';

type CheckFactories = { [K in LegacyPasswordKind]: (options: Extract<PasswordMigrationOptions, { legacy: K }>) => LegacyPasswordCheck };

export const LEGACY_PASSWORD_CHECKS = {
  auth0: auth0PasswordCheck,
  cognito: cognitoPasswordCheck,
  clerk: clerkPasswordCheck,
} as const satisfies CheckFactories;

export function legacyPasswordCheck(options: PasswordMigrationOptions): LegacyPasswordCheck {
  // The options' `legacy` picks its own factory: the union is narrowed by the map's key.
  return (LEGACY_PASSWORD_CHECKS[options.legacy] as (o: PasswordMigrationOptions) => LegacyPasswordCheck)(options);
}

/**
 * The password check against Amazon Cognito: AdminInitiateAuth with
 * ADMIN_USER_PASSWORD_AUTH
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html),
 * signed with the gateway's IAM keys, by an app client that allows
 * ALLOW_ADMIN_USER_PASSWORD_AUTH (SECRET_HASH when it has a secret).
 * USERNAME is the identifier Kratos sends (the email): the pool must let
 * users sign in with their email (email as a username attribute or an
 * alias), which the Kratos import's identifier assumes anyway.
 *
 * Tokens issued: a match. A challenge (NEW_PASSWORD_REQUIRED for a user
 * still on a temporary password, SMS_MFA, SOFTWARE_TOKEN_MFA...) comes only
 * after the password was accepted: a match too; Olympus takes over the
 * second factor and the password change. NotAuthorizedException (wrong
 * password, disabled user), UserNotFoundException, PasswordResetRequiredException
 * and UserNotConfirmedException: 403. TooManyRequestsException and
 * LimitExceededException: throttling (Cognito's UserAuthentication quota,
 * 120 requests/s per account and region, is shared with every sign-in of the
 * pool). The end user's address goes in ContextData.IpAddress, so Cognito's
 * threat protection, when on, sees the user and not the gateway.
 */
import type { PasswordMigrationOptions } from '../config.ts';
import { CognitoAdminClient } from '../providers/admin/cognito-admin-client.ts';
import { withinDeadline } from './admin-check-result.ts';
import type { LegacyPasswordCheck } from './password-check.ts';

const HOOK_PATH = '/_switchback/hooks/password-migration';

export function cognitoPasswordCheck(options: Extract<PasswordMigrationOptions, { legacy: 'cognito' }>): LegacyPasswordCheck {
  const cognito = new CognitoAdminClient(options.cognito);
  return {
    check: (identifier, password, clientAddress, deadline) =>
      withinDeadline(deadline, async (budget) => {
        const context = options.forwardClientIp && clientAddress !== undefined ? { ipAddress: clientAddress, serverName: 'switchback', serverPath: HOOK_PATH } : undefined;
        const signIn = await cognito.adminInitiateAuth({ clientId: options.clientId, clientSecret: options.clientSecret, username: identifier, password, context }, { timeoutMs: budget() });
        return { outcome: 'match', reason: signIn.kind === 'authenticated' ? 'accepted' : 'accepted_challenge' };
      }),
  };
}

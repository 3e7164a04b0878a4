/**
 * Cognito user-pool API errors, read as the AWS JSON 1.1 protocol writes
 * them: HTTP 400 (or 5xx) with `{"__type": "[namespace#]Name", "message":
 * "..."}`, the name also in the `x-amzn-ErrorType` header as
 * `Name:http://...` (botocore `parsers.py`, BaseJSONParser; the error list of
 * each operation in the API reference, e.g.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminInitiateAuth.html#API_AdminInitiateAuth_Errors
 * and the common errors,
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/CommonErrors.html).
 *
 * Each name we know maps to one reason (admin-error.ts); an unknown name is
 * `upstream_status`. NotAuthorizedException means several things at
 * sign-in: the wrong password, but also a disabled user ("User is
 * disabled.") and a missing or wrong SECRET_HASH ("Unable to verify secret
 * hash for client <id>", a configuration mistake, not a wrong password).
 * Those messages are read to tell them apart and then dropped; no message
 * is kept. (An app client that does not allow the flow answers
 * InvalidParameterException "Auth flow not enabled for this client".)
 */
import type { AdminErrorReason } from './admin-error.ts';
import { safeCode } from './admin-error.ts';

const COGNITO_ERRORS = {
  NotAuthorizedException: 'invalid_credentials',
  UserNotFoundException: 'user_not_found',
  UsernameExistsException: 'user_exists',
  AliasExistsException: 'user_exists',
  PasswordResetRequiredException: 'password_reset_required',
  UserNotConfirmedException: 'user_not_confirmed',
  InvalidPasswordException: 'invalid_password',
  PasswordHistoryPolicyViolationException: 'invalid_password',
  TooManyRequestsException: 'throttled',
  ThrottlingException: 'throttled',
  TooManyFailedAttemptsException: 'throttled',
  LimitExceededException: 'limit_exceeded',
  CodeDeliveryFailureException: 'delivery_failed',
  InvalidEmailRoleAccessPolicyException: 'delivery_failed',
  InvalidSmsRoleAccessPolicyException: 'delivery_failed',
  InvalidSmsRoleTrustRelationshipException: 'delivery_failed',
  InvalidSignatureException: 'auth_refused',
  UnrecognizedClientException: 'auth_refused',
  IncompleteSignature: 'auth_refused',
  MissingAuthenticationToken: 'auth_refused',
  InvalidClientTokenId: 'auth_refused',
  ExpiredTokenException: 'auth_refused',
  AccessDeniedException: 'auth_refused',
  InvalidParameterException: 'invalid_request',
  InvalidUserPoolConfigurationException: 'invalid_request',
  ResourceNotFoundException: 'invalid_request',
  SerializationException: 'invalid_request',
  ValidationException: 'invalid_request',
  UnsupportedOperationException: 'invalid_request',
  UnexpectedLambdaException: 'upstream_status',
  UserLambdaValidationException: 'invalid_request',
  InvalidLambdaResponseException: 'upstream_status',
  InternalErrorException: 'upstream_status',
  InternalFailure: 'upstream_status',
  ServiceUnavailable: 'upstream_status',
} as const satisfies Record<string, AdminErrorReason>;

export type CognitoErrorName = keyof typeof COGNITO_ERRORS;

/** `com.amazonaws...#UsernameExistsException` or `UsernameExistsException:http://...` -> `UsernameExistsException`. */
export function cognitoErrorName(type: unknown): string | undefined {
  const raw = safeCode(typeof type === 'string' ? type.split(':')[0] : undefined);
  if (raw === undefined) return undefined;
  return raw.slice(raw.lastIndexOf('#') + 1) || undefined;
}

export function cognitoErrorReason(status: number, name: string | undefined, message: unknown): AdminErrorReason {
  if (name === undefined) return status === 429 ? 'throttled' : 'upstream_status';
  if (name === 'NotAuthorizedException' && message === 'User is disabled.') return 'user_disabled';
  if (name === 'NotAuthorizedException' && typeof message === 'string' && message.startsWith('Unable to verify secret hash')) return 'invalid_request';
  return Object.hasOwn(COGNITO_ERRORS, name) ? COGNITO_ERRORS[name as CognitoErrorName] : 'upstream_status';
}

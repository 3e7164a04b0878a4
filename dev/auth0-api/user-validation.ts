// Payload validation for POST /api/v2/users, with Auth0's messages (its
// validator is z-schema, hence "Payload validation error: 'Missing required
// property: password'." and "Object didn't pass validation for format email:
// …"), the connection lookup ("The connection does not exist.") and the
// connection's password policy ("PasswordStrengthError: Password is too weak").
import { ManagementApiError, payloadError } from './auth0-errors.ts';
import { passwordMeetsPolicy, type Auth0Connection } from './connections.ts';
import type { NewUserFields } from './user-store.ts';

const STRING_PROPS: Record<string, string> = {
  email: "The user's email",
  phone_number: "The user's phone number (following the E.164 recommendation)",
  given_name: "The user's given name(s)",
  family_name: "The user's family name(s)",
  name: "The user's full name",
  nickname: "The user's nickname",
  picture: 'A URI pointing to the user\'s picture',
  user_id: 'The external user\'s id provided by the identity provider',
  connection: 'The connection the user belongs to',
  password: 'The user\'s password (mandatory for non SMS connections)',
  username: "The user's username. Only valid if the connection requires a username",
};
const BOOLEAN_PROPS = ['blocked', 'email_verified', 'phone_verified', 'verify_email'];
const OBJECT_PROPS = ['app_metadata', 'user_metadata'];
const ALLOWED = new Set([...Object.keys(STRING_PROPS), ...BOOLEAN_PROPS, ...OBJECT_PROPS]);

/** Loose RFC 5322-ish check, close to z-schema's "email" format. */
export const EMAIL_FORMAT = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
}

export interface CreateUserRequest {
  fields: NewUserFields;
  connection: Auth0Connection;
  password: string;
  /** Whether Auth0 sends a verification email after creation. */
  sendVerificationEmail: boolean;
}

export function validateCreateUser(body: unknown, connections: readonly Auth0Connection[]): CreateUserRequest {
  if (jsonType(body) !== 'object') throw payloadError(`Expected type object but found type ${jsonType(body)}`);
  const input = body as Record<string, unknown>;
  const extra = Object.keys(input).filter((k) => !ALLOWED.has(k));
  if (extra.length > 0) throw payloadError(`Additional properties not allowed: ${extra.join(',')}`);
  for (const [prop, description] of Object.entries(STRING_PROPS)) {
    if (prop in input && typeof input[prop] !== 'string') {
      throw payloadError(`Expected type string but found type ${jsonType(input[prop])}`, `${prop} (${description})`);
    }
  }
  for (const prop of BOOLEAN_PROPS) {
    if (prop in input && typeof input[prop] !== 'boolean') throw payloadError(`Expected type boolean but found type ${jsonType(input[prop])}`, prop);
  }
  for (const prop of OBJECT_PROPS) {
    if (prop in input && jsonType(input[prop]) !== 'object') throw payloadError(`Expected type object but found type ${jsonType(input[prop])}`, prop);
  }
  if (typeof input.connection !== 'string' || input.connection === '') throw payloadError('Missing required property: connection');
  const connection = connections.find((c) => c.name === input.connection);
  if (!connection) throw new ManagementApiError(400, 'The connection does not exist.', 'inexistent_connection');

  const email = input.email as string | undefined;
  if (email === undefined) throw payloadError('Missing required property: email');
  if (!EMAIL_FORMAT.test(email)) {
    throw payloadError(`Object didn't pass validation for format email: ${email}`, `email (${STRING_PROPS.email})`);
  }
  const password = input.password as string | undefined;
  if (password === undefined) throw payloadError('Missing required property: password');
  if (!passwordMeetsPolicy(password, connection.passwordPolicy)) {
    throw new ManagementApiError(400, 'PasswordStrengthError: Password is too weak', 'invalid_password');
  }
  if (Buffer.byteLength(password) > 72) throw new ManagementApiError(400, 'PasswordStrengthError: Password is too long', 'invalid_password');

  const emailVerified = (input.email_verified as boolean | undefined) ?? false;
  const verifyEmail = input.verify_email as boolean | undefined;
  const pick = (k: string) => (input[k] === undefined ? {} : { [k]: input[k] });
  const fields: NewUserFields = {
    email,
    email_verified: emailVerified,
    ...pick('user_id'),
    ...pick('given_name'),
    ...pick('family_name'),
    ...pick('name'),
    ...pick('nickname'),
    ...pick('picture'),
    ...pick('username'),
    ...pick('blocked'),
    ...pick('app_metadata'),
    ...pick('user_metadata'),
  };
  return { fields, connection, password, sendVerificationEmail: verifyEmail ?? !emailVerified };
}

// PATCH /api/v2/users/{id}: Auth0 merges app_metadata / user_metadata at the
// top level (a null value removes that key, {} clears the object), replaces
// the other given attributes, checks a new email's uniqueness and a new
// password against the connection's policy, and answers 200 with the user.
import { ManagementApiError, payloadError } from './auth0-errors.ts';
import { passwordMeetsPolicy, type Auth0Connection } from './connections.ts';
import { EMAIL_FORMAT, jsonType } from './user-validation.ts';
import { userNotFound, type Reply, type UsersContext } from './users-routes.ts';

const STRING_PROPS = ['email', 'phone_number', 'given_name', 'family_name', 'name', 'nickname', 'picture', 'username', 'password', 'connection', 'client_id'];
const BOOLEAN_PROPS = ['blocked', 'email_verified', 'phone_verified', 'verify_email', 'verify_phone_number'];
const OBJECT_PROPS = ['app_metadata', 'user_metadata'];
const ALLOWED = new Set([...STRING_PROPS, ...BOOLEAN_PROPS, ...OBJECT_PROPS]);
const REPLACED = ['given_name', 'family_name', 'name', 'nickname', 'picture', 'username', 'blocked', 'email_verified'] as const;

function mergeMetadata(current: Record<string, unknown> | undefined, patch: Record<string, unknown>): Record<string, unknown> {
  if (Object.keys(patch).length === 0) return {};
  const out = { ...(current ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = structuredClone(v);
  }
  return out;
}

export function updateUser(ctx: UsersContext & { connections: readonly Auth0Connection[] }, userId: string, body: unknown): Reply {
  if (jsonType(body) !== 'object') throw payloadError(`Expected type object but found type ${jsonType(body)}`);
  const input = body as Record<string, unknown>;
  const extra = Object.keys(input).filter((k) => !ALLOWED.has(k));
  if (extra.length > 0) throw payloadError(`Additional properties not allowed: ${extra.join(',')}`);
  for (const p of STRING_PROPS) if (p in input && typeof input[p] !== 'string') throw payloadError(`Expected type string but found type ${jsonType(input[p])}`, p);
  for (const p of BOOLEAN_PROPS) if (p in input && typeof input[p] !== 'boolean') throw payloadError(`Expected type boolean but found type ${jsonType(input[p])}`, p);
  for (const p of OBJECT_PROPS) if (p in input && jsonType(input[p]) !== 'object') throw payloadError(`Expected type object but found type ${jsonType(input[p])}`, p);

  const user = ctx.store.get(userId);
  if (!user) throw userNotFound();
  const connection = ctx.connections.find((c) => c.name === user.connection);
  const profile = user.profile as unknown as Record<string, unknown>;

  if (typeof input.email === 'string') {
    if (!EMAIL_FORMAT.test(input.email)) throw payloadError(`Object didn't pass validation for format email: ${input.email}`, 'email');
    const other = ctx.store.existsInConnection(input.email, user.connection);
    if (other && other !== user) throw new ManagementApiError(400, 'The specified new email already exists', 'email_conflict');
  }
  if (typeof input.password === 'string') {
    if (connection && !passwordMeetsPolicy(input.password, connection.passwordPolicy)) {
      throw new ManagementApiError(400, 'PasswordStrengthError: Password is too weak', 'invalid_password');
    }
    user.credential = { kind: 'password', password: input.password };
  }
  if (typeof input.email === 'string') user.profile.email = input.email.toLowerCase();
  for (const key of REPLACED) if (input[key] !== undefined) profile[key] = input[key];
  for (const key of OBJECT_PROPS) {
    if (input[key] !== undefined) profile[key] = mergeMetadata(profile[key] as Record<string, unknown> | undefined, input[key] as Record<string, unknown>);
  }
  user.profile.updated_at = new Date().toISOString();
  return { status: 200, body: user.profile };
}

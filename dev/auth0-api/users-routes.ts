// Management API user endpoints: POST /users (201 + user; 409 "The user
// already exists." with errorCode auth0_idp_error when the email or user_id is
// taken in the connection), GET /users/{id} (404 inexistent_user), PATCH in
// user-update.ts,
// DELETE /users/{id} (204), GET /users-by-email?email= (array; exact,
// case-sensitive match on the lower-cased stored email, as Auth0 documents).
import { ManagementApiError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import { recordEmail, type SentEmail } from './sent-emails.ts';
import { buildProfile, type UserStore } from './user-store.ts';
import { validateCreateUser } from './user-validation.ts';

export interface Reply {
  status: number;
  body?: unknown;
}

export interface UsersContext {
  store: UserStore;
  connections: readonly Auth0Connection[];
  emails: SentEmail[];
}

const userExists = () => new ManagementApiError(409, 'The user already exists.', 'auth0_idp_error');
export const userNotFound = (message = 'The user does not exist.') => new ManagementApiError(404, message, 'inexistent_user');

export function createUser(ctx: UsersContext, body: unknown): Reply {
  const request = validateCreateUser(body, ctx.connections);
  const { fields, connection } = request;
  if (fields.user_id !== undefined && ctx.store.get(`auth0|${fields.user_id}`)) throw userExists();
  if (ctx.store.existsInConnection(fields.email, connection.name)) throw userExists();
  const profile = buildProfile(fields, connection);
  ctx.store.add({ profile, connection: connection.name, credential: { kind: 'password', password: request.password }, source: { kind: 'api' } });
  if (request.sendVerificationEmail) {
    recordEmail(ctx.emails, { kind: 'verify_email', to: profile.email, connection: connection.name, user_id: profile.user_id });
  }
  return { status: 201, body: profile };
}

export function getUser(ctx: UsersContext, userId: string): Reply {
  const user = ctx.store.get(userId);
  if (!user) throw userNotFound();
  return { status: 200, body: user.profile };
}

/** Auth0 answers 204 whether or not the user existed. */
export function deleteUser(ctx: UsersContext, userId: string): Reply {
  ctx.store.delete(userId);
  return { status: 204 };
}

export function usersByEmail(ctx: UsersContext, url: URL): Reply {
  const email = url.searchParams.get('email');
  if (email === null || email === '') {
    throw new ManagementApiError(400, "Query validation error: 'Missing required property: email'.", 'invalid_query_string');
  }
  return { status: 200, body: ctx.store.byEmail(email).map((u) => u.profile) };
}

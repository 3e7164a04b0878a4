// Authentication API POST /dbconnections/change_password { client_id, email,
// connection }: answers 200 with the plain text "We've just sent you an email
// to reset your password." whether or not the user exists (no account
// enumeration), and records a password_reset email only when a user with that
// email exists in the connection. Rate-limited per email address (Free tier:
// burst 10, then 1 per minute) with X-RateLimit-* headers.
import { AuthApiError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import { recordEmail, type SentEmail } from './sent-emails.ts';
import type { UserStore } from './user-store.ts';
import { jsonType } from './user-validation.ts';

export const CHANGE_PASSWORD_TEXT = "We've just sent you an email to reset your password.";

export interface ChangePasswordContext {
  store: UserStore;
  connections: readonly Auth0Connection[];
  emails: SentEmail[];
  isClient: (clientId: string) => boolean;
  /** Takes a token for this email address (and sets the X-RateLimit-* headers); false: over the limit. */
  limiter: (email: string) => boolean;
}

/** Returns the plain-text answer (200). */
export function changePassword(ctx: ChangePasswordContext, body: unknown): string {
  if (jsonType(body) !== 'object') throw new AuthApiError(400, 'invalid_request', 'The request body must be a JSON object.');
  const input = body as Record<string, unknown>;
  const { client_id: clientId, email, connection } = input;
  if (typeof clientId !== 'string' || clientId === '') throw new AuthApiError(400, 'invalid_request', 'Missing required parameter: client_id');
  if (!ctx.isClient(clientId)) throw new AuthApiError(401, 'invalid_client', `Unknown client: ${clientId}`);
  if (typeof email !== 'string' || email === '') throw new AuthApiError(400, 'invalid_request', 'Missing required parameter: email');
  if (typeof connection !== 'string' || connection === '') throw new AuthApiError(400, 'invalid_request', 'Missing required parameter: connection');
  const conn = ctx.connections.find((c) => c.name === connection);
  if (!conn) throw new AuthApiError(400, 'invalid_request', 'connection not found');

  if (!ctx.limiter(email.toLowerCase())) throw new AuthApiError(429, 'too_many_requests', 'Too many requests. Please try again later.');

  const user = ctx.store.existsInConnection(email, conn.name);
  if (user) {
    recordEmail(ctx.emails, { kind: 'password_reset', to: user.profile.email, connection: conn.name, client_id: clientId, user_id: user.profile.user_id });
  }
  return CHANGE_PASSWORD_TEXT;
}

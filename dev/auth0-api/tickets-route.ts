// POST /api/v2/tickets/password-change: returns 201 { ticket: "<url>" } for a
// user given by user_id, or by email + connection_id. Unlike
// /dbconnections/change_password it sends no email: the caller must deliver
// the link, so tickets are recorded separately from `emails`. Contract:
// https://auth0.com/docs/api/management/v2/tickets/post-password-change
// (scope create:user_tickets; `email` requires `connection_id` and cannot be
// combined with `user_id`; `ttl_sec` absent or 0 is the five-day default;
// `result_url` where the user lands; `mark_email_as_verified` a boolean).
import { ManagementApiError, payloadError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import { alnum } from './ids.ts';
import type { UserStore } from './user-store.ts';
import { jsonType } from './user-validation.ts';
import { userNotFound, type Reply } from './users-routes.ts';

export interface PasswordChangeTicket {
  ticket: string;
  user_id: string;
  email: string;
  ttl_sec: number;
  result_url?: string;
  client_id?: string;
  mark_email_as_verified: boolean;
  created_at: string;
}

const ALLOWED = new Set([
  'result_url',
  'user_id',
  'client_id',
  'organization_id',
  'connection_id',
  'email',
  'ttl_sec',
  'mark_email_as_verified',
  'includeEmailInRedirect',
  'identity',
]);

export function createPasswordChangeTicket(
  ctx: { store: UserStore; connections: readonly Auth0Connection[]; tickets: PasswordChangeTicket[]; baseUrl: string },
  body: unknown,
): Reply {
  if (jsonType(body) !== 'object') throw payloadError(`Expected type object but found type ${jsonType(body)}`);
  const input = body as Record<string, unknown>;
  const extra = Object.keys(input).filter((k) => !ALLOWED.has(k));
  if (extra.length > 0) throw payloadError(`Additional properties not allowed: ${extra.join(',')}`);
  const typed = { user_id: 'string', email: 'string', connection_id: 'string', result_url: 'string', client_id: 'string', ttl_sec: 'integer', mark_email_as_verified: 'boolean', includeEmailInRedirect: 'boolean' } as const;
  for (const [name, want] of Object.entries(typed)) {
    const v = input[name];
    if (v === undefined) continue;
    const ok = want === 'integer' ? Number.isInteger(v) && (v as number) >= 0 : typeof v === want;
    if (!ok) throw payloadError(`Expected type ${want} but found type ${jsonType(v)}`, name);
  }
  const userId = input.user_id;
  const email = input.email;
  const connectionId = input.connection_id;
  if (userId !== undefined && (email !== undefined || connectionId !== undefined)) {
    throw new ManagementApiError(400, 'The user_id parameter cannot be combined with email or connection_id.', 'invalid_body');
  }
  let user;
  if (typeof userId === 'string') {
    user = ctx.store.get(userId);
  } else if (typeof email === 'string' && typeof connectionId === 'string') {
    const connection = ctx.connections.find((c) => c.id === connectionId);
    if (!connection) throw new ManagementApiError(400, `The connection with id ${connectionId} does not exist.`, 'invalid_body');
    user = ctx.store.existsInConnection(email, connection.name);
  } else {
    throw new ManagementApiError(400, 'Either user_id, or email together with connection_id, must be provided.', 'invalid_body');
  }
  if (!user) throw userNotFound('User not found.');
  const ttl = typeof input.ttl_sec === 'number' && input.ttl_sec > 0 ? input.ttl_sec : 432_000;
  const ticket: PasswordChangeTicket = {
    ticket: `${ctx.baseUrl}/lo/reset?ticket=${alnum(32)}#`,
    user_id: user.profile.user_id,
    email: user.profile.email,
    ttl_sec: ttl,
    mark_email_as_verified: input.mark_email_as_verified === true,
    created_at: new Date().toISOString(),
    ...(typeof input.result_url === 'string' ? { result_url: input.result_url } : {}),
    ...(typeof input.client_id === 'string' ? { client_id: input.client_id } : {}),
  };
  ctx.tickets.push(ticket);
  return { status: 201, body: { ticket: ticket.ticket } };
}

// Routing of the Management API v2 subset the reconcile command needs, with
// Auth0's per-endpoint scopes (403 insufficient_scope) and hapi's 404 for
// unknown routes or methods. Authentication happens before routing, as in Auth0.
import { ManagementApiError } from './auth0-errors.ts';
import { listConnections, type Auth0Connection } from './connections.ts';
import type { ImportJobs } from './import-jobs.ts';
import { createImportJob } from './import-route.ts';
import { getEmailProvider, type EmailProvider } from './email-provider.ts';
import { requireScope, type TokenIssuer } from './oauth-token.ts';
import { readObjectBody } from './request-body.ts';
import { createPasswordChangeTicket, type PasswordChangeTicket } from './tickets-route.ts';
import { updateUser } from './user-update.ts';
import { createUser, deleteUser, getUser, usersByEmail, type Reply, type UsersContext } from './users-routes.ts';

export interface ManagementContext extends UsersContext {
  connections: readonly Auth0Connection[];
  tickets: PasswordChangeTicket[];
  jobs: ImportJobs;
  issuer: TokenIssuer;
  baseUrl: string;
  /** The tenant's email provider; null: none configured (GET /emails/provider answers 404). */
  emailProvider: { current: EmailProvider | null };
}

const invalidJson = (why: string) => new ManagementApiError(400, why, 'invalid_body');
const notFound = () => new ManagementApiError(404, 'Not Found');

/** `path` is relative to /api/v2 (e.g. "/users/auth0|abc"). */
export async function routeManagement(ctx: ManagementContext, req: Request, url: URL, path: string): Promise<Reply> {
  const claims = ctx.issuer.verify(req.headers.get('authorization') ?? undefined);
  const method = req.method;
  const scope = (...anyOf: string[]) => requireScope(claims, anyOf);

  if (path === '/users') {
    if (method !== 'POST') throw notFound();
    scope('create:users');
    return createUser(ctx, await readObjectBody(req, invalidJson));
  }
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user) {
    let userId: string;
    try {
      userId = decodeURIComponent(user[1]!);
    } catch {
      throw new ManagementApiError(400, `Path validation error: 'Invalid URI encoding' on property id (ID of the user).`, 'invalid_uri');
    }
    if (method === 'GET') return scope('read:users'), getUser(ctx, userId);
    if (method === 'DELETE') return scope('delete:users'), deleteUser(ctx, userId);
    if (method === 'PATCH') {
      scope('update:users');
      return updateUser(ctx, userId, await readObjectBody(req, invalidJson));
    }
    throw notFound();
  }
  if (path === '/users-by-email' && method === 'GET') return scope('read:users'), usersByEmail(ctx, url);
  if (path === '/tickets/password-change' && method === 'POST') {
    scope('create:user_tickets');
    return createPasswordChangeTicket(ctx, await readObjectBody(req, invalidJson));
  }
  if (path === '/jobs/users-imports' && method === 'POST') {
    scope('create:users');
    return createImportJob(req, ctx.jobs, ctx.connections);
  }
  const job = /^\/jobs\/([^/]+)(\/errors)?$/.exec(path);
  if (job && method === 'GET') {
    scope('create:users', 'read:users');
    return job[2] ? ctx.jobs.errorsOf(job[1]!) : ctx.jobs.get(job[1]!);
  }
  if (path === '/emails/provider' && method === 'GET') return scope('read:email_provider'), getEmailProvider(ctx.emailProvider.current, url);
  if (path === '/connections' && method === 'GET') {
    scope('read:connections');
    return { status: 200, body: listConnections(ctx.connections, url, ctx.issuer.clientIds()) };
  }
  throw notFound();
}

// Ory Hydra v2's admin API, only what the rollback command calls, as a Hono
// app: GET /admin/clients/{id} (200, or 404 for an unknown client) and
// DELETE /admin/oauth2/tokens?client_id=… (204, for any client id, as Hydra
// does; 400 with Hydra's OAuth2 error JSON when client_id is missing). It
// records every call, and can play the protecting proxy in front of the admin
// port (required headers, else 401) since the real port is firewalled and
// unauthenticated.
import { Hono, type Context } from 'hono';
import { OLYMPUS_CLIENT_ID } from '../gateway-vars.ts';
import { json } from '../json-reply.ts';

export interface HydraAdminAppOptions {
  /** OAuth2 clients this "Hydra" knows. Default: the local stack's Olympus client (switchback-olympus). */
  clients?: string[];
  /** Headers a protecting proxy requires (name -> exact value); a call without them gets 401. Default none. */
  requireHeaders?: Record<string, string>;
  /** Called after each successful token deletion (e.g. to expire tokens at an IdP stand-in). */
  onRevoke?: (clientId: string) => void;
}

export interface HydraAdminCall {
  method: string;
  /** Path without the query. */
  path: string;
  /** The client_id query parameter, or null when absent. */
  clientId: string | null;
  status: number;
  /** Request headers (lower-case names). */
  headers: Record<string, string>;
  at: number;
}

/** Hydra's OAuth2 error shape (errorOAuth2). */
function oauthError(c: Context, status: number, error: string, description: string, hint?: string): Response {
  return json(c, status, { error, error_description: hint ? `${description} ${hint}` : description, ...(hint ? { error_hint: hint } : {}), status_code: status });
}

export function createHydraAdminApp(options: HydraAdminAppOptions = {}): { app: Hono; calls: HydraAdminCall[] } {
  const clients = new Set(options.clients ?? [OLYMPUS_CLIENT_ID]);
  const required = Object.entries(options.requireHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const calls: HydraAdminCall[] = [];
  const app = new Hono();

  app.use(async (c, next) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => (headers[name] = value));
    const at = Date.now();
    await next();
    calls.push({ method: c.req.method, path: c.req.path, clientId: c.req.query('client_id') ?? null, status: c.res.status, headers, at });
  });
  app.use(async (c, next) => {
    if (required.some(([k, v]) => c.req.header(k) !== v)) {
      return json(c, 401, { error: 'unauthorized', error_description: 'The proxy in front of the Hydra admin API requires credentials.' });
    }
    await next();
  });
  app.all('/admin/oauth2/tokens', (c) => {
    if (c.req.method !== 'DELETE') return oauthError(c, 405, 'method_not_allowed', 'Only DELETE is supported here.');
    const clientId = c.req.query('client_id');
    if (!clientId) {
      return oauthError(
        c,
        400,
        'invalid_request',
        'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
        "Query parameter 'client_id' is not defined but it should have been.",
      );
    }
    options.onRevoke?.(clientId);
    return c.body(null, 204);
  });
  app.get('/admin/clients/:id', (c) => {
    const id = c.req.param('id');
    if (!clients.has(id)) return oauthError(c, 404, 'Not Found', 'Unable to locate the resource');
    return json(c, 200, { client_id: id, client_name: 'switchback (local)', token_endpoint_auth_method: 'client_secret_basic' });
  });
  app.notFound((c) => oauthError(c, 404, 'Not Found', `No route for ${c.req.method} ${c.req.path} in this stand-in.`));
  return { app, calls };
}

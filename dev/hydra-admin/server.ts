// Local stand-in for Ory Hydra v2's admin API, only what the rollback command
// calls: GET /admin/clients/{id} (200, or 404 for an unknown client) and
// DELETE /admin/oauth2/tokens?client_id=… (204, for any client id, as Hydra
// does; 400 with Hydra's OAuth2 error JSON when client_id is missing). It
// records every call so tests and benchmarks can check what reached "Hydra",
// and can play the protecting proxy in front of the admin port (required
// headers, else 401) since the real port is firewalled and unauthenticated.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { OLYMPUS_CLIENT_ID } from '../gateway-vars.ts';
import { closeServer, listenLocal, sendJson } from '../http-util.ts';

export interface HydraAdminOptions {
  /** 0 (default) picks a free port. */
  port?: number;
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

export interface HydraAdminHandle {
  url: string;
  port: number;
  /** Every request, in order, with the status it got. */
  calls: HydraAdminCall[];
  /** Client ids whose tokens were deleted (204), in order. */
  revocations(): string[];
  stop(): Promise<void>;
}

/** Hydra's OAuth2 error shape (errorOAuth2). */
function oauthError(res: ServerResponse, status: number, error: string, description: string, hint?: string): void {
  sendJson(res, status, { error, error_description: hint ? `${description} ${hint}` : description, ...(hint ? { error_hint: hint } : {}), status_code: status });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function startHydraAdmin(options: HydraAdminOptions = {}): Promise<HydraAdminHandle> {
  const clients = new Set(options.clients ?? [OLYMPUS_CLIENT_ID]);
  const required = Object.entries(options.requireHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  const calls: HydraAdminCall[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): number => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (required.some(([k, v]) => req.headers[k] !== v)) {
      sendJson(res, 401, { error: 'unauthorized', error_description: 'The proxy in front of the Hydra admin API requires credentials.' });
      return 401;
    }
    if (url.pathname === '/admin/oauth2/tokens') {
      if (method !== 'DELETE') {
        oauthError(res, 405, 'method_not_allowed', 'Only DELETE is supported here.');
        return 405;
      }
      const clientId = url.searchParams.get('client_id');
      if (!clientId) {
        oauthError(
          res,
          400,
          'invalid_request',
          'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
          "Query parameter 'client_id' is not defined but it should have been.",
        );
        return 400;
      }
      options.onRevoke?.(clientId);
      res.writeHead(204).end();
      return 204;
    }
    const client = /^\/admin\/clients\/([^/]+)$/.exec(url.pathname);
    if (client && method === 'GET') {
      const id = decodeURIComponent(client[1]!);
      if (!clients.has(id)) {
        oauthError(res, 404, 'Not Found', 'Unable to locate the resource');
        return 404;
      }
      sendJson(res, 200, { client_id: id, client_name: 'switchback (local)', token_endpoint_auth_method: 'client_secret_basic' });
      return 200;
    }
    oauthError(res, 404, 'Not Found', `No route for ${method} ${url.pathname} in this stand-in.`);
    return 404;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const status = handle(req, res);
    calls.push({ method: req.method ?? 'GET', path: url.pathname, clientId: url.searchParams.get('client_id'), status, headers: flatHeaders(req), at: Date.now() });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenLocal(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    revocations: () => calls.filter((c) => c.method === 'DELETE' && c.status === 204).map((c) => c.clientId!),
    stop: () => closeServer(server),
  };
}

// Runs one oidc-provider instance as an in-process node:http server on
// 127.0.0.1: binds first (the issuer must contain the real port, port 0 works),
// then builds the Provider, and routes control, interaction and extra pages
// around it while counting requests per endpoint.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import Provider, { type Configuration } from 'oidc-provider';
import { closeServer, listenLocal, sendJson } from '../http-util.ts';
import { defaultMode, emptyStats, handleControl, type IdpMode, type IdpStats, type StatName } from './control.ts';
import { handleInteraction } from './interactions.ts';
import type { Brand } from './pages.ts';
import type { UserDirectory } from './users.ts';
import type { VerifyPassword } from './password-migration-hook.ts';

export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean> | boolean;

export interface IdpSpec {
  brand: Brand;
  port: number;
  /** Auth0 issuers end with "/", Hydra issuers do not. */
  trailingSlashIssuer: boolean;
  users: UserDirectory;
  mode?: IdpMode;
  routes: Record<string, string>;
  buildConfig(issuer: string, mode: IdpMode): Promise<Configuration> | Configuration;
  extraRoutes?: ExtraRoute;
  /** Replaces users.verify at the login form (the Olympus stand-in's password migration hook). */
  verifyPassword?: VerifyPassword;
  /** Log every OIDC error event (authorization, token, introspection...) to stderr. */
  logErrors?: boolean;
}

export interface IdpHandle {
  /** Issuer identifier exactly as it appears in tokens and discovery. */
  issuer: string;
  /** Base URL without trailing slash, e.g. http://127.0.0.1:8791 */
  url: string;
  port: number;
  discoveryUrl: string;
  provider: Provider;
  users: UserDirectory;
  /** Live failure-injection mode (same object /_control/mode changes). */
  mode: IdpMode;
  /** Live request counters (same object /_control/stats returns). */
  stats: IdpStats;
  stop(): Promise<void>;
}

function statNameFor(pathname: string, routes: Record<string, string>): StatName {
  if (pathname.endsWith('/.well-known/openid-configuration')) return 'discovery';
  if (pathname.startsWith('/interaction/')) return 'interaction';
  for (const [name, path] of Object.entries(routes)) {
    if (pathname === path || (name === 'authorization' && pathname.startsWith(`${path}/`))) {
      if (['jwks', 'authorization', 'token', 'introspection', 'userinfo', 'end_session', 'revocation'].includes(name)) {
        return name as StatName;
      }
    }
  }
  if (pathname.startsWith(`${routes.end_session}/`)) return 'end_session';
  return 'other';
}

export async function startIdp(spec: IdpSpec): Promise<IdpHandle> {
  const mode = spec.mode ?? defaultMode();
  const stats = emptyStats();
  const logErrors = spec.logErrors ?? process.env.SWITCHBACK_IDP_DEBUG === '1';
  let callback: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let provider: Provider | undefined;

  const dispatch = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (await handleControl(req, res, pathname, { mode, stats })) return;
    stats[statNameFor(pathname, spec.routes)] += 1;
    if (mode.unavailable || !provider || !callback) {
      return sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'IdP is unavailable' });
    }
    if (mode.delayMs > 0) await sleep(mode.delayMs);
    if (await handleInteraction(req, res, pathname, { provider, users: spec.users, mode, brand: spec.brand, verifyPassword: spec.verifyPassword })) return;
    if (spec.extraRoutes && (await spec.extraRoutes(req, res, pathname))) return;
    callback(req, res);
  };

  const server = createServer((req, res) => {
    dispatch(req, res).catch((err: unknown) => {
      console.error(`[${spec.brand.product} IdP] ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenLocal(server, spec.port);
  const url = `http://127.0.0.1:${port}`;
  const issuer = spec.trailingSlashIssuer ? `${url}/` : url;
  try {
    provider = new Provider(issuer, await spec.buildConfig(issuer, mode));
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  const label = `[${spec.brand.product} IdP]`;
  provider.on('server_error', (_ctx: unknown, err: Error) => console.error(label, 'server_error', err));
  if (logErrors) {
    for (const event of ['authorization.error', 'grant.error', 'introspection.error', 'end_session.error', 'userinfo.error', 'revocation.error']) {
      provider.on(event, (_ctx: unknown, err: Error) => console.error(label, event, err.message, (err as { error_description?: string }).error_description ?? ''));
    }
  }
  callback = provider.callback();

  return {
    issuer,
    url,
    port,
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    provider,
    users: spec.users,
    mode,
    stats,
    stop: () => closeServer(server),
  };
}

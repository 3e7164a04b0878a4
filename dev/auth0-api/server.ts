// A local stand-in for an Auth0 tenant's Management API v2 and Authentication
// API (Auth0 is SaaS only), following Auth0's published contracts closely:
// client-credentials tokens, the user/ticket/job/connection endpoints the
// reconcile command uses, bulk import jobs with their limits, the change
// password email path, token-bucket rate limits with x-ratelimit-* headers and
// 429s, and fault injection (5xx, dropped connections, latency, down). The
// handlers are a Hono app (app.ts), served here on 127.0.0.1.
import { serveApp } from '../serve-app.ts';
import { createAuth0App, type Auth0AppOptions, type Auth0Tenant } from './app.ts';

export { FREE_TIER_CHANGE_PASSWORD_LIMIT, FREE_TIER_MANAGEMENT_LIMIT, FREE_TIER_TOKEN_LIMIT } from './app.ts';

export interface Auth0ApiOptions extends Auth0AppOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
}

export interface Auth0ApiHandle extends Omit<Auth0Tenant, 'baseUrl' | 'stop'> {
  url: string;
  port: number;
  /** `${url}/api/v2` */
  managementUrl: string;
  /** true: stop listening and drop open connections (ECONNREFUSED); false: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startAuth0Api(options: Auth0ApiOptions = {}): Promise<Auth0ApiHandle> {
  const { port, ...appOptions } = options;
  let fetch: ReturnType<typeof createAuth0App>['app']['fetch'] | undefined;
  // The tenant's audience is its own URL: listen first, then build the app.
  const served = await serveApp((req, env) => fetch!(req, env), port ?? 0);
  let built: ReturnType<typeof createAuth0App>;
  try {
    built = createAuth0App(served.url, appOptions);
  } catch (err) {
    await served.stop();
    throw err;
  }
  const { app, tenant } = built;
  fetch = app.fetch;
  const { baseUrl, stop, ...controls } = tenant;
  return {
    ...controls,
    url: baseUrl,
    port: served.port,
    managementUrl: `${baseUrl}/api/v2`,
    setDown: served.setDown,
    async stop() {
      stop();
      await served.stop();
    },
  };
}

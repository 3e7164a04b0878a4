// A local stand-in for the Ory Kratos admin API (Olympus runs Kratos as SaaS,
// so there is nothing to run locally), following Kratos' published contract
// (routes in app.ts), served on 127.0.0.1. Tests drive faults (500/503,
// dropped connections, latency, "down") through the returned handle.
import { serveApp } from '../serve-app.ts';
import { createKratosAdminApp, type KratosAdmin, type KratosAdminAppOptions } from './app.ts';

export interface KratosAdminOptions extends KratosAdminAppOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
}

export interface KratosAdminHandle extends KratosAdmin {
  url: string;
  port: number;
  /** true: stop listening and drop open connections (clients get ECONNREFUSED); false: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startKratosAdmin(options: KratosAdminOptions = {}): Promise<KratosAdminHandle> {
  const { port, ...appOptions } = options;
  let fetch: ReturnType<typeof createKratosAdminApp>['app']['fetch'] | undefined;
  // Links and identity URLs carry the stand-in's own URL: listen first, then build the app.
  const served = await serveApp((req, env) => fetch!(req, env), port ?? 0);
  let built: ReturnType<typeof createKratosAdminApp>;
  try {
    built = createKratosAdminApp(served.url, appOptions);
  } catch (err) {
    await served.stop();
    throw err;
  }
  fetch = built.app.fetch;
  return { ...built.admin, url: served.url, port: served.port, setDown: served.setDown, stop: served.stop };
}

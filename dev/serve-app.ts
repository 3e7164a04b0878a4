// Serves a stand-in's Hono app on 127.0.0.1 with @hono/node-server, with the
// controls the node tests use: a stop that drops keep-alive connections, and
// "down" (stop listening, then listen again on the same port).
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import type { Server } from 'node:http';
import { closeServer, listenLocal } from './http-util.ts';

export type AppFetch = (request: Request, env: HttpBindings) => Response | Promise<Response>;

export interface ServedApp {
  url: string;
  port: number;
  /** true: stop listening and drop open connections (ECONNREFUSED); false: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function serveApp(fetch: AppFetch, port = 0): Promise<ServedApp> {
  const server = createAdaptorServer({
    fetch: (request, env) => fetch(request, env as HttpBindings),
    hostname: '127.0.0.1',
    // Keep Node's own Request/Response: the tests in the same process use fetch too.
    overrideGlobalObjects: false,
  }) as Server;
  server.keepAliveTimeout = 5_000;
  const bound = await listenLocal(server, port);
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    async setDown(down) {
      if (down) return closeServer(server);
      if (!server.listening) await listenLocal(server, bound);
    },
    stop: () => closeServer(server),
  };
}

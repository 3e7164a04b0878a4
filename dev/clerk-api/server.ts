// Serves the Clerk Backend API stand-in (app.ts) on 127.0.0.1, for the node
// tests, the demo and benchmarks. `url` is what a client puts where
// `https://api.clerk.com` would be.
import { serveApp } from '../serve-app.ts';
import { createClerkApp, type ClerkApi, type ClerkAppOptions } from './app.ts';

export interface ClerkApiHandle extends ClerkApi {
  url: string;
  port: number;
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startClerkApi(options: ClerkAppOptions & { port?: number } = {}): Promise<ClerkApiHandle> {
  const { port, ...appOptions } = options;
  const { app, api } = createClerkApp(appOptions);
  const served = await serveApp((req) => app.fetch(req), port ?? 0);
  return { ...api, url: served.url, port: served.port, setDown: served.setDown, stop: served.stop };
}

// A small demo app used as ORIGIN_URL behind the gateway (routes in app.ts),
// served on 127.0.0.1.
import { serveApp } from '../serve-app.ts';
import { createOriginApp, type OriginAppOptions } from './app.ts';

export interface OriginOptions extends OriginAppOptions {
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface OriginHandle {
  url: string;
  port: number;
  /** Requests served, by path (for tests/benchmarks). */
  hits: Map<string, number>;
  stop(): Promise<void>;
}

export async function startOrigin(options: OriginOptions = {}): Promise<OriginHandle> {
  const { app, hits } = createOriginApp(options);
  const served = await serveApp(app.fetch, options.port ?? 0);
  return { url: served.url, port: served.port, hits, stop: served.stop };
}

// Local stand-in for Ory Hydra v2's admin API (routes in app.ts), served on
// 127.0.0.1, with the calls it received for tests and benchmarks to check
// what reached "Hydra".
import { serveApp } from '../serve-app.ts';
import { createHydraAdminApp, type HydraAdminAppOptions, type HydraAdminCall } from './app.ts';

export type { HydraAdminCall } from './app.ts';

export interface HydraAdminOptions extends HydraAdminAppOptions {
  /** 0 (default) picks a free port. */
  port?: number;
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

export async function startHydraAdmin(options: HydraAdminOptions = {}): Promise<HydraAdminHandle> {
  const { app, calls } = createHydraAdminApp(options);
  const served = await serveApp(app.fetch, options.port ?? 0);
  return {
    url: served.url,
    port: served.port,
    calls,
    revocations: () => calls.filter((c) => c.method === 'DELETE' && c.status === 204).map((c) => c.clientId!),
    stop: served.stop,
  };
}

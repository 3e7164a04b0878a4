/**
 * The Worker's bindings and per-request context variables, typed once so that
 * every route module shares one `Hono<AppEnv>` shape.
 */
import type { Principal } from './verify/principal.ts';
import type { GatewayConfig } from './config.ts';

/** String vars and secrets, as wrangler passes them (see docs/configuration.md). */
export interface Env {
  SWITCHBACK_KV: KVNamespace;
  [name: string]: unknown;
}

export interface AppVariables {
  config: GatewayConfig;
  principal: Principal | undefined;
  requestId: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

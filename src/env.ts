/**
 * The Worker's bindings and per-request context variables, typed once so that
 * every route module shares one `Hono<AppEnv>` shape.
 */
import type { Principal } from './verify/principal.ts';
import type { GatewayConfig } from './config.ts';

/** String vars and secrets, as wrangler passes them (see docs/configuration.md). */
export interface Env {
  SWITCHBACK_KV: KVNamespace;
  CONTROLLER: DurableObjectNamespace<import('./rollback/migration-controller.ts').MigrationController>;
  /** Optional: Workers Analytics Engine dataset for outcome history. */
  ANALYTICS?: AnalyticsEngineDataset;
  /** Optional: rate limiter for /login, /signup, /recovery per client. */
  LOGIN_RATE_LIMITER?: RateLimit;
  /** Optional: rate limiter for /callback per client. */
  CALLBACK_RATE_LIMITER?: RateLimit;
  /** Password migration hook: calls per identifier, and per end-user client (the hook refuses to run without them). */
  PASSWORD_HOOK_IDENTIFIER_LIMITER?: RateLimit;
  PASSWORD_HOOK_CLIENT_LIMITER?: RateLimit;
  /** The durable reconcile job started after a rollback (Cloudflare Workflows). */
  RECONCILE_WORKFLOW?: Workflow<import('./reconcile/reconcile-workflow.ts').ReconcileParams>;
  /**
   * The production gateway Worker's way to the controller Worker, which serves
   * the admin API, the console and the password migration hook
   * (src/routes/control-plane-forward.ts). Absent in the combined Worker, which
   * serves them itself.
   */
  CONTROL_PLANE?: Fetcher;
  /** Optional: send_email binding for oncall notifications. */
  ONCALL_EMAIL?: SendEmail;
  [name: string]: unknown;
}

export interface AppVariables {
  config: GatewayConfig;
  principal: Principal | undefined;
  requestId: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

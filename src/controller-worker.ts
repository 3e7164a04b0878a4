/**
 * switchback's controller Worker (deploy/wrangler.controller.toml): hosts the
 * rollback controller Durable Object and the reconcile Workflow, and serves
 * the control plane (admin API, console, password migration hook;
 * src/control-plane.ts). It has no public route: the gateway Worker
 * (src/proxy-worker.ts) forwards the control plane's paths through its
 * CONTROL_PLANE service binding and reaches the Durable Object by
 * `script_name` (issue 14: their code stays out of the gateway's upload).
 * Both Workers read the same variables and secrets (README "Deploy").
 */
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { configMiddleware } from './http/config-middleware.ts';
import { onUnhandledError, problem } from './http/problem.ts';
import { controlPlaneRoutes } from './control-plane.ts';

export { MigrationController } from './rollback/migration-controller.ts';
export { ReconcileWorkflow } from './reconcile/reconcile-workflow.ts';

const app = new Hono<AppEnv>();
app.use('*', configMiddleware);
app.route('/', controlPlaneRoutes);
app.all('*', (c) => problem(c, 'not_found', 'The switchback controller Worker serves only the admin API, the console and the password migration hook, through the gateway.'));
app.onError(onUnhandledError);

export default app;

/**
 * switchback, combined: the gateway with the control plane mounted in it, and
 * the controller Worker's classes, in one Worker. wrangler.toml runs this for
 * local dev, the runtime tests (runInDurableObject needs the Durable Object
 * class in the main worker) and the e2e. Production deploys two Workers
 * (src/proxy-worker.ts and src/controller-worker.ts; deploy/, README
 * "Deploy"): the same routes, split at src/http/control-plane-paths.ts.
 */
import { gatewayApp } from './gateway.ts';
import { controlPlaneRoutes } from './control-plane.ts';

export default gatewayApp(controlPlaneRoutes);
export { MigrationController } from './rollback/migration-controller.ts';
export { ReconcileWorkflow } from './reconcile/reconcile-workflow.ts';

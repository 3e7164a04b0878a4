/**
 * switchback, combined: the gateway (src/proxy-worker.ts) and the controller
 * Worker's classes (src/controller-worker.ts) in one Worker. wrangler.toml
 * runs this for local dev, the runtime tests (runInDurableObject needs the
 * Durable Object class in the main worker) and the e2e. Production deploys
 * the two halves separately (deploy/, README "Deploy").
 */
export { default } from './proxy-worker.ts';
export { MigrationController, ReconcileWorkflow } from './controller-worker.ts';

/**
 * switchback's controller Worker: hosts the rollback controller Durable
 * Object and the reconcile Workflow. In production the gateway Worker
 * (src/proxy-worker.ts) binds both by `script_name`
 * (deploy/wrangler.controller.toml), so their code stays out of the gateway's
 * upload (issue 14). It serves no routes of its own: every request reaches it
 * through the gateway's Durable Object stub.
 */
export { MigrationController } from './rollback/migration-controller.ts';
export { ReconcileWorkflow } from './reconcile/reconcile-workflow.ts';

export default {
  fetch(): Response {
    return new Response('not found: the switchback controller Worker is reached through the gateway\n', { status: 404 });
  },
} satisfies ExportedHandler;

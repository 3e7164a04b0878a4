/**
 * switchback's control plane: the admin API (/_switchback/api), the operator
 * console (/_switchback/console) and Ory Kratos's password migration hook.
 * Operators, the CLIs and Kratos call it; the apps' users never do. The
 * combined Worker (src/worker.ts) mounts these routes in the gateway; in
 * production the controller Worker (src/controller-worker.ts) serves them and
 * the gateway forwards their paths (src/http/control-plane-paths.ts) to it.
 */
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { admin } from './routes/admin.ts';
import { consoleRoutes } from './routes/console.ts';
import { PASSWORD_MIGRATION_PATH, passwordMigrationHook } from './routes/password-migration-hook.ts';
import { CONSOLE_PATH } from './console/console-assets.ts';
import { problem } from './http/problem.ts';

export const controlPlaneRoutes = new Hono<AppEnv>()
  .route('/', admin)
  .route('/', consoleRoutes)
  .route('/', passwordMigrationHook)
  // Another method on the hook's path is switchback's answer too, in both Workers, never the origin's.
  .all(PASSWORD_MIGRATION_PATH, (c) => problem(c, 'not_found', 'The password migration hook takes POST only.'))
  // The console's namespace is switchback's: an unknown page there is not the origin's.
  .all(`${CONSOLE_PATH}/*`, (c) => problem(c, 'not_found', 'No such console page.'));

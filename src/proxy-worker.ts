/**
 * switchback: the gateway Worker (the request path). A request flows
 *   route -> flag/state -> provider -> verify -> origin
 * (routes: login | callback | logout | admin | console | hooks | proxy)
 * through thin route modules mounted here; the core lives in src/.
 * This module never imports the controller Durable Object or the reconcile
 * Workflow (only their types): in production they run in their own Worker
 * (src/controller-worker.ts) that this one binds by `script_name`, which keeps
 * this upload small (issue 14). src/worker.ts combines both for dev and tests.
 */
import { Hono } from 'hono';
import type { AppEnv } from './env.ts';
import { configMiddleware } from './http/config-middleware.ts';
import { onUnhandledError } from './http/problem.ts';
import { health } from './routes/health.ts';
import { frontDoor } from './routes/front-door.ts';
import { wellKnown } from './routes/well-known.ts';
import { login } from './routes/login.ts';
import { callback } from './routes/callback.ts';
import { logout } from './routes/logout.ts';
import { admin } from './routes/admin.ts';
import { consoleRoutes } from './routes/console.ts';
import { hooks } from './routes/hooks.ts';
import { passwordMigrationHook } from './routes/password-migration-hook.ts';
import { proxy } from './routes/proxy.ts';

const app = new Hono<AppEnv>();

app.use('*', configMiddleware);
app.route('/', health);
app.route('/', frontDoor);
app.route('/', wellKnown);
app.route('/', login);
app.route('/', callback);
app.route('/', logout);
app.route('/', admin);
app.route('/', consoleRoutes);
app.route('/', hooks);
app.route('/', passwordMigrationHook);
app.route('/', proxy);

app.onError(onUnhandledError);

export default app;

/**
 * The gateway's Hono app: a request flows
 *   route -> flag/state -> provider -> verify -> origin
 * (routes: login | callback | logout | admin | console | hooks | proxy)
 * through thin route modules mounted here in order; the core lives in src/.
 *
 * `controlPlane` answers the admin API, the console and the password
 * migration hook (src/control-plane.ts): the routes themselves in the
 * combined Worker, a forward to the controller Worker in the production
 * gateway (src/proxy-worker.ts). It is mounted before `proxy`, the catch-all,
 * so those paths never reach the origin.
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
import { hooks } from './routes/hooks.ts';
import { proxy } from './routes/proxy.ts';

export function gatewayApp(controlPlane: Hono<AppEnv>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', configMiddleware);
  app.route('/', health);
  app.route('/', frontDoor);
  app.route('/', wellKnown);
  app.route('/', login);
  app.route('/', callback);
  app.route('/', logout);
  app.route('/', controlPlane);
  app.route('/', hooks);
  app.route('/', proxy);
  app.onError(onUnhandledError);
  return app;
}

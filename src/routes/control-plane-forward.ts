/**
 * The production gateway's control plane: the admin API, the console and the
 * password migration hook are answered by the controller Worker, reached
 * through the `CONTROL_PLANE` service binding (deploy/wrangler.proxy.toml).
 * The request goes as it came (method, URL, headers with CF-Connecting-IP,
 * body unread), so authentication, rate limits and audit happen there exactly
 * as in the combined Worker, and the answer comes back as it is.
 *
 * The controller Worker has no public route of its own (`workers_dev = false`,
 * `preview_urls = false`, no routes): this forward is the only way in. A
 * service binding call runs, by default, on the same thread of the same
 * server (https://developers.cloudflare.com/workers/runtime-apis/bindings/service-bindings/).
 *
 * Fail closed: without the binding the control plane is unreachable, and
 * every one of its paths answers 503 naming the binding; a failed call
 * answers 503 and is logged. Neither falls through to the origin.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { CONTROL_PLANE_PATHS } from '../http/control-plane-paths.ts';
import { problem } from '../http/problem.ts';
import { log } from '../core/log.ts';
import { invalidateFlagCache } from '../flag/kv-flag.ts';
import { resetLoginFlag } from '../flag/controller-flag.ts';

/**
 * After a successful admin change (any method but GET/HEAD under
 * /_switchback/api: a flag write, a rollback, drill outcomes, a pause...),
 * the gateway's isolate forgets its flag copies, as the combined Worker's
 * admin routes make it do: the control plane clears only its own isolate's.
 * Not a list of the routes that change the flag, which would drift from the
 * routes; the cost is one KV read after an admin call.
 */
const ADMIN_API = '/_switchback/api/';
const changes = (method: string) => method !== 'GET' && method !== 'HEAD';

async function forward(c: Context<AppEnv>): Promise<Response> {
  const controlPlane = c.env.CONTROL_PLANE;
  if (!controlPlane) {
    log('error', { event: 'control_plane_unbound', reason: 'misconfigured', path: c.req.path });
    return problem(c, 'misconfigured', 'The CONTROL_PLANE service binding (the controller Worker) is missing: deploy both Workers of deploy/ (README "Deploy").', { variable: 'CONTROL_PLANE' });
  }
  try {
    const res = await controlPlane.fetch(c.req.raw);
    if (res.ok && changes(c.req.method) && c.req.path.startsWith(ADMIN_API)) {
      invalidateFlagCache();
      resetLoginFlag();
    }
    return res;
  } catch (err) {
    log('error', { event: 'control_plane_failed', reason: 'control_plane_unreachable', path: c.req.path, error: String(err) });
    return problem(c, 'temporarily_unavailable', 'The switchback controller Worker could not be reached; try again shortly.');
  }
}

export const controlPlaneForward = new Hono<AppEnv>();
for (const path of CONTROL_PLANE_PATHS) controlPlaneForward.all(path, forward);

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
 * The admin calls that may change the flag (a flag write, a manual rollback,
 * drill outcomes that roll back): the control plane clears its own isolate's
 * flag copies, and the gateway, whose isolate serves /login and the proxy,
 * clears its own when one succeeds, as the combined Worker does, instead of
 * waiting out FLAG_CACHE_TTL_MS.
 */
const FLAG_CHANGING = /^\/_switchback\/api\/(?:flags\/[^/]+|rollback|drill-mode\/outcomes)$/;

async function forward(c: Context<AppEnv>): Promise<Response> {
  const controlPlane = c.env.CONTROL_PLANE;
  if (!controlPlane) {
    log('error', { event: 'control_plane_unbound', reason: 'misconfigured', path: c.req.path });
    return problem(c, 'misconfigured', 'The CONTROL_PLANE service binding (the controller Worker) is missing: deploy both Workers of deploy/ (README "Deploy").', { variable: 'CONTROL_PLANE' });
  }
  try {
    const res = await controlPlane.fetch(c.req.raw);
    if (c.req.method === 'POST' && res.ok && FLAG_CHANGING.test(c.req.path)) {
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

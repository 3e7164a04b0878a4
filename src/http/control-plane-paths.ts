/**
 * The control plane's paths: the admin API, the operator console and Ory
 * Kratos's password migration hook. They are not on the request path of the
 * apps behind the gateway, so in production they run in the controller Worker
 * (src/controller-worker.ts) beside the Durable Object they drive, and the
 * gateway Worker only forwards them through its `CONTROL_PLANE` service
 * binding (src/routes/control-plane-forward.ts). That keeps their code (admin
 * schemas, the rules' parser, the console's pages, the legacy admin API
 * clients) out of the upload every request runs (issue 14).
 *
 * Hono patterns. A route added under these paths is forwarded with no change
 * here; a route the control plane serves elsewhere would not be, and
 * test/runtime/control-plane-forward.test.ts fails until it is listed.
 * No imports: this module is in the gateway's bundle.
 */
export const CONTROL_PLANE_PATHS = [
  '/_switchback/api',
  '/_switchback/api/*',
  '/_switchback/console',
  '/_switchback/console/*',
  '/_switchback/hooks/password-migration',
] as const;

/**
 * switchback: the production gateway Worker (deploy/wrangler.proxy.toml), the
 * one every request of the apps runs. Its routes are the request path; the
 * control plane (admin API, console, password migration hook) is forwarded to
 * the controller Worker through the CONTROL_PLANE service binding, and the
 * controller Durable Object and the reconcile Workflow are bound by
 * `script_name`. This module imports neither the control plane's routes nor
 * the Durable Object or the Workflow (only their types), which keeps this
 * upload small (issue 14; test/node/proxy-bundle.test.ts checks it).
 * src/worker.ts combines everything in one Worker for dev and tests.
 */
import { gatewayApp } from './gateway.ts';
import { controlPlaneForward } from './routes/control-plane-forward.ts';

export default gatewayApp(controlPlaneForward);

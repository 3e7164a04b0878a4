/**
 * The front door: GET /_switchback is a small static page saying what this
 * gateway is and where to look next (health check, status API, docs), so a
 * newcomer who types the gateway's own path gets an answer instead of a 404.
 * Static on purpose: no configuration value, flag state or secret on it.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';

export const FRONT_DOOR_PATH = '/_switchback';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>switchback</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2em}</style>
</head>
<body>
<h1>switchback</h1>
<p>This is a switchback gateway: it sits in front of an app and routes sign-ins to the legacy identity provider (Auth0) or to Olympus (Ory Kratos + Hydra), behind a flag that a person or the rollback controller can flip back in seconds. Every other path is passed to the app behind it.</p>
<ul>
<li><a href="${FRONT_DOOR_PATH}/health">Health check</a> (<code>${FRONT_DOOR_PATH}/health</code>, no token needed)</li>
<li><a href="${FRONT_DOOR_PATH}/console">Operator console</a>: which provider serves sign-in, the rollback rules and their evidence, charts, the timeline, and the actions (sign in with an admin token or Cloudflare Access).</li>
<li>Status: <code>GET ${FRONT_DOOR_PATH}/api/status</code> needs an admin token (<code>Authorization: Bearer &lt;token&gt;</code>, see <code>ADMIN_TOKENS</code>): the flag, the rollback rules and what they measure.</li>
<li><a href="/login">Sign in</a> through whichever provider the flag chooses.</li>
<li>Documentation: <code>README.md</code>, <code>docs/configuration.md</code> and <code>docs/rollback-controller.md</code> in the switchback repository.</li>
</ul>
</body>
</html>
`;

const page = (c: Context<AppEnv>) => c.html(PAGE, 200, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });

export const frontDoor = new Hono<AppEnv>().get(FRONT_DOOR_PATH, page).get(`${FRONT_DOOR_PATH}/`, page);

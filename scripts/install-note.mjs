#!/usr/bin/env node
/**
 * postinstall: explains npm's EBADENGINE warnings in one line. npm checks
 * every package's `engines` against the Node that runs npm, and npm 11 can
 * neither filter one warning code nor check against another version (the
 * old `node-version` setting is gone; `loglevel=error` would hide every
 * warning, `engine-strict` makes them errors). wrangler, miniflare, vitest
 * and @sparticuz/chromium want Node >= 22, and the npm scripts run them on
 * the `node` devDependency (Node 22), so on an older Node the warnings are
 * expected. Plain JS: it runs before anything is compiled, on the Node that
 * npm put first on the PATH (node_modules/.bin/node, i.e. Node 22), so the
 * Node that ran npm is read from npm's user agent. stderr: npm 11 shows a
 * root install script's stderr, not its stdout.
 */
const agent = process.env.npm_config_user_agent ?? '';
const major = Number(/\bnode\/v(\d+)/.exec(agent)?.[1]);
if (Number.isInteger(major) && major < 22) {
  console.error(`switchback: the EBADENGINE warnings above are expected on Node ${major}: those tools need Node >= 22 and the npm scripts run them on the Node 22 installed as a devDependency.`);
}

/**
 * The console's browser files: Workers Static Assets (wrangler.toml
 * `[assets]`, directory src/console/static), served by Cloudflare before the
 * worker runs, so they are not part of the worker's bundle (issue 14: they
 * were 37 KiB of its 80 KB gzip budget as text modules) and a proxied
 * request never parses them. They are public, as before: the page that
 * loads them is what the console's sign-in guards.
 *
 * Fixed names, no digest: Workers Static Assets answer with an ETag and
 * `cache-control: public, max-age=0, must-revalidate`, so a browser
 * revalidates each load (a 304 while unchanged) and a new release is seen at
 * once. `_headers` in the directory adds nosniff.
 *
 * uPlot (MIT, https://github.com/leeoniya/uPlot) draws the charts: about
 * 50 KB minified, no dependencies, canvas-based (fast on phones). The copy
 * under static/ is the npm package's dist file (test/unit/console-static.test.ts
 * checks they are the same).
 */
export const CONSOLE_PATH = '/_switchback/console';
export const CONSOLE_ASSET_DIR = `${CONSOLE_PATH}/assets`;

export const CONSOLE_ASSETS = {
  app: { path: `${CONSOLE_ASSET_DIR}/console.client.js` },
  charts: { path: `${CONSOLE_ASSET_DIR}/console-charts.client.js` },
  css: { path: `${CONSOLE_ASSET_DIR}/console.client.css` },
  uplot: { path: `${CONSOLE_ASSET_DIR}/uPlot.iife.min.js` },
  uplotCss: { path: `${CONSOLE_ASSET_DIR}/uPlot.min.css` },
} as const;

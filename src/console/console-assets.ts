/**
 * The console's browser files, bundled into the worker as text (the `Text`
 * module rule in wrangler.toml): no separate deployment, no build step. Each
 * is served under a name carrying a digest of its content, so browsers may
 * cache it for a year and a new release is fetched at once.
 *
 * uPlot (MIT, https://github.com/leeoniya/uPlot) draws the charts: about
 * 50 KB minified, no dependencies, canvas-based (fast on phones).
 */
import appJs from './client/console.client.js';
import appCss from './client/console.client.css';
import chartsJs from './client/console-charts.client.js';
import uplotJs from 'uplot/dist/uPlot.iife.min.js';
import uplotCss from 'uplot/dist/uPlot.min.css';

export interface ConsoleAsset {
  path: string;
  body: string;
  type: string;
}

/** FNV-1a, 32 bits: a cache-busting digest, not a security boundary. */
function digest(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export const CONSOLE_PATH = '/_switchback/console';
const ASSET_DIR = `${CONSOLE_PATH}/assets`;

function asset(name: string, ext: 'js' | 'css', body: string): ConsoleAsset {
  return { path: `${ASSET_DIR}/${name}.${digest(body)}.${ext}`, body, type: ext === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8' };
}

export const CONSOLE_ASSETS = {
  app: asset('console', 'js', appJs),
  charts: asset('console-charts', 'js', chartsJs),
  css: asset('console', 'css', appCss),
  uplot: asset('uplot', 'js', uplotJs),
  uplotCss: asset('uplot', 'css', uplotCss),
} as const;

const BY_PATH = new Map<string, ConsoleAsset>(Object.values(CONSOLE_ASSETS).map((a) => [a.path, a]));

export function consoleAsset(path: string): ConsoleAsset | undefined {
  return BY_PATH.get(path);
}

/**
 * The console's browser files are Workers Static Assets (issue 14), served
 * from src/console/static by path: every file the page names must be there
 * under that path, and the vendored uPlot must be the npm package's own file
 * (an upgrade of the `uplot` dependency that forgets the copy fails here).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONSOLE_ASSETS } from '../../src/console/console-assets.ts';

const STATIC_DIR = fileURLToPath(new URL('../../src/console/static', import.meta.url));
const read = (path: string) => readFileSync(`${STATIC_DIR}${path}`);

describe('console static assets', () => {
  it.each(Object.entries(CONSOLE_ASSETS))('%s is in the assets directory at its URL path', (_name, asset) => {
    expect(existsSync(`${STATIC_DIR}${asset.path}`)).toBe(true);
  });

  it.each([
    [CONSOLE_ASSETS.uplot.path, 'uplot/dist/uPlot.iife.min.js'],
    [CONSOLE_ASSETS.uplotCss.path, 'uplot/dist/uPlot.min.css'],
  ])('%s is the uplot package\'s %s', (path, npmFile) => {
    const fromPackage = readFileSync(fileURLToPath(import.meta.resolve(npmFile)));
    expect(read(path).equals(fromPackage)).toBe(true);
  });
});

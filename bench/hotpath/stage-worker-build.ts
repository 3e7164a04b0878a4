// Bundles the bench-only stage worker (stage-worker.ts) with esbuild, the
// bundler wrangler uses, into .wrangler/hotpath/: it never enters the
// deployed worker.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../dev/stack.ts';

export async function buildStageWorker(): Promise<{ path: string; bindings: Record<string, string> }> {
  const outfile = join(REPO_ROOT, '.wrangler', 'hotpath', 'stage-worker.js');
  await build({
    entryPoints: [join(REPO_ROOT, 'bench', 'hotpath', 'stage-worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2024',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
    // The console's browser files, as wrangler.toml's [[rules]] Text bundles them.
    plugins: [
      {
        name: 'text-modules',
        setup(b) {
          b.onLoad({ filter: /(\.client\.(js|css)|uPlot\.iife\.min\.js|uPlot\.min\.css)$/ }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
        },
      },
    ],
  });
  return { path: outfile, bindings: {} };
}

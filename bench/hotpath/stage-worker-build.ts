// Bundles the bench-only stage worker (stage-worker.ts) with esbuild, the
// bundler wrangler uses, into .wrangler/hotpath/: it never enters the
// deployed worker.
import { build } from 'esbuild';
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
  });
  return { path: outfile, bindings: {} };
}

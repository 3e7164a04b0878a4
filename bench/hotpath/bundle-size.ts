// Builds the worker exactly as a deploy would (`wrangler deploy --dry-run`)
// and reports what would be uploaded: wrangler's own "Total Upload" line and
// each module's gzip size, against the 80 KB gzip target.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../dev/stack.ts';

export const BUILT_DIR = join(REPO_ROOT, '.wrangler', 'dry-run');
export const BUNDLE_TARGET_GZIP_KB = 80;

export interface BundleSize {
  /** wrangler's line, e.g. "Total Upload: 810.59 KiB / gzip: 209.44 KiB". */
  wranglerLine: string;
  /** wrangler's gzip figure, KiB. */
  gzipKiB: number;
  rawKiB: number;
  modules: { file: string; rawBytes: number; gzipBytes: number }[];
}

export function buildWorker(): string {
  return execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', BUILT_DIR], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function measureBundle(buildOutput: string): BundleSize {
  const line = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(buildOutput);
  const modules = readdirSync(BUILT_DIR)
    .filter((f) => !f.endsWith('.map') && f !== 'README.md')
    .map((file) => {
      const bytes = readFileSync(join(BUILT_DIR, file));
      return { file, rawBytes: bytes.length, gzipBytes: gzipSync(bytes).length };
    })
    .sort((a, b) => b.gzipBytes - a.gzipBytes);
  return { wranglerLine: line?.[0] ?? 'Total Upload: (not printed)', rawKiB: Number(line?.[1] ?? NaN), gzipKiB: Number(line?.[2] ?? NaN), modules };
}

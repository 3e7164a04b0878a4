// Freezes the worker's source for the length of a run: wrangler dev rebuilds
// and restarts workerd whenever a watched file changes, which would drop the
// caches being measured and mix two versions of the gateway into one table.
// The copy (src/, wrangler.toml) lives in gitignored bench-results/,
// so module resolution still finds the repo's node_modules. Also records
// which commit, and which uncommitted changes, the figures belong to.
import { execFileSync } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../dev/stack.ts';

const COPIED = ['src', 'wrangler.toml'];
export const SNAPSHOT_DIR = 'bench-results/worker-snapshot';

export interface SourceInfo {
  commit: string;
  /** `git status --porcelain` lines for the copied paths: figures from a dirty tree say so. */
  uncommitted: string[];
  /** Where wrangler dev read the worker from. */
  workerDir: string;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return '';
  }
}

export function sourceInfo(workerDir: string): SourceInfo {
  return {
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    uncommitted: git(['status', '--porcelain', '--', ...COPIED]).split('\n').filter(Boolean),
    workerDir,
  };
}

/** Copies the worker source (into `snapshotDir`, relative to the repo root) and returns the path of the copied wrangler.toml. */
export async function snapshotWorker(snapshotDir = SNAPSHOT_DIR): Promise<string> {
  const dir = join(REPO_ROOT, snapshotDir);
  await rm(dir, { recursive: true, force: true });
  for (const entry of COPIED) await cp(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  return join(dir, 'wrangler.toml');
}

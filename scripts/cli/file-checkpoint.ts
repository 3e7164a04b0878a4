/**
 * The reconcile checkpoint on disk: written atomically (temp file + rename)
 * after every page and before every email, so a crash leaves either the old
 * or the new state, never half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Checkpoint, CheckpointStore } from '../../src/reconcile/reconcile-run.ts';
import type { ReconcileWindow } from '../../src/reconcile/reconcile-window.ts';

export function defaultCheckpointPath(w: ReconcileWindow, dryRun: boolean): string {
  const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '');
  return join('.switchback', `reconcile-${stamp(w.from)}-${stamp(w.to)}${dryRun ? '-dry-run' : ''}.checkpoint.json`);
}

export function fileCheckpoint(path: string): CheckpointStore {
  return {
    async load() {
      try {
        const cp = JSON.parse(await readFile(path, 'utf8')) as Checkpoint;
        if (cp.schema !== 'switchback.reconcile.checkpoint.v1') throw new Error(`${path} is not a reconcile checkpoint`);
        return cp;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async save(cp) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(cp));
      await rename(tmp, path);
    },
  };
}

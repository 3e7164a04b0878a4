/**
 * A journal (src/reconcile/journal.ts) in a JSON-lines file: one event per
 * line, appended through one open handle, so each step costs one small
 * write. Compaction writes a temp file and renames it over the journal.
 */
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJsonLines, type Journal } from '../../src/reconcile/journal.ts';

export function fileJournal<E>(path: string, what = path): Journal<E> & { close(): Promise<void> } {
  let handle: FileHandle | undefined;
  const ensure = async () => {
    if (handle) return handle;
    await mkdir(dirname(path), { recursive: true });
    handle = await open(path, 'a');
    return handle;
  };
  return {
    async read() {
      try {
        return parseJsonLines<E>(await readFile(path, 'utf8'), what);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    async append(...events) {
      if (events.length === 0) return;
      const h = await ensure();
      await h.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    },
    async rewrite(events) {
      await mkdir(dirname(path), { recursive: true });
      await handle?.close();
      handle = undefined;
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await rename(tmp, path);
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}

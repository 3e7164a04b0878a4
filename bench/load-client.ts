// Main-thread handle on the load-generator thread (load-worker.ts): one
// worker for the whole run, one load phase at a time.
import { Worker } from 'node:worker_threads';
import type { LoadResult, LoadSpec } from './load-types.ts';

type Reply = { id: number; result?: LoadResult; error?: string };

export class LoadClient {
  readonly #worker = new Worker(new URL('./load-worker.ts', import.meta.url));
  readonly #waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor() {
    this.#worker.on('message', (m: Reply) => {
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`load worker: ${m.error}`));
      else w.resolve(m.result!);
    });
    this.#worker.on('error', (err) => {
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    });
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, spec });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

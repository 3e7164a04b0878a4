// Starts the load generator in a process of its own, pinned with taskset to
// the last core when the machine has more than one (the runtime and the
// origin get the others), and runs one load phase at a time through it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from '../load-types.ts';

type Reply = { id: number; result?: LoadResult; error?: string };

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Cores for the load generator and for everything else, or undefined when pinning is not possible. */
export function corePlan(): { load: number; rest: string } | undefined {
  const n = cpus().length;
  if (n < 2 || !hasTaskset()) return undefined;
  return { load: n - 1, rest: n === 2 ? '0' : `0-${n - 2}` };
}

/** Pins a running process (every thread) to the given cores; false when taskset refuses. */
export function pin(pid: number, cores: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' }).status === 0;
}

export class LoadProcess {
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  #next = 0;
  readonly pinnedTo: number | undefined;

  constructor(core: number | undefined) {
    const entry = fileURLToPath(new URL('./load-process.ts', import.meta.url));
    const node = [process.execPath, '--import', 'tsx', entry];
    const [cmd, ...args] = core === undefined ? node : ['taskset', '-c', String(core), ...node];
    this.#child = spawn(cmd!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pinnedTo = core;
    this.#child.on('message', (m: Reply) => {
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`load process: ${m.error}`));
      else w.resolve(m.result!);
    });
    this.#child.on('exit', (code) => {
      for (const w of this.#waiting.values()) w.reject(new Error(`load process exited (${code})`));
      this.#waiting.clear();
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  run(spec: LoadSpec): Promise<LoadResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#child.send({ id, spec });
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.disconnect();
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

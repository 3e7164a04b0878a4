// Runs the gateway under `wrangler dev` as a child process group, waits until
// it answers its health endpoint, keeps its recent output for error reports,
// and kills the whole group on stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { node22 } from './node-binary.ts';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WranglerDevOptions {
  /** Repository root (cwd of wrangler). */
  root: string;
  /**
   * wrangler config path, relative to root or absolute; several run as one
   * `wrangler dev -c a -c b` session (the first is the Worker that serves requests).
   */
  config: string | readonly string[];
  port: number;
  inspectorPort: number;
  envFile: string;
  persistTo: string;
  logLevel: 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none';
  /** Path polled until it answers 200. */
  healthPath: string;
  healthTimeoutMs: number;
  /** Copy wrangler's output to this process' stdout/stderr (prefixed). */
  echoOutput: boolean;
  /** Called as soon as the process exists, before it is healthy, so a caller can stop it during startup. */
  onSpawn?: (handle: WranglerDevHandle) => void;
}

export interface WranglerDevHandle {
  url: string;
  pid: number;
  /** The last ~64 KB of wrangler's combined output. */
  output(): string;
  /** Resolves with a description when the wrangler process exits (for any reason). */
  exited: Promise<string>;
  stop(): Promise<void>;
}

const MAX_OUTPUT = 64 * 1024;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) {
    killGroup(child, 'SIGKILL');
    await exited;
  }
}

/** Synchronous best-effort kill for process 'exit' handlers. */
export function killWranglerNow(handle: WranglerDevHandle): void {
  try {
    process.kill(-handle.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function startWranglerDev(opts: WranglerDevOptions): Promise<WranglerDevHandle> {
  const wranglerJs = join(opts.root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  const args = [
    wranglerJs,
    'dev',
    ...[opts.config].flat().flatMap((c) => ['--config', c]),
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--inspector-port', String(opts.inspectorPort),
    '--env-file', opts.envFile,
    '--persist-to', opts.persistTo,
    '--log-level', opts.logLevel,
    '--show-interactive-dev-session=false',
  ];
  const child = spawn(node22(), args, {
    cwd: opts.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
      // Offline-friendly: use miniflare's placeholder Request.cf instead of fetching it.
      CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
    },
  });
  let output = '';
  const record = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const raw = chunk.toString('utf8');
    const plain = raw.replace(ANSI, '');
    output = (output + plain).slice(-MAX_OUTPUT);
    if (opts.echoOutput) {
      const target = stream === 'stdout' ? process.stdout : process.stderr;
      target.write((target.isTTY ? raw : plain).replace(/^(?=.)/gm, '[gateway] '));
    }
  };
  child.stdout!.on('data', record('stdout'));
  child.stderr!.on('data', record('stderr'));

  let exitInfo: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = `wrangler dev exited (code ${code}, signal ${signal})`;
      resolve(exitInfo);
    });
  });

  const url = `http://127.0.0.1:${opts.port}`;
  const handle: WranglerDevHandle = {
    url,
    pid: child.pid!,
    output: () => output,
    exited,
    stop: () => stopChild(child),
  };
  opts.onSpawn?.(handle);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});

  const deadline = Date.now() + opts.healthTimeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exitInfo) break;
    try {
      const res = await Promise.race([
        fetch(`${url}${opts.healthPath}`, { signal: AbortSignal.timeout(2_000) }),
        spawnError,
      ]);
      await res.arrayBuffer();
      if (res.status === 200) return handle;
      lastProblem = `${opts.healthPath} answered ${res.status}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await sleep(250);
  }
  await stopChild(child);
  const why = exitInfo ?? `gateway not healthy after ${opts.healthTimeoutMs} ms (${lastProblem})`;
  throw new Error(`${why}\n--- wrangler output ---\n${output.trim() || '(none)'}`);
}

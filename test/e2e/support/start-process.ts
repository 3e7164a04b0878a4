/**
 * Runs `npm start` (scripts/start.ts under tsx, with the repo's Node 22) as
 * its own process group on free high ports, records its output, and watches
 * the gateway port while it runs. A run ends when the process exits, or is
 * stopped (SIGTERM, bounded) once its "switchback is running" banner appears,
 * so a test can tell "served" from "refused to start" without a long timeout.
 */
import { execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../../../dev/stack.ts';
import { getFreePort } from '../../../dev/free-port.ts';
import { tsxCommand } from '../../../dev/node-binary.ts';

export const RUNNING_BANNER = 'switchback is running';

export interface StartRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  gatewayPort: number;
  /** True when something accepted a TCP connection on the gateway port during the run. */
  gatewayAnswered: boolean;
  durationMs: number;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await getFreePort());
  return [...ports];
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port` right now. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** What is left of a process group, for the report of a run that timed out. */
function processGroup(pgid: number): string {
  try {
    return execFileSync('ps', ['-o', 'pid,stat,etime,args', '-g', String(pgid)], { encoding: 'utf8' });
  } catch {
    return '(ps failed)';
  }
}

export interface StartOptions {
  /** Set in npm start's environment under their own names (not the SWITCHBACK_VAR_ alias). */
  env?: Record<string, string>;
  /** Command line arguments after `npm start --`. */
  args?: string[];
  /** Runs once the banner is out, before the SIGTERM; gets the output so far. */
  whileRunning?: (output: () => string, gatewayPort: number) => Promise<void>;
}

/** Starts `npm start` with `vars` as SWITCHBACK_VAR_* overrides and waits (bounded) for it to end. */
export async function runStart(vars: Record<string, string>, timeoutMs = 100_000, options: StartOptions = {}): Promise<StartRun> {
  const [gatewayPort, originPort, auth0Port, olympusPort, auth0ApiPort, kratosAdminPort, mailPort] = await distinctFreePorts(7);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHBACK_VAR_') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, {
    GATEWAY_PORT: String(gatewayPort),
    ORIGIN_PORT: String(originPort),
    AUTH0_PORT: String(auth0Port),
    OLYMPUS_PORT: String(olympusPort),
    AUTH0_API_PORT: String(auth0ApiPort),
    KRATOS_ADMIN_PORT: String(kratosAdminPort),
    MAIL_PORT: String(mailPort),
    WRANGLER_SEND_METRICS: 'false',
    NO_COLOR: '1',
  });
  for (const [k, v] of Object.entries(vars)) env[`SWITCHBACK_VAR_${k}`] = v;
  Object.assign(env, options.env);

  const started = Date.now();
  const [node, ...args] = tsxCommand('scripts/start.ts', options.args ?? []);
  const child = spawn(node!, args, {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => {
      output += `\nspawn error: ${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((r) => (done = r));

  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };

  let gatewayAnswered = false;
  try {
    const deadline = started + timeoutMs;
    while (!done && Date.now() < deadline && !output.includes(RUNNING_BANNER)) {
      if (!gatewayAnswered && (await portAnswers(gatewayPort))) gatewayAnswered = true;
      await Promise.race([exited, sleep(100)]);
    }
    if (!done && !gatewayAnswered) gatewayAnswered = await portAnswers(gatewayPort);
    if (!done && output.includes(RUNNING_BANNER) && options.whileRunning) await options.whileRunning(() => output, gatewayPort);
  } finally {
    if (!done && !output.includes(RUNNING_BANNER)) output += `\n--- still running after ${Date.now() - started} ms ---\n${processGroup(child.pid!)}`;
    if (!done) {
      killGroup('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!stopped) {
        killGroup('SIGKILL');
        await exited;
      }
    }
  }
  const result = await exited;
  return { ...result, output, gatewayPort, gatewayAnswered, durationMs: Date.now() - started };
}

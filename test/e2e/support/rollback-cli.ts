/**
 * Runs the rollback command as an operator does, in a child process: either
 * `node_modules/.bin/tsx scripts/rollback.ts` under the repo's Node 22 or the
 * `bin/switchback` launcher. The environment is cleaned of the command's own
 * variables (SWITCHBACK_*, HYDRA_ADMIN_URL, OLYMPUS_CLIENT_ID) so only what
 * a test passes counts. Also provides the admin-token set the tests and the
 * benchmark configure (ADMIN_TOKENS with one token per role).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../dev/stack.ts';
import { node22 } from '../../../dev/node-binary.ts';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr. */
  output: string;
  /** Wall-clock time of the child process, spawn to exit. */
  wallMs: number;
}

export interface CliStep {
  step: number;
  id: string;
  title: string;
  status: 'OK' | 'FAILED' | 'SKIPPED';
  ms: number;
  detail: string;
  required: boolean;
}

/** The --json document. */
export interface CliReport {
  ok: boolean;
  exit_code: number;
  rolled_back: boolean | null;
  already_on_auth0: boolean | null;
  steps: CliStep[];
  messages: string[];
  overlap: { rollback_at: string; ends_at: string; seconds_left: number } | null;
  total_ms: number;
  target_ms: number;
}

const OWN_VARS = /^(SWITCHBACK_|HYDRA_ADMIN_URL$|OLYMPUS_CLIENT_ID$|NODE_OPTIONS$)/;

/** The exact command line of a tsx run, for reports. */
export function cliCommand(args: string[]): string[] {
  return [node22(), join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), 'scripts/rollback.ts', ...args];
}

export async function runRollbackCli(args: string[], env: Record<string, string> = {}, options: { via?: 'tsx' | 'bin'; timeoutMs?: number } = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OWN_VARS.test(k)) childEnv[k] = v;
  Object.assign(childEnv, { NO_COLOR: '1' }, env);
  const [cmd, ...cmdArgs] = options.via === 'bin' ? [join(REPO_ROOT, 'bin', 'switchback'), 'rollback', ...args] : cliCommand(args);
  const started = Date.now();
  const child = spawn(cmd!, cmdArgs, { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (c, s) => resolve({ code: c, signal: s }));
    child.once('error', (err) => {
      stderr += `\nspawn error: ${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr, output: stdout + stderr, wallMs: Date.now() - started };
}

/** Parses the --json document of a run, with the whole output in the error when it is not there. */
export function jsonReport(run: CliRun): CliReport {
  try {
    return JSON.parse(run.stdout) as CliReport;
  } catch {
    throw new Error(`rollback --json printed no JSON document (exit ${run.code}):\n${run.output}`);
  }
}

export interface AdminTokenSet {
  engLead: string;
  oncall: string;
  viewer: string;
  /** The ADMIN_TOKENS value (names test-eng-lead, test-oncall, test-viewer). */
  adminTokensVar: string;
}

/** Fresh tokens, one per role; only their SHA-256 goes into the gateway's configuration. */
export function adminTokenSet(): AdminTokenSet {
  const token = (role: string) => `sbadm_${role}_${randomBytes(24).toString('base64url')}`;
  const set = { engLead: token('lead'), oncall: token('oncall'), viewer: token('viewer') };
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  const entries = [
    { name: 'test-eng-lead', role: 'eng-lead', sha256: sha(set.engLead) },
    { name: 'test-oncall', role: 'oncall', sha256: sha(set.oncall) },
    { name: 'test-viewer', role: 'viewer', sha256: sha(set.viewer) },
  ];
  return { ...set, adminTokensVar: JSON.stringify(entries) };
}

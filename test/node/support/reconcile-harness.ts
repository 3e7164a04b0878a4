/**
 * Harness for the `switchback reconcile` end-to-end tests and benchmark: the
 * Kratos admin and Auth0 stand-ins on 127.0.0.1, a temp directory for the
 * checkpoint and report, and the CLI run as an operator runs it, in a child
 * process under the repo's Node 22 (`node_modules/node/bin/node
 * node_modules/.bin/tsx scripts/reconcile.ts`), with its own configuration
 * variables removed from the environment so only what a test passes counts.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle, type Auth0ApiOptions, type StoredUser } from '../../../dev/auth0-api/index.ts';
import { startKratosAdmin, type KratosAdminHandle, type KratosAdminOptions, type KratosIdentity } from '../../../dev/kratos-admin/index.ts';
import { tsxCommand } from '../../../dev/node-binary.ts';
import type { Report, ReportLine } from '../../../src/reconcile/reconcile-report.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const WINDOW = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' } as const;
/** A Management API limit high enough not to matter (the default is the Free tier's 2/s). */
export const FAST_LIMIT = { limit: 5000, perSeconds: 1 } as const;

/** The exact command line, for reports and the benchmark. */
export function reconcileCommand(args: string[]): string[] {
  return tsxCommand(join(REPO_ROOT, 'scripts', 'reconcile.ts'), args);
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  output: string;
  wallMs: number;
  /** Set when the run was SIGKILLed by `killWhen` or `killOn`. */
  killed: boolean;
}

/** The command's own variables: removed so the test's flags are all that counts. */
const OWN_VARS = /^(SWITCHBACK_|KRATOS_ADMIN_URL$|AUTH0_|USER_MAIL|STATUS_|COGNITO_|LEGACY_PROVIDER$|NODE_OPTIONS$)/;

export interface RunOptions {
  cwd: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** SIGKILLs the child (its whole process group) once this returns true for the stderr seen so far… */
  killWhen?: (stderr: string) => boolean;
  /** …this many milliseconds later (default 0). */
  killDelayMs?: number;
  /** SIGKILLs the child (its process group) when this settles. */
  killOn?: Promise<unknown>;
}

export async function runReconcile(args: string[], o: RunOptions): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!OWN_VARS.test(k)) env[k] = v;
  Object.assign(env, { NO_COLOR: '1' }, o.env ?? {});
  const [cmd, ...rest] = reconcileCommand(args);
  const started = Date.now();
  // Own process group: tsx runs the script in a child node process, so a kill
  // must reach the group (SIGKILL of the tsx process alone leaves the run going).
  const child = spawn(cmd!, rest, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let exited = false;
  const killGroup = () => {
    if (exited) return; // never signal a process group id that may have been reused
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    if (!killed && o.killWhen?.(stderr)) {
      killed = true;
      if (o.killDelayMs) setTimeout(killGroup, o.killDelayMs);
      else killGroup();
    }
  });
  void o.killOn?.finally(() => {
    if (killed) return;
    killed = true;
    killGroup();
  });
  const timer = setTimeout(killGroup, o.timeoutMs ?? 60_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (c, s) => {
      exited = true;
      resolve({ code: c, signal: s });
    });
    child.once('error', (err) => {
      exited = true;
      stderr += `\nspawn error: ${err.message}`;
      resolve({ code: null, signal: null });
    });
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr, output: `${stdout}\n${stderr}`, wallMs: Date.now() - started, killed };
}

export interface Fixture {
  kratos: KratosAdminHandle;
  auth0: Auth0ApiHandle;
  /** Temp directory: the CLI's cwd, checkpoint and report. */
  dir: string;
  /** Every flag the CLI needs, window included; `extra` comes last. */
  args(extra?: string[]): string[];
  run(extra?: string[], o?: Omit<RunOptions, 'cwd'>): Promise<CliRun>;
  report(name?: string): Promise<Report>;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  identities: Iterable<KratosIdentity>;
  kratos?: Omit<KratosAdminOptions, 'identities'>;
  /** Default: rateLimit FAST_LIMIT (pass one to override), import jobs finishing in 5 + 10 ms. */
  auth0?: Auth0ApiOptions;
}

export async function startFixture(o: FixtureOptions): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'switchback-reconcile-'));
  const kratos = await startKratosAdmin({ ...o.kratos, identities: o.identities });
  const auth0 = await startAuth0Api({ rateLimit: FAST_LIMIT, importJobs: { pendingMs: 5, processingMs: 10 }, ...o.auth0 });
  const args = (extra: string[] = []) => [
    '--from', WINDOW.from,
    '--to', WINDOW.to,
    '--kratos-admin-url', kratos.url,
    '--auth0-management-url', auth0.managementUrl,
    '--auth0-mgmt-client-id', DEFAULT_AUTH0_CLIENT.client_id,
    '--auth0-mgmt-client-secret', DEFAULT_AUTH0_CLIENT.client_secret,
    '--auth0-connection', auth0.connection.name,
    '--checkpoint', join(dir, 'checkpoint.json'),
    '--report', join(dir, 'report.json'),
    ...extra,
  ];
  return {
    kratos,
    auth0,
    dir,
    args,
    run: (extra = [], ro = {}) => runReconcile(args(extra), { ...ro, cwd: dir }),
    report: async (name = 'report.json') => JSON.parse(await readFile(join(dir, name), 'utf8')) as Report,
    async stop() {
      await Promise.allSettled([kratos.stop(), auth0.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `args` without the given flags and their values (e.g. to leave out a required one). */
export function without(args: string[], ...flags: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    if (flags.includes(args[k]!)) k++;
    else out.push(args[k]!);
  }
  return out;
}

/** Identities the window selects (inclusive ends, like the command). */
export function inWindow(list: readonly KratosIdentity[]): KratosIdentity[] {
  const from = Date.parse(WINDOW.from);
  const to = Date.parse(WINDOW.to);
  return list.filter((i) => Date.parse(i.created_at) >= from && Date.parse(i.created_at) <= to);
}

export const hashOf = (i: KratosIdentity): string | undefined => (i.credentials?.password?.config as { hashed_password?: string } | undefined)?.hashed_password;
export const isLegacy = (i: KratosIdentity): boolean => typeof i.metadata_admin?.legacy_auth0_id === 'string';

/** Calls that change something in Auth0 (users, jobs, emails); /oauth/token and reads are not writes. */
export function writeCalls(auth0: Auth0ApiHandle) {
  return auth0.calls.filter((c) => c.method !== 'GET' && c.path !== '/oauth/token');
}

/** Lines by status. */
export function byStatus(report: Report): Record<string, ReportLine[]> {
  const out: Record<string, ReportLine[]> = {};
  for (const l of report.lines) (out[l.status] ??= []).push(l);
  return out;
}

/**
 * What a reconcile leaves in Auth0, independent of run ids and generated user
 * ids: each user's profile fields, app_metadata (without the run id), the
 * credential kind and value, and the number of reset emails per address.
 */
export function auth0State(auth0: Auth0ApiHandle) {
  const users = [...auth0.users.values()].map((u: StoredUser) => {
    // Run ids differ between runs: only whether a run claimed the reset email is compared.
    const { reconcile_run: _run, reset_claimed_by: claimedBy, ...meta } = (u.profile.app_metadata ?? {}) as Record<string, unknown>;
    if (claimedBy !== undefined) meta.reset_claimed = true;
    const cred = u.credential;
    return {
      email: u.profile.email,
      name: u.profile.name,
      given_name: u.profile.given_name,
      family_name: u.profile.family_name,
      email_verified: u.profile.email_verified,
      app_metadata: meta,
      credential: cred?.kind === 'password' ? 'password' : cred?.kind === 'password_hash' ? `bcrypt:${cred.hash}` : cred?.kind === 'custom_password_hash' ? `${cred.custom.algorithm}:${cred.custom.hash.value}` : 'none',
    };
  });
  users.sort((a, b) => a.email.localeCompare(b.email));
  const emails: Record<string, number> = {};
  for (const e of auth0.emails) {
    const k = `${e.kind}:${e.to}`;
    emails[k] = (emails[k] ?? 0) + 1;
  }
  return { users, emails };
}

/** The "Auth0 API: N calls, M rate-limited, W ms waited" line the command prints. */
export function apiStats(output: string): { calls: number; rateLimited: number; waitedMs: number } | undefined {
  const m = /Auth0 API: (\d+) calls, (\d+) rate-limited, (\d+) ms waited/.exec(output);
  return m ? { calls: Number(m[1]), rateLimited: Number(m[2]), waitedMs: Number(m[3]) } : undefined;
}

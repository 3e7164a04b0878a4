/**
 * Harness for the `switchback mirror` tests and benchmark: the Kratos admin
 * and Auth0 stand-ins on 127.0.0.1, a temp directory for the journal, the
 * mirror run in-process (startMirrorProcess, the same module `npm run
 * mirror` runs) or as the real command in a child process (to SIGKILL it),
 * and signups made the way Kratos makes them: the identity stored, then the
 * after-registration web hook posted to the mirror.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle, type Auth0ApiOptions } from '../../../dev/auth0-api/index.ts';
import { makeIdentities, startKratosAdmin, type KratosAdminHandle, type KratosIdentity } from '../../../dev/kratos-admin/index.ts';
import { identityView } from '../../../dev/kratos-admin/identity-view.ts';
import { tsxCommand } from '../../../dev/node-binary.ts';
import { Auth0ManagementClient } from '../../../src/reconcile/auth0-management-client.ts';
import { Auth0Target } from '../../../src/reconcile/auth0-target.ts';
import { KratosAdminClient } from '../../../src/reconcile/kratos-admin-client.ts';
import { startMirrorProcess, type MirrorProcess, type MirrorProcessOptions } from '../../../scripts/mirror/mirror-process.ts';
import { FAST_LIMIT, REPO_ROOT } from './reconcile-harness.ts';

export const HOOK_TOKEN = 'mirror-hook-token-for-tests';

export interface MirrorFixture {
  kratos: KratosAdminHandle;
  auth0: Auth0ApiHandle;
  dir: string;
  journalPath: string;
  target(): Auth0Target;
  start(o?: Partial<MirrorProcessOptions>): Promise<MirrorProcess>;
  /** The environment `npm run mirror` needs against these stand-ins. */
  env(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export async function startMirrorFixture(o: { auth0?: Auth0ApiOptions; identities?: KratosIdentity[] } = {}): Promise<MirrorFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'switchback-mirror-'));
  const kratos = await startKratosAdmin({ identities: o.identities ?? [] });
  const auth0 = await startAuth0Api({ rateLimit: FAST_LIMIT, importJobs: { pendingMs: 5, processingMs: 10 }, ...o.auth0 });
  const journalPath = join(dir, 'mirror.journal.jsonl');
  const procs: MirrorProcess[] = [];
  const target = () =>
    new Auth0Target(new Auth0ManagementClient({ managementUrl: auth0.managementUrl, clientId: DEFAULT_AUTH0_CLIENT.client_id, clientSecret: DEFAULT_AUTH0_CLIENT.client_secret }), { connection: auth0.connection.name, resetClientId: DEFAULT_AUTH0_CLIENT.client_id });
  return {
    kratos,
    auth0,
    dir,
    journalPath,
    target,
    async start(extra = {}) {
      const p = await startMirrorProcess({ kratos: new KratosAdminClient(kratos.url), target: target(), journalPath, hookToken: HOOK_TOKEN, sweepSeconds: 3600, heartbeatSeconds: 3600, log: () => undefined, ...extra });
      procs.push(p);
      return p;
    },
    env: (extra = {}) => ({
      KRATOS_ADMIN_URL: kratos.url,
      AUTH0_MANAGEMENT_URL: auth0.managementUrl,
      AUTH0_MGMT_CLIENT_ID: DEFAULT_AUTH0_CLIENT.client_id,
      AUTH0_MGMT_CLIENT_SECRET: DEFAULT_AUTH0_CLIENT.client_secret,
      AUTH0_CONNECTION: auth0.connection.name,
      MIRROR_HOOK_TOKEN: HOOK_TOKEN,
      MIRROR_PORT: '0',
      MIRROR_JOURNAL: journalPath,
      ...extra,
    }),
    async stop() {
      await Promise.allSettled(procs.map((p) => p.stop()));
      await Promise.allSettled([kratos.stop(), auth0.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** n new signups created now: 80 % with a password hash, `legacyShare` imported from Auth0. */
export function burst(n: number, seed: number, legacyShare = 0.05): KratosIdentity[] {
  const now = new Date().toISOString();
  return makeIdentities(n, { seed, legacyShare, outsideShare: 0, emailPrefix: `burst-${seed}-` }).map((i) => ({ ...i, created_at: now, updated_at: now }));
}

/** Kratos's web hook (registration or settings): `{ identity: ctx.identity }`, credentials left out, Authorization = the api key. */
export async function postHook(mirrorUrl: string, identity: KratosIdentity, token = HOOK_TOKEN): Promise<number> {
  const res = await fetch(`${mirrorUrl}/hooks/kratos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ identity: identityView(identity, 'http://kratos.invalid', { load: false, declassify: [] }) }),
  });
  await res.body?.cancel();
  return res.status;
}

/** Signs them up as Kratos does: stored first, then the hook (50 at a time); `hook: false` loses the hook. */
export async function signUp(kratos: KratosAdminHandle, mirrorUrl: string | undefined, list: KratosIdentity[], hook = true): Promise<void> {
  for (let i = 0; i < list.length; i += 50) {
    const chunk = list.slice(i, i + 50);
    kratos.addIdentities(chunk);
    if (hook && mirrorUrl) await Promise.all(chunk.map((x) => postHook(mirrorUrl, x).catch(() => 0)));
  }
}

/** `npm run mirror` as a child process (own process group, so SIGKILL reaches tsx's child). */
export function spawnMirror(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; stderr: () => string; kill(): void; exited: Promise<void> } {
  const [cmd, ...args] = tsxCommand(join(REPO_ROOT, 'scripts', 'mirror.ts'));
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(SWITCHBACK_|KRATOS_ADMIN_URL$|AUTH0_|MIRROR_|NODE_OPTIONS$)/.test(k)) base[k] = v;
  const child = spawn(cmd!, args, { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let err = '';
  let done = false;
  const exited = new Promise<void>((r) => child.once('close', () => ((done = true), r())));
  const url = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString('utf8');
      const m = /hooks at (http:\/\/[^/\s]+)\/hooks\/kratos/.exec(err);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`mirror exited before listening:\n${err}`)));
  });
  child.stdout!.resume();
  return {
    child,
    url,
    stderr: () => err,
    kill() {
      if (!done) process.kill(-child.pid!, 'SIGKILL');
    },
    exited,
  };
}

/**
 * `switchback mirror` / `npm run mirror`: copies every Olympus signup, and
 * every change of email, name or password, to the legacy provider as it
 * happens, so a rollback strands nobody and sends no reset email to users
 * whose hash came along. Long-running; runs where the Kratos admin API is
 * reachable (beside Olympus). Kratos calls its hook endpoint (registration
 * and settings web hooks); a sweep of GET /admin/identities every
 * MIRROR_SWEEP_SECONDS catches whatever a lost hook missed. It reports to the
 * gateway's controller (SWITCHBACK_URL, SWITCHBACK_MIRROR_TOKEN) so /status
 * shows its lag and a silent mirror raises a notification.
 *
 *   npm run mirror -- [--journal FILE] [--port N] [--host ADDR] [--once]
 *
 * Configuration (flags override): KRATOS_ADMIN_URL, AUTH0_DOMAIN or
 * AUTH0_MANAGEMENT_URL, AUTH0_MGMT_CLIENT_ID, AUTH0_MGMT_CLIENT_SECRET,
 * AUTH0_CONNECTION, AUTH0_CLIENT_ID, MIRROR_HOOK_TOKEN, MIRROR_PORT,
 * MIRROR_HOST, MIRROR_JOURNAL, MIRROR_SWEEP_SECONDS, MIRROR_HEARTBEAT_SECONDS,
 * MIRROR_MAX_BACKLOG, MIRROR_BATCH, MIRROR_LEGACY_PASSWORD_CHANGES, SWITCHBACK_URL, SWITCHBACK_MIRROR_TOKEN
 * (docs/configuration.md, "switchback mirror").
 */
import { parseLegacyPasswordPolicy } from '../src/reconcile/legacy-password.ts';
import { parseArgs } from 'node:util';
import { KratosAdminClient } from '../src/reconcile/kratos-admin-client.ts';
import { reconcileTargetFromEnv, TargetConfigError } from '../src/reconcile/targets.ts';
import { SwitchbackError } from '../src/core/errors.ts';
import { adminApi } from './cli/admin-api.ts';
import { heartbeatReporter, startMirrorProcess } from './mirror/mirror-process.ts';

const USAGE = `usage: switchback mirror [--journal FILE] [--port N] [--host ADDR] [--once]
  --once: one sweep, drain, one heartbeat, then exit (a catch-up run)`;

class UsageError extends SwitchbackError {
  readonly code = 'ERR_USAGE';
}

function need(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

function intVar(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: { journal: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, once: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (a.help) {
    console.log(USAGE);
    return 0;
  }
  const env = process.env;
  let target;
  try {
    // The legacy kind's target (LEGACY_PROVIDER; src/reconcile/targets.ts).
    target = reconcileTargetFromEnv((name) => env[name], { label: (v) => (v === 'AUTH0_MANAGEMENT_URL' ? 'AUTH0_MANAGEMENT_URL or AUTH0_DOMAIN' : v) });
  } catch (err) {
    throw err instanceof TargetConfigError ? new UsageError(err.message) : err;
  }
  const kratos = new KratosAdminClient(need(env.KRATOS_ADMIN_URL, 'KRATOS_ADMIN_URL'));
  const port = intVar('MIRROR_PORT (--port)', a.port ?? env.MIRROR_PORT, 4455, 0, 65535);
  const sweepSeconds = intVar('MIRROR_SWEEP_SECONDS', env.MIRROR_SWEEP_SECONDS, 300, 1, 86400);
  const heartbeatSeconds = intVar('MIRROR_HEARTBEAT_SECONDS', env.MIRROR_HEARTBEAT_SECONDS, 15, 1, 3600);
  const maxBacklog = intVar('MIRROR_MAX_BACKLOG', env.MIRROR_MAX_BACKLOG, 10_000, 1, 1_000_000);
  const batchMax = intVar('MIRROR_BATCH', env.MIRROR_BATCH, 500, 1, 500);
  let legacyPasswordChanges;
  try {
    legacyPasswordChanges = parseLegacyPasswordPolicy(env.MIRROR_LEGACY_PASSWORD_CHANGES);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const gateway = env.SWITCHBACK_URL;
  const token = env.SWITCHBACK_MIRROR_TOKEN ?? env.SWITCHBACK_ADMIN_TOKEN;
  if (gateway && !token) throw new UsageError('SWITCHBACK_MIRROR_TOKEN is required with SWITCHBACK_URL (an ADMIN_TOKENS entry with the mirror role: the heartbeat and nothing else)');
  const api = gateway && token ? adminApi(gateway, token) : undefined;

  await kratos.probe();
  // The mirror deletes and re-imports users to replace a hash (Auth0: its own users' changed passwords, and the
  // recreate policy's): that scope too is checked before anything is written.
  try {
    await target.preflight({ deletes: true });
  } catch (err) {
    if (err instanceof Error && 'errorCode' in err && (err as { errorCode?: string }).errorCode === 'insufficient_scope') throw new UsageError(err.message);
    throw err;
  }
  const proc = await startMirrorProcess({
    kratos,
    target,
    journalPath: a.journal ?? env.MIRROR_JOURNAL ?? '.switchback/mirror.journal.jsonl',
    hookToken: env.MIRROR_HOOK_TOKEN,
    host: a.host ?? env.MIRROR_HOST ?? '127.0.0.1',
    port,
    sweepSeconds,
    heartbeatSeconds,
    maxBacklog,
    batchMax,
    legacyPasswordChanges,
    report: api
      ? heartbeatReporter((hb) => api.mirror.heartbeat.$post({ json: hb }))
      : undefined,
  });
  console.error(`mirror ${proc.mirror.runId}: hooks at ${proc.url}/hooks/kratos${env.MIRROR_HOOK_TOKEN ? '' : ' (closed: MIRROR_HOOK_TOKEN not set)'}, sweep every ${sweepSeconds} s, ${api ? `heartbeat to ${gateway} every ${heartbeatSeconds} s` : 'not reporting (SWITCHBACK_URL not set)'}`);
  if (a.once) {
    await proc.sweep();
    await proc.idle(30 * 60_000);
    await proc.heartbeat();
    const s = proc.mirror.snapshot();
    console.log(JSON.stringify(s));
    await proc.stop();
    return s.counts.failed ? 3 : 0;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proc.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || (err instanceof Error && 'code' in err && String((err as { code: string }).code).startsWith('ERR_PARSE_ARGS'));
    console.error(`mirror: ${err instanceof Error ? err.message : String(err)}`);
    if (usage) console.error(USAGE);
    process.exit(usage ? 2 : 1);
  },
);

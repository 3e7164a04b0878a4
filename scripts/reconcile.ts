/**
 * `switchback reconcile` / `npm run reconcile -- ...`: bring the users who
 * signed up in Olympus during the migration back to the legacy provider
 * after a rollback (LEGACY_PROVIDER: Auth0 by default, or Amazon Cognito;
 * the target comes from src/reconcile/targets.ts).
 * Runs where the Kratos admin API is reachable (the Olympus host or network).
 * Everything is checked before the first write: the window, the Kratos admin
 * API, the provider's credentials and configuration (Auth0: connection and
 * reset client; Cognito: the pool's custom attributes).
 *
 *   npm run reconcile -- --from 2026-11-01T00:00:00Z --to 2026-11-24T10:02:11Z [--dry-run]
 *   npm run reconcile -- --undo reconcile-report.json
 *
 * Configuration (flags override): KRATOS_ADMIN_URL, AUTH0_DOMAIN,
 * AUTH0_MANAGEMENT_URL, AUTH0_MGMT_CLIENT_ID, AUTH0_MGMT_CLIENT_SECRET,
 * AUTH0_CONNECTION, AUTH0_CLIENT_ID (for reset emails), SWITCHBACK_URL and
 * SWITCHBACK_ADMIN_TOKEN (for the default window); USER_MAIL=webhook with
 * USER_MAIL_URL, USER_MAIL_TOKEN, STATUS_PAGE_URL (and USER_MAIL_RESET_URL,
 * STATUS_PRODUCT_NAME) sends the reset emails in the users' template through
 * the team's relay (src/reconcile/reset-mail.ts), as the gateway's job does;
 * with LEGACY_PROVIDER=cognito|clerk the COGNITO_* / CLERK_* admin access
 * instead of AUTH0_* (docs/configuration.md).
 */
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { KratosAdminClient } from '../src/reconcile/kratos-admin-client.ts';
import { parseWindow, inWindow, WindowError } from '../src/reconcile/reconcile-window.ts';
import { CrashForTest, foldCheckpoint, reconcile } from '../src/reconcile/reconcile-run.ts';
import { Auth0Target } from '../src/reconcile/auth0-target.ts';
import { legacyKindFrom, reconcileTargetFor, TARGET_LABELS, TargetConfigError } from '../src/reconcile/targets.ts';
import { reportTable } from '../src/reconcile/reconcile-report.ts';
import { resetSender } from '../src/reconcile/reset-mail.ts';
import { isUserMailProblem, userMailConfig } from '../src/comms/user-mail.ts';
import { fileCheckpoint, defaultCheckpointPath } from './cli/file-checkpoint.ts';
import { undoReport } from './cli/reconcile-undo.ts';
import { gatewayStatus, jobInProgress, windowOf } from './cli/gateway-window.ts';
import { SwitchbackError } from '../src/core/errors.ts';

const USAGE = `usage: switchback reconcile [--from ISO] [--to ISO] [--dry-run] [--report FILE] [--checkpoint FILE]
                           [--page-size N] [--mode auto|single|import] [--no-courier-check] [--no-count]
                           [--kratos-admin-url URL] [--kratos-admin-header 'Name: value']...
                           [--auth0-domain D] [--auth0-management-url URL] [--auth0-mgmt-client-id ID]
                           [--auth0-mgmt-client-secret S] [--auth0-connection NAME] [--reset-client-id ID]
                           [--gateway URL --token T] [--alongside-job]
       switchback reconcile --undo REPORT.json [--dry-run]
  LEGACY_PROVIDER=cognito: the COGNITO_* variables name the user pool and its admin access instead of the --auth0-* flags`;

/** The flag that stands for a variable, in messages. */
const FLAG_OF: Record<string, string> = {
  AUTH0_MANAGEMENT_URL: '--auth0-management-url or --auth0-domain (or AUTH0_MANAGEMENT_URL/AUTH0_DOMAIN)',
  AUTH0_MGMT_CLIENT_ID: '--auth0-mgmt-client-id (or AUTH0_MGMT_CLIENT_ID)',
  AUTH0_MGMT_CLIENT_SECRET: '--auth0-mgmt-client-secret (or AUTH0_MGMT_CLIENT_SECRET)',
  AUTH0_CONNECTION: '--auth0-connection (or AUTH0_CONNECTION)',
};

class UsageError extends SwitchbackError {
  readonly code = 'ERR_USAGE';
}

function need(value: string | undefined, flag: string, env: string): string {
  if (!value) throw new UsageError(`${flag} (or ${env}) is required`);
  return value;
}

function headers(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list ?? []) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--kratos-admin-header ${JSON.stringify(h)} must look like 'Name: value'`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      report: { type: 'string' },
      checkpoint: { type: 'string' },
      'page-size': { type: 'string', default: '250' },
      mode: { type: 'string', default: 'auto' },
      'import-threshold': { type: 'string', default: '20' },
      'no-courier-check': { type: 'boolean', default: false },
      'no-count': { type: 'boolean', default: false },
      undo: { type: 'string' },
      'kratos-admin-url': { type: 'string' },
      'kratos-admin-header': { type: 'string', multiple: true },
      'auth0-domain': { type: 'string' },
      'auth0-management-url': { type: 'string' },
      'auth0-mgmt-client-id': { type: 'string' },
      'auth0-mgmt-client-secret': { type: 'string' },
      'auth0-connection': { type: 'string' },
      'reset-client-id': { type: 'string' },
      'alongside-job': { type: 'boolean', default: false },
      gateway: { type: 'string' },
      token: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (a.help) {
    console.log(USAGE);
    return 0;
  }
  const env = process.env;
  // Flags override the variables they stand for.
  const flagVars: Record<string, string | undefined> = {
    AUTH0_DOMAIN: a['auth0-domain'],
    AUTH0_MANAGEMENT_URL: a['auth0-management-url'],
    AUTH0_MGMT_CLIENT_ID: a['auth0-mgmt-client-id'],
    AUTH0_MGMT_CLIENT_SECRET: a['auth0-mgmt-client-secret'],
    AUTH0_CONNECTION: a['auth0-connection'],
  };
  const get = (name: string) => flagVars[name] ?? env[name];
  const label = (name: string) => FLAG_OF[name] ?? name;
  const kind = (() => {
    try {
      return legacyKindFrom(get);
    } catch (err) {
      throw err instanceof TargetConfigError ? new UsageError(err.message) : err;
    }
  })();
  const build = (purpose: 'reconcile' | 'undo') => {
    try {
      return reconcileTargetFor(kind, get, { label, purpose, auth0ResetClientId: a['reset-client-id'], onRateLimited: (ms) => a.quiet || process.stderr.write(`  rate limited by ${TARGET_LABELS[kind]}, waiting ${ms} ms\n`) });
    } catch (err) {
      if (err instanceof TargetConfigError) throw new UsageError(err.message);
      throw err;
    }
  };

  if (a.undo) {
    const target = build('undo');
    // Undo needs working credentials only (Auth0: a token; Cognito: the pool described).
    if (target instanceof Auth0Target) {
      const missing = await target.client.missingScopes(['read:users', 'delete:users']);
      if (missing.length > 0) throw new UsageError(`The Management API application (AUTH0_MGMT_CLIENT_ID) was not granted ${missing.join(', ')}, which undo needs: nothing was deleted`);
    } else await target.preflight();
    const result = await undoReport(target, a.undo, a['dry-run']);
    console.log(`undo ${a.undo}: ${result.deleted} deleted, ${result.missing} already gone, ${result.kept} kept (not created by that run)${a['dry-run'] ? ' (dry run)' : ''}`);
    return result.failed ? 1 : 0;
  }

  const target = build('reconcile');
  const kratosUrl = need(a['kratos-admin-url'] ?? env.KRATOS_ADMIN_URL, '--kratos-admin-url', 'KRATOS_ADMIN_URL');
  const mode = a.mode;
  if (mode !== 'auto' && mode !== 'single' && mode !== 'import') throw new UsageError('--mode must be auto, single or import');
  const pageSize = Number(a['page-size']);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new UsageError('--page-size must be a whole number from 1 to 1000');

  // The window: flags, else what the gateway recorded (migration start, rollback_at).
  const gatewayUrl = a.gateway ?? env.SWITCHBACK_URL;
  const gatewayToken = a.token ?? env.SWITCHBACK_ADMIN_TOKEN;
  let status;
  if (gatewayUrl && gatewayToken) {
    try {
      status = await gatewayStatus(gatewayUrl, gatewayToken);
    } catch (err) {
      // Only the window needs the gateway; with both flags given, its status is a check that could not be made.
      if (!a.from || !a.to) throw err;
      if (!a.quiet) process.stderr.write(`reconcile: ${(err as Error).message}; going on with --from/--to, without checking for the gateway's own reconcile job\n`);
    }
  }
  const from = a.from ?? windowOf(status)?.from;
  const to = a.to ?? windowOf(status)?.to;
  const window = parseWindow(from, to);
  // Never beside the gateway's own job on the same rollback (a user could get two reset emails); after it, this run
  // skips what the job did (its marks) and does the rest.
  const job = jobInProgress(status);
  if (job && !a['dry-run'] && !a['alongside-job']) {
    throw new UsageError(
      `the gateway's own reconcile job ${job.run_id} is ${job.status} for this rollback (${job.done ?? 0} of ${job.total ?? '?'} done): run this once GET /_switchback/api/status shows it completed (it then skips what the job did), or pass --alongside-job to run beside it anyway (a user could get two reset emails)`,
    );
  }

  // Checks before any write.
  const kratos = new KratosAdminClient(kratosUrl, headers(a['kratos-admin-header']));
  await kratos.probe();
  // The user-mail path: the same variables and checks as the gateway's (config.ts).
  const mail = userMailConfig((name) => env[name] || undefined);
  if (isUserMailProblem(mail)) throw new UsageError(`${mail.variable} ${mail.problem}`);
  try {
    // Auth0: the Management API scopes the run uses (tickets too under a user-mail path); reset emails are requested
    // with an application's client_id, which must be enabled on the connection.
    // Cognito: the pool must hold the mark's custom attributes and recover accounts by verified email.
    await target.preflight({ resetLinks: mail.kind !== 'legacy' });
  } catch (err) {
    const code = err instanceof Error && 'errorCode' in err ? (err as { errorCode?: string }).errorCode : undefined;
    if (code === 'reset_client_not_enabled' || code === 'insufficient_scope') throw new UsageError((err as Error).message);
    throw err;
  }
  let reset;
  if (mail.kind !== 'legacy') {
    const statusUrl = env.STATUS_PAGE_URL;
    if (!statusUrl) throw new UsageError(`STATUS_PAGE_URL is required when USER_MAIL=${mail.kind} (the users' email links to it)`);
    reset = resetSender(target, { mail, statusUrl, product: env.STATUS_PRODUCT_NAME || 'The team', incidentAt: window.to.toISOString() });
    if (!a.quiet) console.error(`reset emails: the users' template through ${new URL(mail.kind === 'webhook' ? mail.url : mail.endpoint).origin} (USER_MAIL=${mail.kind})`);
  }

  let expected: number | undefined;
  if (!a['no-count']) {
    expected = 0;
    for (let token: string | undefined | null = null; token !== undefined; ) {
      const page = await kratos.page(1000, token ?? undefined);
      expected += page.identities.filter((i) => inWindow(i.created_at, window)).length;
      token = page.next;
    }
    if (!a.quiet) console.error(`${expected} identities created in ${window.from.toISOString()} .. ${window.to.toISOString()}`);
  }

  const checkpointPath = a.checkpoint ?? defaultCheckpointPath(window, a['dry-run']);
  const store = fileCheckpoint(checkpointPath);
  const resumed = foldCheckpoint(await store.read());
  if (resumed && !a.quiet) console.error(`resuming from ${checkpointPath} (${Object.keys(resumed.lines).length} identities done, page ${resumed.pages_done})`);
  const runId = resumed?.run_id ?? `rc-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  const crashAfter = env.SWITCHBACK_RECONCILE_CRASH_AFTER ? Number(env.SWITCHBACK_RECONCILE_CRASH_AFTER) : undefined;

  const report = await reconcile(
    { kratos, target, journal: store, ...(reset ? { reset } : {}) },
    {
      window,
      runId,
      dryRun: a['dry-run'],
      pageSize,
      mode,
      importThreshold: Number(a['import-threshold']),
      checkCourier: !a['no-courier-check'],
      expectedInWindow: expected,
      crashAfter,
      onProgress: a.quiet
        ? undefined
        : (p) => console.error(`  ${p.inWindow}${p.expectedInWindow !== undefined ? `/${p.expectedInWindow}` : ''} in window, ${p.created} created, ${p.failed} failed, ${p.rate.toFixed(1)}/s${p.etaSeconds !== undefined ? `, ETA ${p.etaSeconds}s` : ''} (scanned ${p.scanned})`),
    },
  );
  await store.close();
  const reportPath = a.report ?? `reconcile-${report.run_id}.json`;
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  console.log(reportTable(report));
  console.log(`\nreport: ${reportPath}`);
  console.log(`${TARGET_LABELS[kind]} API: ${target.stats.calls} calls, ${target.stats.rateLimited} rate-limited, ${Math.round(target.stats.waitedMs)} ms waited`);
  if (expected !== undefined && report.totals.in_window !== expected) console.error(`warning: counted ${expected} identities in the window, reported ${report.totals.in_window} (identities created or deleted meanwhile?)`);
  // Exit 3 when someone still cannot sign in: a failed line, or a reset email that did not go out.
  return report.totals.failed || report.totals.created_reset_failed ? 3 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CrashForTest) {
      console.error(`reconcile: ${err.message}`);
      process.exit(137);
    }
    const usage = err instanceof UsageError || err instanceof WindowError || (err instanceof Error && 'code' in err && String((err as { code: string }).code).startsWith('ERR_PARSE_ARGS'));
    console.error(`reconcile: ${err instanceof Error ? err.message : String(err)}`);
    if (usage) console.error(USAGE);
    process.exit(usage ? 2 : 1);
  },
);

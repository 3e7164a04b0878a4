/**
 * The rollback of the plan, step by step, each timed and reported:
 *
 *   1. flip            POST /rollback (already on Auth0: say so, go on)
 *   2. verify routing  GET /login lands at the Auth0 issuer's origin (flag caches: 1 s)
 *   3. origin health   the health URL answers 2xx
 *   4. revoke tokens   Hydra admin DELETE /admin/oauth2/tokens?client_id=… (when configured)
 *   5. notify          the gateway's outbox drained to its receivers (SKIPPED when it has none)
 *   6. overlap         when old Olympus tokens stop working
 *
 * A failed flip stops everything (no revocation while logins may still go
 * to Olympus); after a flip every check runs, so the report is complete.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayAdminClient, type GatewayStatus, type LoginProbe, type RollbackAnswer } from './gateway-admin-client.ts';
import { errorSummary, httpCall, NetworkError } from './http-call.ts';
import { revokeClientTokens } from './hydra-revocation.ts';
import type { RollbackOptions } from './rollback-options.ts';
import type { RollbackReport, StepStatus } from './rollback-report.ts';
import { NO_RECEIVER, notifyDetail } from './rollback-wording.ts';

/** The plan promises about a minute; this command aims at well under 10 s. */
export const TARGET_MS = 10_000;
/** New logins follow the flag within the flag cache TTL (1 s); allow three. */
export const ROUTE_WAIT_MS = 3_000;
/** The Durable Object's alarm delivers the outbox within about a second; a failed delivery is retried after 2 s. */
export const NOTIFY_WAIT_MS = 5_000;
const POLL_MS = 200;

export const EXIT = { ok: 0, checkFailed: 1, usage: 2, notRolledBack: 3 } as const;

export const STEPS = [
  { id: 'flip', title: 'flip to Auth0', required: true },
  { id: 'verify-routing', title: 'verify routing', required: true },
  { id: 'origin-health', title: 'verify origin health', required: true },
  { id: 'revoke-olympus-tokens', title: 'revoke Olympus tokens', required: true },
  { id: 'notify', title: 'notify', required: true },
  { id: 'overlap', title: 'token overlap', required: false },
] as const;
type StepId = (typeof STEPS)[number]['id'];

type StepOutcome = { status: StepStatus; detail: string };

export interface RollbackResult {
  exitCode: number;
  totalMs: number;
}

class Skip {
  constructor(readonly detail: string) {}
}

export async function runRollback(options: RollbackOptions, report: RollbackReport): Promise<RollbackResult> {
  const started = performance.now();
  const admin = new GatewayAdminClient(options.gatewayUrl, options.token, options.timeoutMs);
  const outcomes = new Map<StepId, StepStatus>();

  const run = async (id: StepId, body: () => Promise<string | Skip>): Promise<boolean> => {
    const index = STEPS.findIndex((s) => s.id === id);
    const def = STEPS[index]!;
    const t0 = performance.now();
    let outcome: StepOutcome;
    try {
      const r = await body();
      outcome = r instanceof Skip ? { status: 'SKIPPED', detail: r.detail } : { status: 'OK', detail: r };
    } catch (err) {
      outcome = { status: 'FAILED', detail: err instanceof Error ? err.message : String(err) };
    }
    outcomes.set(id, outcome.status);
    report.step({ step: index + 1, id, title: def.title, status: outcome.status, ms: Math.round(performance.now() - t0), detail: outcome.detail, required: def.required });
    return outcome.status !== 'FAILED';
  };

  // 1. flip
  let flip: RollbackAnswer | undefined;
  const flipped = await run('flip', async () => {
    try {
      flip = await admin.rollback(options.reason);
    } catch (err) {
      // Lost answers happen mid-incident; the rollback is idempotent, so saying "run it again" is always safe.
      if (err instanceof NetworkError && err.timedOut) throw new NetworkError(`${err.message} (the flip may still have happened; running the command again is safe)`, true);
      throw err;
    }
    const f = flip.flag;
    if (flip.rolled_back) return `rolled back: flag v${f.version} disabled at ${f.rollback_at ?? f.updated_at ?? '?'}`;
    return `already on Auth0 (flag v${f.version} disabled${f.updated_at ? ` since ${f.updated_at}` : ''}${f.updated_by ? ` by ${f.updated_by}` : ''}); nothing to flip, checking anyway`;
  });
  if (!flipped) {
    for (const s of STEPS.slice(1)) {
      report.step({ step: STEPS.indexOf(s) + 1, id: s.id, title: s.title, status: 'SKIPPED', ms: 0, detail: 'not run: the flip failed', required: s.required });
    }
    return finish(report, started, EXIT.notRolledBack, flip);
  }
  if (flip?.already_on_auth0) report.say('Already on Auth0: this run changed nothing, the checks below still run.');

  // 2. verify routing (the Auth0 issuer comes from /status)
  let status: GatewayStatus | undefined;
  await run('verify-routing', async () => {
    status = await admin.status();
    const auth0 = new URL(status.issuers.auth0).origin;
    const olympus = new URL(status.issuers.olympus).origin;
    const name = (p: LoginProbe) => (p.origin === undefined ? p.note : p.origin === auth0 ? `${p.origin} (Auth0)` : p.origin === olympus ? `${p.origin} (Olympus)` : p.origin);
    const t0 = performance.now();
    let probes = 0;
    let last: LoginProbe;
    for (;;) {
      last = await admin.loginTarget();
      probes++;
      if (last.origin === auth0) return `/login → ${name(last)} after ${probes} probe${probes > 1 ? 's' : ''}`;
      if (performance.now() - t0 >= ROUTE_WAIT_MS) break;
      await sleep(POLL_MS);
    }
    throw new Error(`/login still goes to ${name(last)} after ${ROUTE_WAIT_MS} ms (${probes} probes); expected the Auth0 issuer ${auth0}`);
  });

  // 3. origin health
  await run('origin-health', async () => {
    const answer = await httpCall(options.healthUrl, `the health URL ${options.healthUrl}`, { timeoutMs: options.timeoutMs, redirect: 'manual' });
    if (answer.status >= 200 && answer.status <= 299) return `GET ${options.healthUrl} → ${answer.status}`;
    const hint = answer.status === 401 && options.healthUrl.startsWith(options.gatewayUrl) ? ' (is the path in the gateway\'s PUBLIC_PATHS? else pass --health-url)' : '';
    throw new Error(`GET ${options.healthUrl} answered HTTP ${answer.status}: ${errorSummary(answer)}${hint}`);
  });

  // 4. revoke outstanding Olympus tokens of the gateway's client
  await run('revoke-olympus-tokens', async () => {
    if (!options.hydra) return new Skip('no --hydra-admin-url / HYDRA_ADMIN_URL given');
    return revokeClientTokens(options.hydra, options.timeoutMs);
  });

  // 5. notify: the gateway's own rollback.triggered / rollback.completed left its outbox
  await run('notify', async () => {
    const t0 = performance.now();
    for (;;) {
      status = await admin.status();
      // Optional: a gateway older than this field cannot say whether it has a receiver.
      const receivers: readonly string[] | undefined = status.notification_receivers;
      if (receivers?.length === 0 && status.notifications_pending === 0) return new Skip(NO_RECEIVER);
      if (status.notifications_pending === 0) return notifyDetail(flip?.rolled_back, receivers, Math.round(performance.now() - t0));
      if (performance.now() - t0 >= NOTIFY_WAIT_MS) break;
      await sleep(POLL_MS);
    }
    throw new Error(
      `${status.notifications_pending} notification(s) still in the gateway's outbox after ${NOTIFY_WAIT_MS} ms (webhook down or slow? see the audit for notification.failed); tell the on-call channel yourself`,
    );
  });
  const failedRequired = STEPS.filter((s) => s.required && outcomes.get(s.id) === 'FAILED');
  if (outcomes.get('verify-routing') === 'OK' && failedRequired.length === 0) report.say('Rollback complete. Auth0 is primary again.');
  else if (outcomes.get('verify-routing') === 'OK') report.say(`Auth0 is primary again (routing verified), but ${failedRequired.map((s) => s.title).join(', ')} failed: see above.`);
  else report.say('Rollback NOT verified: new logins were not seen going to Auth0. Check the gateway and repeat.');

  // 6. the overlap: when old Olympus tokens stop working (said after the step line)
  const overlapNotes: string[] = [];
  await run('overlap', async () => {
    status ??= await admin.status();
    const o = status.overlap;
    if (!o) return new Skip('no rollback recorded (the flag was never on): no Olympus token is accepted');
    const mins = Math.round(o.seconds_left / 60);
    overlapNotes.push(`Old Olympus tokens keep working until ${o.ends_at} (${o.seconds_left} s, about ${mins} min, from now; rollback at ${o.rollback_at}).`);
    if (outcomes.get('revoke-olympus-tokens') === 'OK') {
      overlapNotes.push(
        `  Gateway sessions keep that overlap; access tokens of client ${options.hydra!.clientId} were deleted at Hydra, so opaque ones fail at their next introspection (gateway cache up to 30 s). Hydra's endpoint leaves refresh tokens alone.`,
      );
    }
    return `ends ${o.ends_at} (${o.seconds_left} s left)`;
  });
  for (const note of overlapNotes) report.say(note);

  const exitCode = STEPS.some((s) => s.required && outcomes.get(s.id) === 'FAILED') ? EXIT.checkFailed : EXIT.ok;
  return finish(report, started, exitCode, flip, status);
}

function finish(report: RollbackReport, started: number, exitCode: number, flip: RollbackAnswer | undefined, status?: GatewayStatus): RollbackResult {
  const totalMs = Math.round(performance.now() - started);
  report.finish({
    ok: exitCode === EXIT.ok,
    exitCode,
    rolledBack: flip?.rolled_back,
    alreadyOnAuth0: flip?.already_on_auth0,
    overlap: status?.overlap,
    totalMs,
    targetMs: TARGET_MS,
  });
  return { exitCode, totalMs };
}

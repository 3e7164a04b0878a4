// The drill's steps, in the plan's order: hypothesis and steady state, "pretend it
// succeeded" (Olympus on, a person signs in there), "pretend it broke" (the Olympus
// stand-in denies every login and several clients fail), the rollback (the rules, or by
// hand), verification (new sign-ins at the legacy provider; the earlier Olympus session
// still works inside the overlap), the logs compared with what the plan expects, and the
// restore. Every step is timed on this machine's clock; the controller's own times (the
// decision) come from the gateway.
import { setTimeout as sleep } from 'node:timers/promises';
import { adminApi, okJson, readStatus, type AuditEntry, type GatewayStatus } from '../cli/admin-api.ts';
import { TinyBrowser, type TinyRequestInit } from '../../dev/tiny-browser.ts';
import type { Credentials, DrillOptions } from './drill-options.ts';

export interface DrillEvent {
  step: string;
  /** ms since the epoch. */
  at: number;
  detail: string;
}

export interface DrillRun {
  startedAt: number;
  hypothesis: string;
  mode: 'automatic' | 'manual';
  events: DrillEvent[];
  /** ms since the epoch of each milestone, or null when it did not happen. */
  t: {
    injected: number | null;
    firstBreach: number | null;
    decision: number | null;
    loginOnLegacy: number | null;
    legacySignIn: number | null;
  };
  steadyState: { ok: boolean; detail: string };
  rolledBackBy: string | null;
  legacySignInOk: boolean;
  sessionKept: { ok: boolean; detail: string };
  logs: { ok: boolean; missing: string[]; duplicated: string[]; outOfOrder: boolean; notificationsFailed: number; receivers: string[] };
  failedLogins: number;
  /** How the failure was injected; with drill mode, the controller's drill counters at the end. */
  injection: { how: 'stand-in' | 'drill-mode'; counters?: { batches: number; succeeded: number; failed: number; clients: number } };
  restored: { ok: boolean; detail: string };
}

/** A browser behind Cloudflare with its own client address (as the gateway sees it). */
class Client extends TinyBrowser {
  constructor(readonly ip: string) {
    super(`switchback-drill/2 (${ip})`);
  }
  override request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { 'cf-connecting-ip': this.ip, ...init.headers } });
  }
}

const LOGIN_RULE_METRIC = 'login_success_rate';
/**
 * A drill turns Olympus on after an earlier rollback (the last drill's) and back on after its own:
 * it lifts the re-enable gate (postmortem, drill, cooldown; audited and announced as
 * reenable.overridden), which needs the eng-lead token the drill asks for. A permanent decision
 * is never lifted: the drill then stops at "pretend it succeeded" with the gateway's 409.
 */
const DRILL_OVERRIDE = 'drill: a rehearsal turns Olympus on after a rollback it or an earlier drill made';

export async function runDrill(o: DrillOptions, print: (line: string) => void): Promise<DrillRun> {
  const api = adminApi(o.gateway, o.token);
  const startedAt = Date.now();
  const events: DrillEvent[] = [];
  const mark = (step: string, detail = '', at = Date.now()) => {
    events.push({ step, at, detail });
    print(`  [+${((at - startedAt) / 1000).toFixed(1).padStart(6)} s] ${step}${detail ? `: ${detail}` : ''}`);
    return at;
  };
  const mode = o.manual ? 'manual' : 'automatic';
  const hypothesis = `Logins fail on Olympus -> switchback rolls back ${mode === 'manual' ? 'by hand' : 'by itself'} within ${o.targetMs / 1000} s, new sign-ins work at the legacy provider, and nobody with a session is signed out early.`;
  print(`drill: hypothesis: ${hypothesis}`);

  // ---- steady state --------------------------------------------------------
  const before = await readStatus(api);
  const legacyOrigin = new URL(before.issuers.auth0).origin;
  const olympusOrigin = new URL(before.issuers.olympus).origin;
  const problems: string[] = [];
  const health = await fetch(`${o.gateway}/_switchback/health`).then((r) => r.status).catch(() => 0);
  if (health !== 200) problems.push(`health answered ${health}`);
  const route = await loginTarget(o.gateway);
  const expected = before.flag.enabled && (before.flag.percent ?? 100) === 100 ? olympusOrigin : before.flag.enabled ? route : legacyOrigin;
  if (route !== expected) problems.push(`/login goes to ${route}, expected ${expected}`);
  const breaching = before.rules.filter((r) => r.verdict === 'breach').map((r) => r.rule);
  if (breaching.length) problems.push(`rules already breaching: ${breaching.join(', ')}`);
  if (before.automatic_rollback_paused && !o.manual) problems.push('automatic rollback is paused');
  if (before.dry_run && !o.manual) problems.push('the rules are a dry run: nothing would flip (use --manual, or rules without dry_run)');
  const mode0 = o.inject === 'drill-mode' ? undefined : await fetch(`${o.olympus}/_control/mode`).then((r) => (r.ok ? r.json() : undefined)).catch(() => undefined);
  const how: 'stand-in' | 'drill-mode' = o.inject === 'stand-in' || (o.inject === 'auto' && mode0 !== undefined) ? 'stand-in' : 'drill-mode';
  if (how === 'stand-in' && mode0 === undefined) problems.push(`no Olympus stand-in control at ${o.olympus}/_control/mode (use --inject drill-mode for a staging gateway)`);
  print(`drill: the failure is injected by ${how === 'stand-in' ? `the Olympus stand-in at ${o.olympus}` : "the controller's drill mode (synthetic failing logins, counted apart)"}`);
  const steadyState = { ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `healthy; /login -> ${route}; rules not breaching` };
  mark('steady state', steadyState.detail);
  const run: DrillRun = {
    startedAt,
    hypothesis,
    mode,
    events,
    t: { injected: null, firstBreach: null, decision: null, loginOnLegacy: null, legacySignIn: null },
    steadyState,
    rolledBackBy: null,
    legacySignInOk: false,
    sessionKept: { ok: false, detail: 'not reached' },
    logs: { ok: false, missing: [], duplicated: [], outOfOrder: false, notificationsFailed: 0, receivers: before.notification_receivers },
    failedLogins: 0,
    injection: { how },
    restored: { ok: false, detail: 'not reached' },
  };
  if (!steadyState.ok) return run;
  const auditFrom = (await okJson('GET /audit', api.audit.$get({ query: { limit: '1' } }))).entries[0]?.seq ?? 0;

  try {
    // ---- pretend it succeeded ------------------------------------------------
    if (!before.flag.enabled || (before.flag.percent ?? 100) !== 100) {
      await okJson('POST /flags/olympus_auth', api.flags.olympus_auth.$post({ json: { enabled: true, percent: 100, reason: 'drill: pretend the migration succeeded', override_reason: DRILL_OVERRIDE } }));
    }
    await waitFor(() => loginTarget(o.gateway).then((t) => t === olympusOrigin), 10_000);
    mark('pretend it succeeded', 'Olympus on for everyone; /login goes to Olympus');
    const early = new Client('100.64.9.1');
    const signedIn = await signIn(early, o.gateway, o.olympusUser, olympusOrigin);
    mark('signed in through Olympus', signedIn ? `${o.olympusUser.email} has a session` : `${o.olympusUser.email} could not sign in`);

    // ---- pretend it broke -----------------------------------------------------
    let batch = 0;
    /** Drill mode: one more batch of synthetic failures, from fresh synthetic clients (each weighs its cap). */
    const injectSynthetic = async () => {
      batch++;
      const outcomes = Array.from({ length: o.clients }, (_, i) => ({ client: `drill-${batch}-${i}`, outcome: 'failed' as const, n: 2 }));
      const r = await okJson('POST /drill-mode/outcomes', api['drill-mode'].outcomes.$post({ json: { outcomes } }));
      run.failedLogins = r.counters.failed;
    };
    if (how === 'stand-in') {
      await setFailLogins(o.olympus, true);
      run.t.injected = mark('pretend it broke', `the Olympus stand-in denies every login; ${o.clients} clients try twice each`);
      const attempts = await Promise.all(
        Array.from({ length: o.clients }, async (_, i) => {
          const c = new Client(`100.64.0.${i + 1}`);
          let failed = 0;
          for (let k = 0; k < 2; k++) {
            const page = await c.navigate(`${o.gateway}/login?returnTo=%2F`);
            if (page.url.startsWith(o.gateway)) failed++;
          }
          return failed;
        }),
      );
      run.failedLogins = attempts.reduce((a, b) => a + b, 0);
      mark('failed logins', `${run.failedLogins} came back to the gateway as failures`);
    } else {
      const minutes = Math.min(120, Math.ceil(o.timeoutMs / 60_000) + 5);
      await okJson('POST /drill-mode', api['drill-mode'].$post({ json: { minutes, reason: `npm run drill: ${hypothesis}`.slice(0, 1000) } }));
      run.t.injected = mark('pretend it broke', `drill mode on for ${minutes} min; ${o.clients} synthetic clients fail twice each, a fresh batch until the rollback`);
      await injectSynthetic();
      mark('failed logins', `${run.failedLogins} synthetic failures counted by the drill mode (never in the real windows)`);
    }

    // ---- the rollback ----------------------------------------------------------
    if (o.manual) {
      const r = await okJson('POST /rollback', api.rollback.$post({ json: { reason: 'drill: manual rollback' } }));
      mark('manual rollback', r.rolled_back ? 'POST /rollback' : 'already on the legacy provider');
    }
    const deadline = Date.now() + o.timeoutMs;
    let rolledBack: GatewayStatus | undefined;
    while (Date.now() < deadline) {
      const s = await readStatus(api);
      const rule = s.rules.find((r) => r.metric === LOGIN_RULE_METRIC);
      if (run.t.firstBreach === null && rule?.verdict === 'breach') run.t.firstBreach = mark('first breaching evaluation', `${rule.rule}: ${rule.samples} samples from ${rule.clients} clients`);
      if (!s.flag.enabled) {
        rolledBack = s;
        break;
      }
      if (how === 'drill-mode' && !o.manual) await injectSynthetic();
      await sleep(250);
    }
    if (!rolledBack) {
      mark('no rollback', `the flag is still on after ${o.timeoutMs / 1000} s`);
      return run;
    }
    run.rolledBackBy = rolledBack.flag.updated_by;
    run.t.decision = Date.parse(rolledBack.flag.rollback_at ?? rolledBack.flag.updated_at);
    mark('decision', `ROLLED BACK by ${rolledBack.flag.updated_by} at ${rolledBack.flag.rollback_at}`, run.t.decision);
    if (how === 'stand-in') await setFailLogins(o.olympus, false);

    // ---- verification -----------------------------------------------------------
    if (await waitFor(() => loginTarget(o.gateway).then((t) => t === legacyOrigin), 10_000)) run.t.loginOnLegacy = mark('/login on the legacy provider', legacyOrigin);
    const later = new Client('100.64.9.2');
    run.legacySignInOk = await signIn(later, o.gateway, o.legacyUser, legacyOrigin);
    if (run.legacySignInOk) run.t.legacySignIn = mark('signed in at the legacy provider', o.legacyUser.email);
    else mark('legacy sign-in FAILED', o.legacyUser.email);
    if (signedIn) {
      const res = await early.request(`${o.gateway}/`, { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } });
      await res.arrayBuffer();
      run.sessionKept = res.status === 200 ? { ok: true, detail: `the Olympus session made before the rollback still works (${rolledBack.overlap?.seconds_left ?? '?'} s of overlap left)` } : { ok: false, detail: `the Olympus session made before the rollback got ${res.status}` };
    } else {
      run.sessionKept = { ok: false, detail: 'no Olympus session was made before the failure' };
    }
    mark('sessions', run.sessionKept.detail);

    // ---- compare logs --------------------------------------------------------------
    await sleep(500);
    const entries = (await okJson('GET /audit', api.audit.$get({ query: { limit: '200' } }))).entries.filter((e) => e.seq > auditFrom).reverse();
    run.logs = compareLogs(entries, !before.flag.enabled || (before.flag.percent ?? 100) !== 100, before.notification_receivers);
    mark('logs', run.logs.ok ? `each expected event present, in order, once${run.logs.receivers.length ? '' : ' (no notification receiver configured: queued, not sent)'}` : `missing ${run.logs.missing.join(', ') || '-'}; duplicated ${run.logs.duplicated.join(', ') || '-'}${run.logs.outOfOrder ? '; out of order' : ''}${run.logs.notificationsFailed ? `; ${run.logs.notificationsFailed} notifications failed` : ''}`);
    return run;
  } finally {
    // ---- restore -----------------------------------------------------------------------
    const problemsAfter: string[] = [];
    if (how === 'stand-in') await setFailLogins(o.olympus, false).catch((err: Error) => problemsAfter.push(`stand-in: ${err.message}`));
    else if (run.t.injected !== null) {
      const dm = await okJson('GET /drill-mode', api['drill-mode'].$get()).catch(() => undefined);
      if (dm?.state) run.injection.counters = dm.state.counters;
      await okJson('POST /drill-mode/end', api['drill-mode'].end.$post({ json: { reason: 'npm run drill: done' } })).catch((err: Error) => problemsAfter.push(`drill mode: ${err.message}`));
      mark('drill mode ended', run.injection.counters ? `drill counters: ${run.injection.counters.failed} failed, ${run.injection.counters.succeeded} succeeded, ${run.injection.counters.clients} synthetic clients, ${run.injection.counters.batches} batches` : '');
    }
    if (before.flag.enabled) {
      const back = await api.flags.olympus_auth.$post({ json: { enabled: true, ...(before.flag.percent !== undefined ? { percent: before.flag.percent } : {}), reason: 'drill: restore the flag as it was', override_reason: DRILL_OVERRIDE } });
      if (!back.ok) problemsAfter.push(`re-enabling Olympus answered ${back.status}`);
    }
    const now = await readStatus(api).catch(() => undefined);
    if (now && now.flag.enabled !== before.flag.enabled) problemsAfter.push(`Olympus is ${now.flag.enabled ? 'on' : 'off'}, it was ${before.flag.enabled ? 'on' : 'off'}`);
    run.restored = problemsAfter.length ? { ok: false, detail: problemsAfter.join('; ') } : { ok: true, detail: `Olympus ${before.flag.enabled ? 'on again' : 'off, as before'}; the stand-in accepts logins` };
    mark('restore', run.restored.detail);
  }
}

/** The plan's expected trail: (Olympus on,) one rollback, its two notifications; in order, once each. */
export function compareLogs(entries: readonly AuditEntry[], expectEnable: boolean, receivers: readonly string[]): DrillRun['logs'] {
  const expected = [...(expectEnable ? ['flag.changed'] : []), 'rollback', 'notification.rollback.triggered', 'notification.rollback.completed'];
  const types = entries.map((e) => e.type);
  const missing = expected.filter((t) => !types.includes(t));
  const duplicated = ['rollback', 'notification.rollback.triggered', 'notification.rollback.completed'].filter((t) => types.filter((x) => x === t).length > 1);
  const positions = expected.map((t) => types.indexOf(t)).filter((i) => i >= 0);
  const outOfOrder = positions.some((p, i) => i > 0 && p < positions[i - 1]!);
  const notificationsFailed = types.filter((t) => t === 'notification.failed').length;
  return { ok: missing.length === 0 && duplicated.length === 0 && !outOfOrder && notificationsFailed === 0, missing, duplicated, outOfOrder, notificationsFailed, receivers: [...receivers] };
}

/** Origin of the page a fresh browser's GET /login is sent to. */
async function loginTarget(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/login`, { redirect: 'manual', headers: { 'cf-connecting-ip': `198.51.100.${1 + Math.floor(Math.random() * 254)}` } });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  return res.status === 302 && location ? new URL(location, gateway).origin : `(${res.status})`;
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(100);
  }
  return false;
}

/** A real sign-in through the gateway: /login, the provider's form, back to the app with a session. */
async function signIn(browser: TinyBrowser, gateway: string, user: Credentials, providerOrigin: string): Promise<boolean> {
  try {
    const login = await browser.navigate(`${gateway}/login?returnTo=%2F`);
    if (new URL(login.url).origin !== providerOrigin) return false;
    const home = await browser.submitForm(login, { email: user.email, password: user.password });
    return home.url === `${gateway}/` && home.status === 200;
  } catch {
    return false;
  }
}

async function setFailLogins(olympus: string, failLogins: boolean): Promise<void> {
  const res = await fetch(`${olympus}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins }) });
  if (res.status !== 200) throw new Error(`Olympus stand-in ${olympus}/_control/mode answered ${res.status}: ${await res.text()}`);
}

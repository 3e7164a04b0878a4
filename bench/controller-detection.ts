// Time to roll back with the DEFAULT rules (the plan's text, no fast rules),
// end to end through the gateway under wrangler dev, at 200 logins per 5 min:
// a healthy crowd of 200 distinct clients signs in (the rule's window then
// holds 200 logins, as at that traffic), then logins arrive one every 1.5 s,
// each from one of those clients, and
//   - total:  every Olympus login comes back with error=access_denied;
//   - half:   every other one does (the IdP's failure mode alternates), the others sign in;
//   - stuck:  every login stays at the Olympus page and never comes back.
// The figure is the time from the first failing callback (the first stuck
// login's start) to the controller's flip (rollback_at in the audit, same
// clock) and to the first /login a fresh browser is sent to Auth0 with.
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, type Stack } from '../dev/stack.ts';
import { TinyBrowser, type Page, type TinyRequestInit } from '../dev/tiny-browser.ts';
import { rollbackAudits, setOlympus, status } from './controller-metrics.ts';
import { LOGIN_RULE } from './controller-stack.ts';

const CLIENT_IP_HEADER = 'cf-connecting-ip';
const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const CROWD = 200;
const CROWD_CONCURRENCY = 8;
/** 200 logins per 5 minutes. */
const INTERVAL_MS = 1500;
const TIMEOUT_MS = 150_000;
/** Between /login probes (the flip time itself comes from the audit, to the millisecond). */
const PROBE_EVERY_MS = 50;

export type DetectionScenario = 'total' | 'half' | 'stuck';
export const TARGET_MS: Record<DetectionScenario, number> = { total: 10_000, half: 30_000, stuck: 60_000 };

export interface DetectionTiming {
  scenario: DetectionScenario;
  /** ms from the first failing callback (stuck: the first stuck login's start) to the flip. */
  detectionMs: number;
  /** ms from the same point to the first /login sent to Auth0. */
  totalMs: number;
  failingLogins: number;
  logins: number;
  evidence: unknown;
  horizonSeconds: number | null;
  /** ms from starting the stack to the first scenario login (stack, crowd, the window read). */
  setupMs: number;
}

class ClientAt extends TinyBrowser {
  constructor(readonly ip: string) {
    super(`switchback-detection-bench/1 (${ip})`);
  }

  override request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { [CLIENT_IP_HEADER]: this.ip, ...init.headers } });
  }
}

async function mode(stack: Stack, failLogins: boolean | 'hang'): Promise<void> {
  const res = await fetch(`${stack.olympus.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins }) });
  if (res.status !== 200) throw new Error(`olympus /_control/mode answered ${res.status}`);
  await res.arrayBuffer();
}

async function signIn(stack: Stack, c: ClientAt): Promise<Page> {
  const form = await c.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`);
  if (!form.body.includes('name="password"')) return form;
  return c.submitForm(form, ALICE);
}

let probeSeq = 0;
async function loginOrigin(stack: Stack): Promise<string> {
  const n = probeSeq++;
  const res = await fetch(`${stack.gatewayUrl}/login`, { redirect: 'manual', headers: { [CLIENT_IP_HEADER]: `172.17.${(n >> 8) & 255}.${n & 255}` } });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  return location ? new URL(location, stack.gatewayUrl).origin : `(${res.status})`;
}

async function crowd(stack: Stack, clients: ClientAt[]): Promise<void> {
  for (let i = 0; i < clients.length; i += CROWD_CONCURRENCY) {
    const pages = await Promise.all(clients.slice(i, i + CROWD_CONCURRENCY).map((c) => signIn(stack, c)));
    const bad = pages.find((p) => p.status !== 200 || p.url.includes('/callback'));
    if (bad) throw new Error(`healthy sign-in ended at ${bad.status} ${bad.url}`);
  }
}

type DetectorSeen = { detector?: { horizon_seconds: number | null; observations_30d: number } };

/** Waits for the cadence's evaluation to have read the crowd into the window (observations_30d = samples x 8,640). */
async function windowRead(stack: Stack) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const before = await status(stack);
    const rule = before.rules.find((r) => r.rule === LOGIN_RULE);
    if (!before.flag.enabled || !rule) throw new Error('Olympus is not on, or the login rule is missing');
    const seen = (rule as DetectorSeen).detector?.observations_30d ?? 0;
    if (seen >= CROWD * 8640) return { before, rule };
    if (Date.now() > deadline) throw new Error(`the window did not read the crowd within 15 s (observations_30d ${seen})`);
    await sleep(250);
  }
}

export async function timeDetection(scenario: DetectionScenario): Promise<DetectionTiming> {
  // Default rules: no ROLLBACK_RULES.
  const setupFrom = Date.now();
  const stack = await startStack({ extraVars: {} });
  try {
    const gw = stack.gatewayUrl;
    const olympus = new URL(stack.olympus.url).origin;
    const auth0 = new URL(stack.auth0.url).origin;
    await setOlympus(stack, true);
    for (let i = 0; i < 100 && (await loginOrigin(stack)) !== olympus; i++) await sleep(100);
    const clients = Array.from({ length: CROWD }, (_, i) => new ClientAt(`10.77.${i >> 8}.${(i & 255) + 1}`));
    // Known clients from now on. (Their time to callback is not learnt here: the stand-in answers before the
    // gateway's 200 ms flush, so each callback settles before its login_started arrives, and no login is pending.)
    await crowd(stack, clients);
    // One evaluation (every 10 s) reads the window (200 logins): h and the attack floor for that traffic.
    const { before, rule } = await windowRead(stack);
    const seqBefore = (await rollbackAudits(stack))[0]?.seq ?? 0;
    if (scenario === 'total') await mode(stack, true);
    let reference: number | undefined;
    let auth0At: number | undefined;
    let failing = 0;
    let logins = 0;
    const prober = (async () => {
      const deadline = Date.now() + TIMEOUT_MS;
      while (Date.now() < deadline && auth0At === undefined) {
        if ((await loginOrigin(stack)) === auth0) auth0At = Date.now();
        else await sleep(PROBE_EVERY_MS);
      }
    })();
    const started = Date.now();
    const setupMs = started - setupFrom;
    // One login at a time, one every 1.5 s (each takes well under that against the stand-ins), so the
    // IdP's mode can alternate for "half" (every other login refused with error=access_denied).
    for (let i = 0; auth0At === undefined && Date.now() - started < TIMEOUT_MS; i++) {
      const t0 = Date.now();
      const c = clients[i % CROWD]!;
      const fails = scenario !== 'half' || i % 2 === 0;
      if (scenario === 'half') await mode(stack, fails);
      logins++;
      if (scenario === 'stuck') {
        // A fresh browser at the same address (a known client): no IdP session to sign it in silently.
        const page = await new ClientAt(c.ip).navigate(`${gw}/login?returnTo=%2F`);
        if (new URL(page.url).origin === olympus) {
          failing++;
          reference ??= t0;
        }
      } else {
        const page = fails ? await c.navigate(`${gw}/login?returnTo=%2F`) : await signIn(stack, c);
        if (page.url.startsWith(`${gw}/callback`) && page.status === 401) {
          failing++;
          reference ??= Date.now();
        }
      }
      await sleep(Math.max(0, INTERVAL_MS - (Date.now() - t0)));
    }
    await prober;
    if (auth0At === undefined || reference === undefined) throw new Error(`${scenario}: no rollback within ${TIMEOUT_MS} ms (${failing} failing of ${logins} logins)`);
    const audit = (await rollbackAudits(stack)).find((e) => e.seq > seqBefore && e.actor === 'switchback-controller');
    if (!audit) throw new Error(`${scenario}: /login went to Auth0 but the audit has no rollback by switchback-controller`);
    return {
      scenario,
      detectionMs: Date.parse(audit.data.rollback_at) - reference,
      totalMs: auth0At - reference,
      failingLogins: failing,
      logins,
      evidence: (audit.data as Record<string, unknown>).evidence ?? null,
      setupMs,
      horizonSeconds: (rule as DetectorSeen).detector?.horizon_seconds ?? null,
    };
  } finally {
    await mode(stack, false).catch(() => {});
    await stack.stop();
  }
}

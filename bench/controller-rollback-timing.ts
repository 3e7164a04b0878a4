// Times one automatic rollback through the real gateway: the Olympus stand-in
// refuses every login, scripted clients with distinct client IPs keep trying
// (as people would), and a prober asks GET /login where new logins go. The
// figure is the wall time from the first failing callback (the first
// breaching event) to the first /login redirected to the Auth0 stand-in,
// split at the controller's flip (rollback_at in the audit, same clock).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../dev/stack.ts';
import { TinyBrowser, type TinyRequestInit } from '../dev/tiny-browser.ts';
import { LOGIN_RULE } from './controller-stack.ts';
import { rollbackAudits, setOlympus, status } from './controller-metrics.ts';
import type { RuleStatus } from '../scripts/cli/admin-api.ts';

const CLIENT_IP_HEADER = 'cf-connecting-ip';
const MAX_ATTEMPTS_PER_CLIENT = 20; // below the /login rate limit (30/min per client)
const PROBE_INTERVAL_MS = 25;
const ROLLBACK_TIMEOUT_MS = 30_000;

/** A TinyBrowser that is one client: its IP goes with every request, redirects included. */
class ClientAt extends TinyBrowser {
  constructor(readonly ip: string) {
    super(`switchback-controller-bench/1 (${ip})`);
  }

  override request(url: string, init: TinyRequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, headers: { [CLIENT_IP_HEADER]: this.ip, ...init.headers } });
  }
}

export interface RollbackTiming {
  run: number;
  /** ms from the first failing callback to the first /login sent to Auth0. */
  totalMs: number;
  /** ms from the first failing callback to the controller's flip (rollback_at). */
  detectionMs: number;
  /** ms from the flip to the first /login seen going to Auth0. */
  propagationMs: number;
  failedLogins: number;
  clients: number;
  probes: number;
  /** What the controller measured when it flipped. */
  measured: { rule: string | null; value: number | null; samples: number | null; clients: number | null };
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

async function setFailLogins(stack: Stack, failLogins: boolean): Promise<void> {
  const res = await fetch(`${stack.olympus.url}/_control/mode`, { method: 'POST', body: JSON.stringify({ failLogins }) });
  if (res.status !== 200) throw new Error(`olympus /_control/mode answered ${res.status}`);
  await res.arrayBuffer();
}

let probeSeq = 0;
/** Where GET /login sends a fresh browser (a new client address each time). */
async function loginOrigin(stack: Stack): Promise<string> {
  const n = probeSeq++;
  const res = await fetch(`${stack.gatewayUrl}/login`, { redirect: 'manual', headers: { [CLIENT_IP_HEADER]: `172.16.${(n >> 8) & 255}.${n & 255}` } });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  return location ? new URL(location, stack.gatewayUrl).origin : `(${res.status})`;
}

/** Waits until the last run's failures and probes have left the rule's window, so this run starts clean. */
async function waitForCleanWindow(stack: Stack): Promise<void> {
  await poll(
    'the login rule window to empty',
    async () => {
      const s = await status(stack);
      const rule = s.rules.find((r: RuleStatus) => r.rule === LOGIN_RULE);
      return rule && rule.samples === 0 && s.pending_logins === 0 ? true : undefined;
    },
    60_000,
    500,
  );
}

export async function timeRollback(stack: Stack, run: number, failingClients: number): Promise<RollbackTiming> {
  const olympus = new URL(stack.olympus.url).origin;
  const auth0 = new URL(stack.auth0.url).origin;
  await waitForCleanWindow(stack);
  const seqBefore = (await rollbackAudits(stack))[0]?.seq ?? 0;
  await setOlympus(stack, true);
  await poll('new logins routed to Olympus', async () => ((await loginOrigin(stack)) === olympus ? true : undefined), 5_000, 50);
  probeSeq = 0;

  await setFailLogins(stack, true);
  let firstFailureAt = Infinity;
  let firstAuth0At: number | undefined;
  let failedLogins = 0;
  let probes = 0;
  const unexpected: string[] = [];
  try {
    const client = async (i: number) => {
      const c = new ClientAt(`10.${100 + run}.${i >> 8}.${i & 255}`);
      for (let a = 0; a < MAX_ATTEMPTS_PER_CLIENT && firstAuth0At === undefined; a++) {
        const page = await c.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`);
        const at = Date.now();
        const u = new URL(page.url);
        if (`${u.origin}${u.pathname}` === `${stack.gatewayUrl}/callback` && page.status === 401) {
          failedLogins++;
          firstFailureAt = Math.min(firstFailureAt, at);
        } else if (u.origin === auth0) {
          return; // rolled back: this person is now on Auth0
        } else {
          unexpected.push(`${page.status} ${page.url}`);
          return;
        }
      }
    };
    const prober = async () => {
      const deadline = Date.now() + ROLLBACK_TIMEOUT_MS;
      while (Date.now() < deadline) {
        probes++;
        if ((await loginOrigin(stack)) === auth0) {
          firstAuth0At = Date.now();
          return;
        }
        await sleep(PROBE_INTERVAL_MS);
      }
    };
    await Promise.all([prober(), ...Array.from({ length: failingClients }, (_, i) => client(i + 1))]);
  } finally {
    await setFailLogins(stack, false);
  }
  if (unexpected.length) throw new Error(`run ${run}: logins ended unexpectedly: ${unexpected.slice(0, 3).join('; ')}`);
  if (firstAuth0At === undefined) throw new Error(`run ${run}: no rollback within ${ROLLBACK_TIMEOUT_MS} ms (${failedLogins} failed logins)`);
  const audit = (await rollbackAudits(stack)).find((e) => e.seq > seqBefore && e.actor === 'switchback-controller');
  if (!audit) throw new Error(`run ${run}: /login went to Auth0 but the audit has no rollback by switchback-controller`);
  const flipAt = Date.parse(audit.data.rollback_at);
  return {
    run,
    totalMs: firstAuth0At - firstFailureAt,
    detectionMs: flipAt - firstFailureAt,
    propagationMs: firstAuth0At - flipAt,
    failedLogins,
    clients: failingClients,
    probes,
    measured: { rule: audit.data.rule, value: audit.data.value, samples: audit.data.samples, clients: audit.data.clients },
  };
}

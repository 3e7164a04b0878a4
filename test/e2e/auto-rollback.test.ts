/**
 * The automatic rollback, end to end: the real gateway under wrangler dev
 * with fast rules (evaluate every 1 s, 1 min window, 20 samples, 5 clients,
 * 2 breaching evaluations in a row), the Olympus stand-in made to refuse every
 * login, and scripted clients with distinct client IPs (cf-connecting-ip,
 * which wrangler dev passes to the worker as the client sent it).
 *
 * 1. One client scripting failed logins (capped per client, rate limited)
 *    does not roll back, although its raw failures alone would cross the rule.
 * 2. Beside a healthy crowd of sign-ins from many clients, one login
 *    transaction replayed at /callback hundreds of times from other addresses
 *    counts once: the replays get 400, no rollback.
 * 3. Beside a healthy crowd, 240 addresses of one IPv6 /64 each failing
 *    three logins are one client (capped, rate limited): no rollback.
 * 4. An outage seen by many clients rolls back by itself: new logins go to
 *    Auth0 and work there, Olympus sessions from before keep working until
 *    the overlap ends and then get 401 session_expired, the audit holds one
 *    rollback by switchback-controller with the rule and what was measured,
 *    and the webhook got rollback.triggered and rollback.completed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from '../../dev/stack.ts';
import { auditEntries, controllerStatus, ruleStatus, waitForEvaluations, waitForStatus, type ControllerStatus } from './support/controller-api.ts';
import { loginTarget, setIdpMode, switchProvider, waitForLoginRoute } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { pollUntil } from './support/poll.ts';
import { clientIp, ScriptedClient, type LoginAttempt } from './support/scripted-client.ts';
import { startNotifyWebhookSink, type NotifyWebhookSink } from './support/notify-webhook-sink.ts';

const OVERLAP_SECONDS = 8;
const RULE = 'login_success_rate < 95%';
const MIN_SAMPLES = 20;
const MIN_CLIENTS = 5;
const MAX_PER_CLIENT = 3; // the login rule's default: one client weighs at most 3 samples in a window
const RULES_YAML = `evaluate_every: 1s
abandon_after: 5s
rollback_if:
  - rule: ${RULE}
    window: 1m
    min_samples: ${MIN_SAMPLES}
    min_clients: ${MIN_CLIENTS}
    consecutive: 2
  - api_error_rate > 5%
  - support_tickets_per_hour > 50
  - manual_decision_by: [oncall, eng-lead]
`;
/** The same rules on one line (the gateway's env file takes no line breaks; rules accept JSON, a subset of YAML). */
const ROLLBACK_RULES = JSON.stringify(parseYaml(RULES_YAML));
const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const ALICE_OLYMPUS_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** Address blocks of the scripted clients (reserved ranges, apart from gateway-admin's 198.51.100.x probes). */
const SIGNED_IN_BLOCK = '203.0.113';
const OUTAGE_BLOCK = '100.64.0';
const ATTACKER_IP = '192.0.2.66';
const SIGNED_IN_CLIENTS = 6;
const OUTAGE_CLIENTS = 8;
const LOGIN_RATE_LIMIT = 30; // wrangler.toml: 30 /login per client key per minute
const CLOCK_SLACK_MS = 50;
/**
 * The healthy crowd beside each attack: distinct IPv4 clients signing in through Olympus, a few at a time.
 * Large enough that the window's own leftovers (the first test's capped attacker, abandoned probe logins)
 * do not read as an outage: 80 good against about 9 bad keeps the 99.9% Wilson upper bound above 95%.
 */
const CROWD = 80;
const CROWD_CONCURRENCY = 8;
const REPLAYS = 300;
const REPLAY_ATTACKER_IP = '192.0.2.77';
/** One IPv6 /64 (documentation prefix): 240 addresses in it, each failing 3 logins. */
const ATTACK_64 = '2001:db8:66:1';
const ATTACK_64_ADDRESSES = 240;
const ATTACK_64_LOGINS_EACH = 3;

let stack: Stack;
let webhook: NotifyWebhookSink;
let gw: string;
let logBefore = '';
/** Signed in through Olympus before anything fails; their sessions must survive the rollback for the overlap. */
const signedIn: { client: ScriptedClient; session: string }[] = [];

beforeAll(async () => {
  webhook = await startNotifyWebhookSink();
  stack = await startStack({
    extraVars: { NOTIFY_WEBHOOK_URL: webhook.url, TOKEN_OVERLAP_SECONDS: String(OVERLAP_SECONDS), ROLLBACK_RULES },
  });
  gw = stack.gatewayUrl;
});

afterAll(async () => {
  await stack?.stop();
  await webhook?.stop();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}\n--- webhook ---\n${JSON.stringify(webhook.received, null, 1).slice(-4000)}`));
  logBefore = stack.gatewayOutput();
});

afterEach(() => {
  expect(unhandledErrorsSince(stack, logBefore)).toEqual([]);
});

const failedAtOlympus = (a: LoginAttempt) => a.status === 401 && a.error === 'access_denied';

/** Runs `fn` over `items`, `size` at a time; results in order. */
async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  return out;
}

/** `CROWD` clients of `block` each sign in through Olympus (real IdP stand-in, real form). */
async function healthyCrowd(block: string): Promise<void> {
  const clients = Array.from({ length: CROWD }, (_, i) => new ScriptedClient(clientIp(block, i + 1)));
  await inBatches(clients, CROWD_CONCURRENCY, (c) => c.signIn(stack, 'olympus', ALICE.email, ALICE.password));
}

const olympusCount = (s: ControllerStatus, outcome: string) => s.last_5_minutes.logins.olympus?.[outcome] ?? 0;

/** After an attack: enough evaluations ran to fire twice over, and nothing moved the rule or the flag. */
async function expectNoRollback(): Promise<ControllerStatus> {
  const status = await waitForEvaluations(stack, 4, 15_000);
  expect(status.flag.enabled).toBe(true);
  const rule = ruleStatus(status, RULE);
  expect(rule.verdict).not.toBe('breach');
  expect(rule.streak).toBe(0);
  expect((await auditEntries(stack)).filter((e) => e.type === 'rollback')).toEqual([]);
  expect(await loginTarget(gw)).toBe(new URL(stack.olympus.url).origin);
  return status;
}

describe('automatic rollback on a failing Olympus', () => {
  it('one client scripting failed logins does not roll back, although its raw failures alone would cross the rule', async () => {
    const flag = await switchProvider(stack, 'olympus');
    expect(flag.enabled).toBe(true);
    for (let i = 1; i <= SIGNED_IN_CLIENTS; i++) {
      const client = new ScriptedClient(clientIp(SIGNED_IN_BLOCK, i));
      const session = await client.signIn(stack, 'olympus', ALICE.email, ALICE.password);
      const who = await client.whoami(stack);
      expect(who.status).toBe(200);
      expect(who.body).toMatchObject({ provider: 'olympus', sub: ALICE_OLYMPUS_SUB });
      signedIn.push({ client, session });
    }
    // Precondition: the worker tells the scripted clients apart (wrangler dev passes cf-connecting-ip through as sent).
    await waitForStatus(stack, `${SIGNED_IN_CLIENTS} distinct clients counted`, (s) => (ruleStatus(s, RULE).clients >= SIGNED_IN_CLIENTS ? true : undefined), 5_000);

    await setIdpMode(stack.olympus.url, { failLogins: true });
    const attacker = new ScriptedClient(ATTACKER_IP);
    const attempts: LoginAttempt[] = [];
    try {
      // Until the limiter has refused a few (its 60 s windows are wall-clock aligned: one may roll over meanwhile).
      while (attempts.filter((a) => a.status === 429).length < 5 && attempts.length < 3 * LOGIN_RATE_LIMIT) attempts.push(await attacker.failingLogin(stack));
    } finally {
      await setIdpMode(stack.olympus.url, { failLogins: false });
    }
    const failed = attempts.filter(failedAtOlympus).length;
    const limited = attempts.filter((a) => a.status === 429).length;
    expect(failed + limited).toBe(attempts.length); // each one failed at Olympus or was refused by the rate limit
    expect(limited).toBeGreaterThanOrEqual(5);
    expect(failed).toBeGreaterThanOrEqual(LOGIN_RATE_LIMIT);

    // Every failure reached the controller (uncapped count), then enough evaluations ran to fire twice over.
    await waitForStatus(stack, 'the attacker\'s failures counted', (s) => ((s.last_5_minutes.logins.olympus?.failed ?? 0) >= failed ? true : undefined), 10_000);
    const status = await waitForEvaluations(stack, 4, 15_000);
    expect(status.flag.enabled).toBe(true);
    const rule = ruleStatus(status, RULE);
    // Raw: SIGNED_IN_CLIENTS good and >= 30 bad from 7 clients would be a clear breach; capped, one client weighs at most 3 samples.
    expect(SIGNED_IN_CLIENTS + failed).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(rule.verdict).toBe('inconclusive');
    expect(rule.samples).toBeLessThan(MIN_SAMPLES);
    expect(rule.samples).toBeLessThanOrEqual(SIGNED_IN_CLIENTS + MAX_PER_CLIENT + 2); // + the capped attacker + abandoned probe logins
    expect(rule.streak).toBe(0);
    expect((await auditEntries(stack)).filter((e) => e.type === 'rollback')).toEqual([]);
    expect(await loginTarget(gw)).toBe(new URL(stack.olympus.url).origin);
  });

  it('a replayed callback: one /login, hundreds of forged denials with its cookie from other addresses, beside a healthy crowd: counted once, no rollback', async () => {
    const before = await controllerStatus(stack);
    const attacker = new ScriptedClient(REPLAY_ATTACKER_IP);
    const login = await attacker.startLogin(stack);
    expect(login.state).not.toBeNull();
    // The attacker knows its own state: no need for the IdP to fail, it writes the denial itself.
    const url = `${gw}/callback?${new URLSearchParams({ error: 'access_denied', state: login.state!, iss: stack.olympus.issuer })}`;
    const send = async (i: number) => {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: `__Host-sb_login=${login.loginCookie}`, 'cf-connecting-ip': `198.19.${i >> 8}.${i & 255}`, accept: 'text/html' } });
      await res.arrayBuffer();
      return res.status;
    };
    expect(await send(0)).toBe(401); // the first callback settles the login: one failed login, counted
    const [statuses] = await Promise.all([inBatches(Array.from({ length: REPLAYS }, (_, i) => i + 1), 10, send), healthyCrowd('198.18.0')]);
    expect(statuses.filter((s) => s === 400)).toHaveLength(REPLAYS);

    await waitForStatus(stack, 'the crowd counted', (s) => (olympusCount(s, 'succeeded') >= olympusCount(before, 'succeeded') + CROWD ? true : undefined), 10_000);
    const status = await expectNoRollback();
    expect(olympusCount(status, 'failed')).toBe(olympusCount(before, 'failed') + 1);
  });

  it('240 addresses of one IPv6 /64, each failing three logins beside a healthy crowd: one client, rate limited, no rollback', async () => {
    const before = await controllerStatus(stack);
    const addresses = Array.from({ length: ATTACK_64_ADDRESSES }, (_, i) => `${ATTACK_64}:${((i * 7919) & 0xffff).toString(16)}:${i.toString(16)}::${(i + 1).toString(16)}`);
    const attack = inBatches(addresses, 12, async (ip) => {
      const client = new ScriptedClient(ip);
      const attempts: LoginAttempt[] = [];
      for (let k = 0; k < ATTACK_64_LOGINS_EACH; k++) attempts.push(await client.deniedLogin(stack, 'olympus'));
      return attempts;
    });
    const [attempts] = await Promise.all([attack.then((a) => a.flat()), healthyCrowd('198.18.1')]);
    const denied = attempts.filter((a) => a.status === 401).length;
    const limited = attempts.filter((a) => a.status === 429).length;
    expect(denied + limited).toBe(ATTACK_64_ADDRESSES * ATTACK_64_LOGINS_EACH); // each failed at /callback or was refused by the rate limit
    // One /64 is one client of the /login limit (its 60 s windows are wall-clock aligned: at most two of them here).
    expect(denied).toBeGreaterThanOrEqual(MAX_PER_CLIENT);
    expect(denied).toBeLessThanOrEqual(2 * LOGIN_RATE_LIMIT);

    await waitForStatus(stack, 'the crowd and the attack counted', (s) => (olympusCount(s, 'succeeded') >= olympusCount(before, 'succeeded') + CROWD && olympusCount(s, 'failed') >= olympusCount(before, 'failed') + denied ? true : undefined), 10_000);
    await expectNoRollback();
  });

  it('an outage seen by many clients rolls back by itself; Olympus sessions last the overlap; audited and notified', async () => {
    expect(signedIn).toHaveLength(SIGNED_IN_CLIENTS);
    await setIdpMode(stack.olympus.url, { failLogins: true });
    let attempts: { client: ScriptedClient; attempt: LoginAttempt }[] = [];
    let rolledBack;
    try {
      // Each client tries twice, like people retrying; all at once, like an outage.
      const clients = Array.from({ length: OUTAGE_CLIENTS }, (_, i) => new ScriptedClient(clientIp(OUTAGE_BLOCK, i + 1)));
      attempts = (await Promise.all(clients.map(async (client) => [{ client, attempt: await client.failingLogin(stack) }, { client, attempt: await client.failingLogin(stack) }]))).flat();
      rolledBack = await waitForStatus(stack, 'the controller rolls back by itself', (s) => (s.flag.enabled ? undefined : s), 20_000);
    } finally {
      await setIdpMode(stack.olympus.url, { failLogins: false });
    }
    const flag = rolledBack!.value.flag;
    expect(flag.updated_by).toBe('switchback-controller');
    expect(flag.rollback_at).toEqual(expect.any(String));
    const cutoffMs = (Math.floor(Date.parse(flag.rollback_at!) / 1000) + OVERLAP_SECONDS) * 1000;

    // The outage really was spread over clients: at least min_clients of them failed at Olympus.
    const failedClients = new Set(attempts.filter((a) => failedAtOlympus(a.attempt)).map((a) => a.client.ip));
    expect(failedClients.size).toBeGreaterThanOrEqual(MIN_CLIENTS);
    // An attempt that did not fail at Olympus started after the rollback and went to Auth0.
    for (const { attempt } of attempts.filter((a) => !failedAtOlympus(a.attempt))) expect(attempt.url.startsWith(stack.auth0.url)).toBe(true);

    // Within the overlap: every Olympus session from before still works.
    for (const { client } of signedIn) {
      const who = await client.whoami(stack);
      expect(who.status).toBe(200);
      expect(who.body).toMatchObject({ provider: 'olympus', sub: ALICE_OLYMPUS_SUB, assertion: 'valid' });
      expect(who.answeredAt).toBeLessThan(cutoffMs);
    }

    // New logins: /login redirects to the Auth0 stand-in, and a sign-in there works.
    await waitForLoginRoute(gw, stack.auth0.url, 2_000);
    const newcomer = new ScriptedClient(clientIp(SIGNED_IN_BLOCK, 100));
    await newcomer.signIn(stack, 'auth0', ALICE.email, ALICE.password);
    const auth0Who = await newcomer.whoami(stack);
    expect(auth0Who.status).toBe(200);
    expect(auth0Who.body).toMatchObject({ provider: 'auth0', sub: 'auth0|alice', assertion: 'valid' });

    // After the overlap: the Olympus sessions are refused with session_expired (polled; acceptances all before the cut).
    const [first, ...others] = signedIn;
    const accepted: number[] = [];
    const { value: refusal } = await pollUntil(
      'Olympus session refused after the overlap',
      async () => {
        const who = await first!.client.whoami(stack);
        if (who.status === 200) {
          accepted.push(who.sentAt);
          return undefined;
        }
        return who;
      },
      { timeoutMs: cutoffMs - Date.now() + 3_000, intervalMs: 100 },
      () => `still accepted at ${new Date().toISOString()}, cutoff ${new Date(cutoffMs).toISOString()}`,
    );
    for (const sentAt of accepted) expect(sentAt).toBeLessThan(cutoffMs + CLOCK_SLACK_MS);
    expect(refusal.answeredAt).toBeGreaterThanOrEqual(cutoffMs - CLOCK_SLACK_MS);
    expect(refusal.status).toBe(401);
    expect(refusal.body).toMatchObject({ error: 'session_expired' });
    for (const { client } of others) {
      const who = await client.whoami(stack);
      expect(who.status).toBe(401);
      expect(who.body).toMatchObject({ error: 'session_expired' });
    }
    expect((await newcomer.whoami(stack)).status).toBe(200); // Auth0 sessions are not affected

    // The audit: exactly one rollback, by the controller, with the rule and what it measured.
    const rollbacks = (await auditEntries(stack)).filter((e) => e.type === 'rollback');
    expect(rollbacks).toHaveLength(1);
    const audit = rollbacks[0]!;
    expect(audit.actor).toBe('switchback-controller');
    expect(audit.data).toMatchObject({ rule: RULE, window: 60, threshold: 0.95, reason: `rule breached: ${RULE}`, rollback_at: flag.rollback_at });
    expect(audit.data.value).toEqual(expect.any(Number));
    expect(audit.data.value as number).toBeLessThan(0.95);
    expect(audit.data.samples as number).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(audit.data.clients as number).toBeGreaterThanOrEqual(MIN_CLIENTS);

    // The webhook: rollback.triggered then rollback.completed, schema v1, with the same measurement.
    await webhook.waitForTypes(['rollback.triggered', 'rollback.completed'], 15_000);
    const notes = webhook.received.filter((n) => String(n.type).startsWith('rollback.'));
    expect(notes.map((n) => n.type)).toEqual(['rollback.triggered', 'rollback.completed']);
    for (const note of notes) {
      expect(note).toMatchObject({
        schema: 'switchback.notification.v1',
        rule: RULE,
        value: audit.data.value,
        threshold: 0.95,
        window: 60,
        samples: audit.data.samples,
        actor: 'switchback-controller',
        dry_run: false,
        flag: { enabled: false, rollback_at: flag.rollback_at },
      });
      expect(note.text).toEqual(expect.stringContaining(RULE));
    }

    // Nothing flips back on its own.
    expect((await controllerStatus(stack)).flag.enabled).toBe(false);
  });
});

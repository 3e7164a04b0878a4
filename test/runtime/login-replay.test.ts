/**
 * A login transaction counts once: the first callback settles it with the
 * controller, a replay of the same sealed cookie is refused (400) and counted
 * nowhere, the settle does not depend on `login_started` having arrived, the
 * controller counts one outcome per login id, and /callback is rate limited
 * per client. If the controller cannot answer, the login still works and its
 * outcome is not counted.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installNetwork, type Network } from './support/fake-network.ts';
import { cookiesFrom, gw, putFlag, resetState, testEnv } from './support/gateway.ts';
import { callback, issueCode, startLogin } from './support/login-flow.ts';
import { alarm, FAST_RULES, ingest, setRules, sleep, status, stub } from './support/controller.ts';
import { ISSUERS } from './support/constants.ts';
import { loginId } from '../../src/telemetry/client-key.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
});
afterEach(() => vi.restoreAllMocks());

/** Waits for the outcome recorder's flush (about 200 ms after the last event). */
const flushed = () => sleep(400);

function callbackFrom(ip: string, params: Record<string, string>, loginCookie: string): Promise<Response> {
  return gw(`/callback?${new URLSearchParams(params)}`, { headers: { cookie: `__Host-sb_login=${loginCookie}`, 'cf-connecting-ip': ip } });
}

function funnel(st: Record<string, any>, provider: string): Record<string, number> {
  return st.last_5_minutes.logins[provider] ?? {};
}

describe('a replayed callback', () => {
  it('gets 400 and is counted nowhere (same cookie, same state, from many addresses)', async () => {
    await putFlag({ enabled: true });
    const login = await startLogin();
    const denied = { error: 'access_denied', state: login.state, iss: ISSUERS.olympus };
    const first = await callback(denied, login.loginCookie);
    expect(first.status).toBe(401);
    await flushed();
    const before = await status();
    expect(funnel(before, 'olympus')).toMatchObject({ started: 1, failed: 1 });

    for (let i = 1; i <= 20; i++) {
      const replay = await callbackFrom(`203.0.113.${i}`, denied, login.loginCookie);
      expect(replay.status).toBe(400);
      expect(await replay.text()).toContain('already used');
    }
    await flushed();
    const after = await status();
    expect(funnel(after, 'olympus')).toEqual(funnel(before, 'olympus'));
    expect(after.last_5_minutes.failure_reasons).toEqual(before.last_5_minutes.failure_reasons);
    expect(after.rules).toEqual(before.rules);
    expect(after.events_lost_total).toBe(0);
  });

  it('a successful login cannot be replayed either: no second code redemption, no second count', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const ok = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(ok.status).toBe(302);
    expect(cookiesFrom(ok)['__Host-sb_session']).toBeTruthy();
    const replay = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(replay.status).toBe(400);
    expect(cookiesFrom(replay)['__Host-sb_session'] ?? '').toBe('');
    expect(net.auth0.counts.token).toBe(1);
    await flushed();
    expect(funnel(await status(), 'auth0')).toMatchObject({ started: 1, succeeded: 1 });
    expect(funnel(await status(), 'auth0').failed ?? 0).toBe(0);
  });

  it('a callback with another state does not settle the transaction (a stale tab cannot burn a login)', async () => {
    const login = await startLogin();
    const stale = await callback({ error: 'access_denied', state: 'not-this-login', iss: ISSUERS.auth0 }, login.loginCookie);
    expect(stale.status).toBe(400);
    expect((await stub().settleLogin(await loginId(login.state))).first).toBe(true);
  });
});

describe('settling does not depend on the order of events', () => {
  it('the first callback settles even when its login_started arrives after it: no pending, never abandoned', async () => {
    await setRules(FAST_RULES); // abandon_after 1s
    const id = await loginId('state-of-a-fast-login');
    const at = Date.now();
    expect((await stub().settleLogin(id)).first).toBe(true);
    await ingest([{ k: 'login_outcome', id, provider: 'olympus', client: 'c1', outcome: 'succeeded', at }]);
    await ingest([{ k: 'login_started', id, provider: 'olympus', client: 'c1', at }]);
    expect((await status()).pending_logins).toBe(0);
    await sleep(1100);
    await alarm();
    const st = await status();
    expect(funnel(st, 'olympus')).toMatchObject({ started: 1, succeeded: 1 });
    expect(funnel(st, 'olympus').abandoned ?? 0).toBe(0);
    expect((await stub().settleLogin(id)).first).toBe(false);
  });

  it('through the gateway: a callback right after /login (before the flush) counts once', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    expect((await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie)).status).toBe(302);
    await flushed();
    const st = await status();
    expect(funnel(st, 'auth0')).toMatchObject({ started: 1, succeeded: 1 });
    expect(st.pending_logins).toBe(0);
  });
});

describe('the controller counts one outcome per login id', () => {
  it('the same login_outcome twice in a batch and again in another batch is counted once', async () => {
    const at = Date.now();
    const e = { k: 'login_outcome' as const, id: 'login-dup-1', provider: 'olympus' as const, client: 'c1', outcome: 'failed' as const, reason: 'provider_access_denied', at };
    await ingest([{ k: 'login_started', id: e.id, provider: 'olympus', client: 'c1', at }, e, e]);
    await ingest([e, { ...e, client: 'c2', outcome: 'succeeded' }]);
    const st = await status();
    expect(funnel(st, 'olympus')).toEqual({ started: 1, failed: 1 });
    expect(st.last_5_minutes.failure_reasons).toEqual({ 'olympus:provider_access_denied': 1 });
  });

  it('refuses ids it will not store, without failing', async () => {
    expect((await stub().settleLogin('x'.repeat(129))).first).toBe(false);
    expect((await stub().settleLogin('' as string)).first).toBe(false);
  });
});

describe('/callback is rate limited per client', () => {
  it('the 31st callback in a minute from one client gets 429; another client is not affected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await callbackFrom('192.0.2.77', { code: 'c', state: 's' }, 'garbage')).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
    expect((await callbackFrom('192.0.2.78', { code: 'c', state: 's' }, 'garbage')).status).toBe(400);
  });

  it('addresses of one IPv6 /64 share the limit', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 31; i++) statuses.push((await callbackFrom(`2001:db8:77:1::${i.toString(16)}`, { code: 'c', state: 's' }, 'garbage')).status);
    expect(statuses[30]).toBe(429);
    expect((await callbackFrom('2001:db8:77:2::1', { code: 'c', state: 's' }, 'garbage')).status).toBe(400);
  });
});

describe('the controller cannot answer the settle', () => {
  const broken = {
    unreachable: () => Promise.reject(new Error('unreachable')),
    hanging: () => new Promise<never>(() => {}),
  };

  it.each(Object.entries(broken))('%s: the login still works, its outcome is not counted, and a log line says why', async (kind, settleLogin) => {
    const login = await startLogin();
    await flushed();
    const before = await status();
    const code = await issueCode(net.auth0, login);
    // Only the settle is asked while the callback runs (its outcome, if any, is flushed later).
    vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementation(() => ({ settleLogin }) as never);
    const warn = vi.spyOn(console, 'warn');
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(302);
    expect(cookiesFrom(res)['__Host-sb_session']).toBeTruthy();
    const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ event: 'login_outcome_not_counted', reason: kind === 'hanging' ? 'controller_timeout' : 'controller_unreachable' }));
    vi.restoreAllMocks();
    await flushed();
    expect(funnel(await status(), 'auth0')).toEqual(funnel(before, 'auth0'));
  });
});

/**
 * A flag read that fails must not sign anyone out: proxied requests read the
 * flag from KV, and when that copy is unreadable or stale the controller
 * decides before an Olympus credential is refused; if it cannot, a 503 keeps
 * the cookie. And no request waits on another request's pending flag read.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installNetwork, olympusJwtAccessToken, type Network } from './support/fake-network.ts';
import { gw, kv, putFlag, resetGatewayCaches, resetState, testEnv } from './support/gateway.ts';
import { signIn, startLogin } from './support/login-flow.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';
import { ISSUERS } from './support/constants.ts';

let net: Network;
let olympusSession: string;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
  olympusSession = await signIn(net.olympus, { sub: 'olympus-uuid-erin', email: 'erin@example.com' });
});
afterEach(() => vi.restoreAllMocks());

const api = (session: string) => gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}`, accept: 'application/json' } });
const failKv = () => vi.spyOn(kv(), 'get').mockRejectedValue(new Error('KV GET failed: 503'));
const breakController = () =>
  vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementation(() => ({ getFlag: () => Promise.reject(new Error('Durable Object unreachable')) }) as never);
const deletesSession = (res: Response) => res.headers.getSetCookie().some((l) => /^(__Host-)?sb_session=;/.test(l));

function deferred() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return { gate, release };
}

/** Settles with 'timeout' when `p` takes longer than `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);
}

describe('an Olympus session on a cold isolate whose KV read fails', () => {
  it('is accepted when the controller confirms Olympus is on', async () => {
    resetGatewayCaches();
    failKv();
    const res = await api(olympusSession);
    expect(res.status).toBe(200);
    expect(deletesSession(res)).toBe(false);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-auth-sub']).toBe('olympus-uuid-erin');
  });

  it('gets a 503 that keeps the cookie when the controller is down too, and reaches no origin', async () => {
    resetGatewayCaches();
    failKv();
    breakController();
    const res = await api(olympusSession);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    expect(res.headers.getSetCookie()).toEqual([]);
    const page = await gw('/dashboard', { headers: { cookie: `__Host-sb_session=${olympusSession}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(503);
    expect(deletesSession(page)).toBe(false);
    expect(net.originRequests).toHaveLength(0);
  });

  it('an Olympus bearer token gets the same 503, not a 401', async () => {
    resetGatewayCaches();
    failKv();
    breakController();
    const token = await olympusJwtAccessToken(net.olympus, { sub: 'u' });
    const res = await gw('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
  });
});

describe('a stale KV copy', () => {
  it('saying Olympus is off (written before it was enabled): the controller says on, the session is accepted', async () => {
    await kv().put(FLAG_KEY, JSON.stringify({ enabled: false, version: 0, updated_at: '2026-11-01T00:00:00.000Z', updated_by: 't', reason: 'before', rollback_at: null }));
    resetGatewayCaches();
    const res = await api(olympusSession);
    expect(res.status).toBe(200);
    expect(deletesSession(res)).toBe(false);
  });

  it('a real end of the overlap, confirmed by the controller, still signs the session out', async () => {
    await putFlag({ enabled: false, version: 2, rollback_at: new Date(Date.now() - 7200 * 1000).toISOString() });
    const res = await api(olympusSession);
    expect(res.status).toBe(401);
    expect(deletesSession(res)).toBe(true);
  });
});

describe('the hot path', () => {
  it('accepted credentials never ask the controller', async () => {
    resetGatewayCaches();
    const get = vi.spyOn(testEnv().CONTROLLER, 'get');
    for (let i = 0; i < 10; i++) expect((await api(olympusSession)).status).toBe(200);
    expect(get).not.toHaveBeenCalled();
  });
});

describe('no request waits on another request’s pending flag read', () => {
  it('proxy: a first KV read that never completes (its request was cancelled) does not hold the next request', async () => {
    resetGatewayCaches();
    const { gate, release } = deferred();
    const real = kv().get.bind(kv());
    vi.spyOn(kv(), 'get').mockImplementationOnce((async () => {
      await gate;
      return null;
    }) as never).mockImplementation(real as never);
    const first = api(olympusSession);
    await new Promise((r) => setTimeout(r, 50));
    const second = await within(api(olympusSession), 1500);
    release();
    await first;
    expect(second).not.toBe('timeout');
    expect((second as Response).status).toBe(200);
  });

  it('/login: a first flag read stuck in a cancelled request does not hold the next login', async () => {
    resetGatewayCaches();
    const { gate, release } = deferred();
    // The first request's controller call and its KV fallback never complete.
    vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementationOnce(() => ({ getFlag: () => gate.then(() => ({})) }) as never);
    const real = kv().get.bind(kv());
    vi.spyOn(kv(), 'get').mockImplementationOnce((async () => {
      await gate;
      return null;
    }) as never).mockImplementation(real as never);
    const first = gw('/login');
    await new Promise((r) => setTimeout(r, 50));
    const second = await within(startLogin('/login'), 2500);
    release();
    await first;
    expect(second).not.toBe('timeout');
    expect(new URL((second as Awaited<ReturnType<typeof startLogin>>).authorize).origin).toBe(new URL(ISSUERS.olympus).origin);
  });
});

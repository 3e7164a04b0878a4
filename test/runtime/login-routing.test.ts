/** /login, /signup, /recovery: routing by flag and percent, PKCE/state/nonce, fail-safe flag reads. */
import { describe, expect, vi } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { olympusJwtAccessToken } from './support/fake-network.ts';
import { gw, kv, putFlag, resetGatewayCaches, testEnv } from './support/gateway.ts';
import { runInDurableObject } from 'cloudflare:test';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { startLogin } from './support/login-flow.ts';
import { AUTH0_AUDIENCE, CLIENTS, GATEWAY, ISSUERS } from './support/constants.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';

const it = gatewayTest();

const providerOf = (u: URL) => (u.origin === new URL(ISSUERS.auth0).origin ? 'auth0' : u.origin === new URL(ISSUERS.olympus).origin ? 'olympus' : u.origin);

describe('login routing by flag', () => {
  it('a missing flag means Auth0, with code + PKCE S256 + state + nonce + audience', async ({ net }) => {
    const login = await startLogin('/login?returnTo=/dashboard');
    expect(providerOf(login.authorize)).toBe('auth0');
    const q = login.authorize.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENTS.auth0);
    expect(q.get('redirect_uri')).toBe(`${GATEWAY}/callback`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).not.toBe(q.get('state'));
    expect(q.get('audience')).toBe(AUTH0_AUDIENCE);
    expect(q.get('scope')).toBe('openid profile email');
  });

  it('the login transaction cookie is sealed, HttpOnly, Secure, SameSite=Lax and short-lived', async ({ net }) => {
    const res = await gw('/login');
    const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-sb_login='))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Max-Age=600/);
    const value = line.split(';')[0]!.slice('__Host-sb_login='.length);
    expect(value.split('.')).toHaveLength(5);
    // The verifier, state and nonce are not readable from the cookie.
    const state = new URL(res.headers.get('location')!).searchParams.get('state')!;
    expect(decodeURIComponent(value)).not.toContain(state);
  });

  it('an enabled flag sends logins to Olympus', async ({ net }) => {
    await putFlag({ enabled: true });
    const login = await startLogin();
    expect(providerOf(login.authorize)).toBe('olympus');
    expect(login.authorize.searchParams.get('client_id')).toBe(CLIENTS.olympus);
    expect(login.authorize.searchParams.get('audience')).toBeNull();
  });

  it('percent routes by a sticky per-browser cohort', async ({ net }) => {
    await putFlag({ enabled: true, percent: 30 });
    expect(providerOf((await startLogin('/login', '__Host-sb_cohort=10')).authorize)).toBe('olympus');
    expect(providerOf((await startLogin('/login', '__Host-sb_cohort=29')).authorize)).toBe('olympus');
    expect(providerOf((await startLogin('/login', '__Host-sb_cohort=30')).authorize)).toBe('auth0');
    expect(providerOf((await startLogin('/login', '__Host-sb_cohort=99')).authorize)).toBe('auth0');
    // A new browser gets a cohort cookie and keeps its provider on the next login.
    const first = await startLogin('/login');
    expect(first.cohortCookie).toMatch(/^\d{1,2}$/);
    const again = await startLogin('/login', `__Host-sb_cohort=${first.cohortCookie}`);
    expect(providerOf(again.authorize)).toBe(providerOf(first.authorize));
    expect(again.cohortCookie).toBeUndefined();
  });

  it('percent splits a population of browsers roughly as asked', async ({ net }) => {
    await putFlag({ enabled: true, percent: 25 });
    let olympus = 0;
    for (let c = 0; c < 100; c++) if (providerOf((await startLogin('/login', `__Host-sb_cohort=${c}`)).authorize) === 'olympus') olympus++;
    expect(olympus).toBe(25);
  });

  it('signup goes to Olympus while the flag is on, whatever the cohort, and to Auth0 otherwise', async ({ net }) => {
    await putFlag({ enabled: true, percent: 10 });
    const o = await startLogin('/signup', '__Host-sb_cohort=90');
    expect(providerOf(o.authorize)).toBe('olympus');
    expect(o.authorize.searchParams.get('prompt')).toBe('registration');
    await putFlag({ enabled: false });
    const s = await startLogin('/signup');
    expect(providerOf(s.authorize)).toBe('auth0');
    expect(s.authorize.searchParams.get('screen_hint')).toBe('signup');
  });

  it('recovery goes to the active provider', async ({ net }) => {
    expect(providerOf((await startLogin('/recovery')).authorize)).toBe('auth0');
    await putFlag({ enabled: true });
    const r = await startLogin('/recovery');
    expect(providerOf(r.authorize)).toBe('olympus');
    expect(r.authorize.searchParams.get('prompt')).toBe('login');
  });
});

describe('the flag fails safe', () => {
  /** Makes the controller object unreachable for this isolate. */
  function breakController() {
    return vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementation(() => ({ getFlag: () => Promise.reject(new Error('Durable Object unreachable')) }) as never);
  }

  it('controller unreachable: /login falls back to KV', async ({ net }) => {
    await putFlag({ enabled: true });
    breakController();
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
  });

  it('controller unreachable and a stored value that fails validation: Auth0 on a cold isolate', async ({ net }) => {
    breakController();
    await kv().put(FLAG_KEY, JSON.stringify({ enabled: 'yes' }));
    expect(providerOf((await startLogin()).authorize)).toBe('auth0');
    await kv().put(FLAG_KEY, '{not json');
    resetGatewayCaches();
    expect(providerOf((await startLogin()).authorize)).toBe('auth0');
  });

  it('controller unreachable and KV invalid: the last good value', async ({ net }) => {
    await putFlag({ enabled: true });
    breakController();
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
    await kv().put(FLAG_KEY, JSON.stringify({ enabled: true, percent: 500 }));
    await new Promise((r) => setTimeout(r, 1100));
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
  });

  it('controller and KV both unreachable: the last value seen, else Auth0', async ({ net }) => {
    await putFlag({ enabled: true });
    breakController();
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
    const spy = vi.spyOn(kv(), 'get').mockRejectedValue(new Error('KV GET failed: 503'));
    await new Promise((r) => setTimeout(r, 1100));
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
    resetGatewayCaches();
    expect(providerOf((await startLogin()).authorize)).toBe('auth0');
    expect(spy).toHaveBeenCalled();
  });

  it('proxied requests: an invalid KV value on a cold isolate is confirmed with the controller before an Olympus credential is refused', async ({ net }) => {
    await putFlag({ enabled: true });
    await kv().put(FLAG_KEY, '{"enabled":');
    resetGatewayCaches();
    const token = await olympusJwtAccessToken(net.olympus, { sub: 'u' });
    expect((await gw('/api/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // The controller says Olympus is off (and never was): refused.
    await putFlag({ enabled: false });
    await kv().put(FLAG_KEY, '{"enabled":');
    expect((await gw('/api/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('a change reaches new logins within 2 seconds, without a controller call per request', async ({ net }) => {
    await putFlag({ enabled: true });
    const get = vi.spyOn(testEnv().CONTROLLER, 'get');
    expect(providerOf((await startLogin()).authorize)).toBe('olympus');
    for (let i = 0; i < 20; i++) await startLogin();
    expect(get.mock.calls.length).toBeLessThanOrEqual(2);
    get.mockRestore();
    // Another isolate (or the controller itself) flips the flag: this isolate's cache is not told.
    await runInDurableObject(controller(testEnv()), (_i, state) =>
      new ControllerStore(state.storage.sql).set('flag', { enabled: false, version: 2, updated_at: new Date().toISOString(), updated_by: 't', reason: 'r', rollback_at: new Date().toISOString() }),
    );
    const changedAt = Date.now();
    let provider = 'olympus';
    while (provider === 'olympus' && Date.now() - changedAt < 3000) {
      provider = providerOf((await startLogin()).authorize);
      if (provider === 'olympus') await new Promise((r) => setTimeout(r, 100));
    }
    expect(provider).toBe('auth0');
    expect(Date.now() - changedAt).toBeLessThan(2000);
  });
});

describe('provider outages', () => {
  it('an unreachable provider gives a 503 page, not a crash', async ({ net }) => {
    await putFlag({ enabled: true });
    net.olympus.metadata.issuer = 'https://imposter.test';
    const res = await gw('/login');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('temporarily unavailable');
  });
});

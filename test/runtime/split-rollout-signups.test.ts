/**
 * A split rollout must not strand signups: a browser that signs up through
 * Olympus joins the Olympus cohort, and a person known to exist only in
 * Olympus is routed there when the gateway can identify them (`login_hint`,
 * or the IDENTIFIER_FIRST email step), while Olympus is enabled.
 */
import { describe, expect, vi } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { env } from 'cloudflare:workers';
import { createExecutionContext, runInDurableObject } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { cookiesFrom, gw, putFlag, testEnv } from './support/gateway.ts';
import { callback, issueCode, startLogin } from './support/login-flow.ts';
import { ADMIN, GATEWAY, ISSUERS } from './support/constants.ts';
import { controller } from '../../src/rollback/controller-client.ts';

const it = gatewayTest();

const providerOf = (u: URL) => (u.origin === new URL(ISSUERS.auth0).origin ? 'auth0' : u.origin === new URL(ISSUERS.olympus).origin ? 'olympus' : u.origin);
const AUTH0_COHORT = '__Host-sb_cohort=90';

/** What Kratos's after-registration web hook sends for a new identity. */
async function registered(id: string, email: string) {
  const identity = { id, schema_id: 'default', state: 'active', created_at: new Date().toISOString(), traits: { email }, verifiable_addresses: [{ value: email, verified: false, via: 'email' }] };
  const res = await gw('/_switchback/hooks/olympus-registration', { method: 'POST', body: JSON.stringify({ identity }), headers: { 'content-type': 'application/json', authorization: 'kratos-hook-token-for-tests' } });
  expect(res.status).toBe(201);
}

describe('signing up through Olympus joins the Olympus cohort', () => {
  it('at percent 20, a browser of the Auth0 cohort that signs up comes back to Olympus at its next /login', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    const signup = await startLogin('/signup', AUTH0_COHORT);
    expect(providerOf(signup.authorize)).toBe('olympus');
    const code = await issueCode(net.olympus, signup, { sub: 'olympus-new-1', email: 'new1@example.com' });
    const res = await callback({ code, state: signup.state, iss: ISSUERS.olympus }, signup.loginCookie);
    expect(res.status).toBe(302);
    const cohort = cookiesFrom(res)['__Host-sb_cohort'];
    expect(cohort).toBe('0');
    expect(res.headers.getSetCookie().find((l) => l.startsWith('__Host-sb_cohort='))).toMatch(/Max-Age=31536000/);
    for (const percent of [1, 20, 99]) {
      await putFlag({ enabled: true, percent });
      expect(providerOf((await startLogin('/login', `__Host-sb_cohort=${cohort}`)).authorize)).toBe('olympus');
    }
  });

  it('a failed signup callback, or an Auth0 signup, leaves the cohort alone', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    const signup = await startLogin('/signup', AUTH0_COHORT);
    const denied = await callback({ error: 'access_denied', state: signup.state, iss: ISSUERS.olympus }, signup.loginCookie);
    expect(cookiesFrom(denied)['__Host-sb_cohort']).toBeUndefined();
    await putFlag({ enabled: false });
    const a = await startLogin('/signup', AUTH0_COHORT);
    const ok = await callback({ code: await issueCode(net.auth0, a), state: a.state, iss: ISSUERS.auth0 }, a.loginCookie);
    expect(ok.status).toBe(302);
    expect(cookiesFrom(ok)['__Host-sb_cohort']).toBeUndefined();
  });
});

describe('login_hint of an Olympus-only user', () => {
  it('routes to Olympus at percent 20 from an Auth0 cohort, and is passed on normalised', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000001', 'Dana@Example.com');
    const login = await startLogin(`/login?login_hint=${encodeURIComponent('  DANA@example.COM ')}&returnTo=%2Finbox`, AUTH0_COHORT);
    expect(providerOf(login.authorize)).toBe('olympus');
    expect(login.authorize.searchParams.get('login_hint')).toBe('dana@example.com');
  });

  it('someone else stays with the cohort (Auth0), the hint passed on', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000002', 'dana@example.com');
    const login = await startLogin('/login?login_hint=erin%40example.com', AUTH0_COHORT);
    expect(providerOf(login.authorize)).toBe('auth0');
    expect(login.authorize.searchParams.get('login_hint')).toBe('erin@example.com');
  });

  it('recovery follows the hint too', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000003', 'fay@example.com');
    expect(providerOf((await startLogin('/recovery?login_hint=fay%40example.com', AUTH0_COHORT)).authorize)).toBe('olympus');
  });

  it('a user already brought to Auth0 by the reconcile follows the cohort', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000004', 'gil@example.com');
    await runInDurableObject(controller(testEnv()), (instance) => (instance as unknown as { updateSignup(id: string, f: object): void }).updateSignup('0b7c8f5e-1111-4a4a-9e9e-000000000004', { state: 'created' }));
    expect(providerOf((await startLogin('/login?login_hint=gil%40example.com', AUTH0_COHORT)).authorize)).toBe('auth0');
  });

  it("a signup made with an address a legacy account holds (the mirror's legacy_owned) no longer takes that address to Olympus", async ({ net }) => {
    // Olympus lets anyone sign up with any address, verified or not. Until the mirror finds the address held by
    // someone's own Auth0 account, the hint sends that person to Olympus, where they cannot sign in.
    await putFlag({ enabled: true, percent: 20 });
    const squat = '0b7c8f5e-1111-4a4a-9e9e-000000000007';
    const mirrored = '0b7c8f5e-1111-4a4a-9e9e-000000000008';
    await registered(squat, 'jan@example.com');
    await registered(mirrored, 'kim@example.com');
    expect(providerOf((await startLogin('/login?login_hint=jan%40example.com', AUTH0_COHORT)).authorize)).toBe('olympus');

    const beat = (extra: Record<string, unknown>) => ({
      mirror_id: 'mirror-test', backlog: 0, unmirrored_signups: 0, oldest_unmirrored_created_at: null, last_sweep_at: null, last_sweep_seen: 0,
      counts: { mirrored: 1, with_password: 1, without_password: 0, skipped: 1, failed: 0, hooks_dropped: 0, hooks: 2 }, lag_ms: null,
      mirrored_with_password: [mirrored], mirrored_without_password: [], ...extra,
    });
    const heartbeat = (body: unknown) => gw('/_switchback/api/mirror/heartbeat', { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN.mirror}`, 'content-type': 'application/json' } });
    expect((await heartbeat(beat({ legacy_owned: ['not-an-id'] }))).status).toBe(400);
    // The mirrored one named as legacy-owned too: a row switchback brought to Auth0 is not re-labelled.
    const res = await heartbeat(beat({ legacy_owned: [squat, mirrored] }));
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ acknowledged: 3 });

    expect(providerOf((await startLogin('/login?login_hint=jan%40example.com', AUTH0_COHORT)).authorize)).toBe('auth0');
    const rows = await runInDurableObject(controller(testEnv()), (instance) => {
      const c = instance as unknown as { signup(id: string): { state: string; detail: string } | undefined };
      return { squat: c.signup(squat), mirrored: c.signup(mirrored) };
    });
    expect(rows.squat).toMatchObject({ state: 'exists', detail: expect.stringContaining('legacy account') });
    expect(rows.mirrored).toMatchObject({ state: 'mirrored' });
    const audit = (await controller(testEnv()).audit(50)) as unknown as { type: string; data: { ids: string[] } }[];
    expect(audit.find((e) => e.type === 'signup.legacy_owned')?.data.ids).toEqual([squat]);
  });

  it('after a rollback everyone goes to Auth0', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000005', 'hal@example.com');
    await putFlag({ enabled: false, version: 2, rollback_at: new Date().toISOString() });
    expect(providerOf((await startLogin('/login?login_hint=hal%40example.com', AUTH0_COHORT)).authorize)).toBe('auth0');
  });

  it('a controller that cannot answer: the cohort decides, no error', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000006', 'ivy@example.com');
    await startLogin('/login', AUTH0_COHORT); // the flag is now cached in this isolate
    vi.spyOn(testEnv().CONTROLLER, 'get').mockImplementation(() => ({ isOlympusOnlyUser: () => Promise.reject(new Error('Durable Object unreachable')) }) as never);
    expect(providerOf((await startLogin('/login?login_hint=ivy%40example.com', AUTH0_COHORT)).authorize)).toBe('auth0');
  });

  it('the controller is asked only when the cohort would send the person to Auth0', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await startLogin('/login', '__Host-sb_cohort=5');
    const get = vi.spyOn(testEnv().CONTROLLER, 'get');
    expect(providerOf((await startLogin('/login?login_hint=kim%40example.com', '__Host-sb_cohort=5')).authorize)).toBe('olympus');
    expect(get).not.toHaveBeenCalled();
  });

  it('the lookup sits behind /login\'s per-client rate limit: one client cannot test emails in bulk', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await startLogin('/login', AUTH0_COHORT);
    const get = vi.spyOn(testEnv().CONTROLLER, 'get');
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await gw(`/login?login_hint=probe${i}%40example.com`, { headers: { cookie: AUTH0_COHORT, 'cf-connecting-ip': '203.0.113.77' } });
      statuses.push(res.status);
    }
    const limited = statuses.filter((s) => s === 429).length;
    expect(limited).toBeGreaterThan(0);
    // Every lookup that ran was for a request the limiter let through.
    expect(get.mock.calls.length).toBeLessThanOrEqual(statuses.filter((s) => s === 302).length);
  });
});

describe('IDENTIFIER_FIRST=true', () => {
  const idEnv = { ...(env as object), IDENTIFIER_FIRST: 'true' };
  const call = (path: string, cookie: string) =>
    app.fetch(new Request(`${GATEWAY}${path}`, { redirect: 'manual', headers: { cookie, 'cf-connecting-ip': '198.51.100.9' } }), idEnv, createExecutionContext());

  it('asks for the email when the cohort would choose Auth0, then routes an Olympus-only user to Olympus', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    await registered('0b7c8f5e-1111-4a4a-9e9e-000000000007', 'jo@example.com');
    const form = await call('/login?returnTo=%2Freports%3Fy%3D1', AUTH0_COHORT);
    expect(form.status).toBe(200);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const html = await form.text();
    expect(html).toContain('<form id="identifier-form" method="get" action="/login">');
    expect(html).toContain('name="login_hint"');
    expect(html).toContain('name="returnTo" value="/reports?y=1"');
    // What the browser sends when the form is submitted.
    const next = await call(`/login?${new URLSearchParams({ returnTo: '/reports?y=1', login_hint: 'jo@example.com' })}`, AUTH0_COHORT);
    expect(next.status).toBe(302);
    const to = new URL(next.headers.get('location')!);
    expect(providerOf(to)).toBe('olympus');
    expect(to.searchParams.get('login_hint')).toBe('jo@example.com');
    const unknown = await call(`/login?${new URLSearchParams({ returnTo: '/', login_hint: 'nobody@example.com' })}`, AUTH0_COHORT);
    expect(providerOf(new URL(unknown.headers.get('location')!))).toBe('auth0');
  });

  it('no email step when it cannot change anything: Olympus cohort, Olympus off, signup', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    expect(providerOf(new URL((await call('/login', '__Host-sb_cohort=3')).headers.get('location')!))).toBe('olympus');
    expect((await call('/signup', AUTH0_COHORT)).status).toBe(302);
    await putFlag({ enabled: false });
    expect(providerOf(new URL((await call('/login', AUTH0_COHORT)).headers.get('location')!))).toBe('auth0');
  });

  it('an escaped returnTo in the form', async ({ net }) => {
    await putFlag({ enabled: true, percent: 20 });
    const html = await (await call('/login?returnTo=%2F%22%3E%3Cscript%3E', AUTH0_COHORT)).text();
    expect(html).not.toContain('"><script>');
  });
});

/**
 * The gateway's cookies carry the `__Host-` prefix when secure (no Domain,
 * Path=/, Secure), keep bare names for plain-http dev, still honour the bare
 * names issued before the prefix, and never reach the origin under either.
 */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { cookiesFrom, gw, putFlag } from './support/gateway.ts';
import { callback, issueCode, signIn, startLogin } from './support/login-flow.ts';
import { GATEWAY, ISSUERS } from './support/constants.ts';
import { asPreviousRelease } from './support/previous-release.ts';

const it = gatewayTest();

const lineFor = (res: Response, name: string) => res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));

function expectHostCookie(line: string | undefined) {
  expect(line).toBeDefined();
  expect(line).toMatch(/; Secure/);
  expect(line).toMatch(/; Path=\/(;|$)/);
  expect(line).not.toMatch(/Domain=/i);
  expect(line).toMatch(/HttpOnly/);
}

describe('secure (the default): __Host- names', () => {
  it('login transaction, cohort and session', async ({ net }) => {
    const res = await gw('/login');
    expectHostCookie(lineFor(res, '__Host-sb_login'));
    expectHostCookie(lineFor(res, '__Host-sb_cohort'));
    expect(res.headers.getSetCookie().some((l) => /^sb_(login|cohort)=/.test(l))).toBe(false);
    const location = new URL(res.headers.get('location')!);
    const login = { authorize: location, loginCookie: cookiesFrom(res)['__Host-sb_login']!, cohortCookie: undefined, state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')!, challenge: location.searchParams.get('code_challenge')! };
    const cb = await callback({ code: await issueCode(net.auth0, login), state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(cb.status).toBe(302);
    expectHostCookie(lineFor(cb, '__Host-sb_session'));
    expect(lineFor(cb, 'sb_session')).toBeUndefined();
  });

  it('neither the prefixed nor the bare names reach the origin', async ({ net }) => {
    const session = await signIn(net.auth0);
    await gw('/', { headers: { cookie: `app_pref=dark; __Host-sb_session=${session}; sb_session=${session}; sb_cohort=4; __Host-sb_cohort=4; __Host-sb_login=x; sb_login=y; theme=1` } });
    expect(net.originRequests.at(-1)!.headers.get('cookie')).toBe('app_pref=dark; theme=1');
  });
});

describe('cookies issued before the prefix', () => {
  it('a bare sb_session still authenticates until it expires; signing out deletes both names', async ({ net }) => {
    const session = await asPreviousRelease(await signIn(net.auth0, { sub: 'auth0|legacy' }), 'session');
    const res = await gw('/api/me', { headers: { cookie: `sb_session=${session}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-auth-sub']).toBe('auth0|legacy');
    const out = await gw('/logout', { headers: { cookie: `sb_session=${session}` } });
    expect(out.headers.getSetCookie().some((l) => l.startsWith('__Host-sb_session=;'))).toBe(true);
    expect(out.headers.getSetCookie().some((l) => l.startsWith('sb_session=;'))).toBe(true);
  });

  it('the prefixed session wins over a bare one', async ({ net }) => {
    const current = await signIn(net.auth0, { sub: 'auth0|current' });
    const old = await asPreviousRelease(await signIn(net.auth0, { sub: 'auth0|old' }), 'session');
    const res = await gw('/api/me', { headers: { cookie: `sb_session=${old}; __Host-sb_session=${current}` } });
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-auth-sub']).toBe('auth0|current');
  });

  it('a bare cohort keeps its value and moves to the prefixed name', async ({ net }) => {
    await putFlag({ enabled: true, percent: 30 });
    const res = await gw('/login', { headers: { cookie: 'sb_cohort=12' } });
    expect(new URL(res.headers.get('location')!).origin).toBe(new URL(ISSUERS.olympus).origin);
    expect(cookiesFrom(res)['__Host-sb_cohort']).toBe('12');
    expect(res.headers.getSetCookie().some((l) => l.startsWith('sb_cohort=;'))).toBe(true);
  });

  it('a login started before the upgrade (bare sb_login) completes', async ({ net }) => {
    const login = await startLogin('/login');
    const code = await issueCode(net.auth0, login);
    const res = await gw(`/callback?${new URLSearchParams({ code, state: login.state, iss: ISSUERS.auth0 })}`, { headers: { cookie: `sb_login=${await asPreviousRelease(login.loginCookie, 'login')}` } });
    expect(res.status).toBe(302);
    expect(cookiesFrom(res)['__Host-sb_session']).toBeTruthy();
    expect(res.headers.getSetCookie().some((l) => l.startsWith('sb_login=;'))).toBe(true);
  });
});

describe('a bare name cannot be planted (cookie tossing: a sibling subdomain or a plain-http response can set sb_*, never __Host-)', () => {
  it("a session sealed by this release, planted as bare sb_session, carries no identity", async ({ net }) => {
    const attackers = await signIn(net.auth0, { sub: 'auth0|attacker' });
    const res = await gw('/api/me', { headers: { cookie: `sb_session=${attackers}` } });
    expect(res.status).toBe(401);
    expect(net.originRequests.some((r) => r.headers.get('x-auth-sub') === 'auth0|attacker')).toBe(false);
    const page = await gw('/account', { headers: { cookie: `sb_session=${attackers}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toMatch(/^\/login\?/);
  });

  it("a login transaction sealed by this release, planted as bare sb_login, cannot complete (login CSRF)", async ({ net }) => {
    const login = await startLogin('/login');
    const code = await issueCode(net.auth0, login, { sub: 'auth0|attacker' });
    const res = await gw(`/callback?${new URLSearchParams({ code, state: login.state, iss: ISSUERS.auth0 })}`, { headers: { cookie: `sb_login=${login.loginCookie}` } });
    expect(res.status).toBe(400);
    expect(cookiesFrom(res)['__Host-sb_session']).toBeUndefined();
    expect(net.auth0.counts.token).toBe(0);
  });
});

describe('COOKIE_SECURE=false (plain-http dev): bare names, no Secure', () => {
  it('sets and reads sb_* names', async ({ net }) => {
    const plainEnv = { ...(env as object), COOKIE_SECURE: 'false' };
    const call = (path: string, cookie?: string) =>
      app.fetch(new Request(`${GATEWAY}${path}`, { redirect: 'manual', headers: cookie ? { cookie, 'cf-connecting-ip': '198.51.100.7' } : { 'cf-connecting-ip': '198.51.100.7' } }), plainEnv, createExecutionContext());
    const res = await call('/login');
    const line = lineFor(res, 'sb_login');
    expect(line).toBeDefined();
    expect(line).not.toMatch(/Secure/);
    expect(res.headers.getSetCookie().some((l) => l.startsWith('__Host-'))).toBe(false);
    const location = new URL(res.headers.get('location')!);
    const login = { authorize: location, loginCookie: cookiesFrom(res).sb_login!, cohortCookie: undefined, state: location.searchParams.get('state')!, nonce: location.searchParams.get('nonce')!, challenge: location.searchParams.get('code_challenge')! };
    const code = await issueCode(net.auth0, login);
    const cb = await call(`/callback?${new URLSearchParams({ code, state: login.state, iss: ISSUERS.auth0 })}`, `sb_login=${login.loginCookie}`);
    expect(cb.status).toBe(302);
    const session = cookiesFrom(cb).sb_session!;
    expect(session).toBeTruthy();
    expect((await call('/api/me', `sb_session=${session}`)).status).toBe(200);
  });
});

/**
 * The operator console's sign-in: an admin token exchanged once for a sealed
 * session cookie; every change made with that cookie needs the session's
 * CSRF token and a same-origin request; a session ends with its token.
 */
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { cookiesFrom, gw } from './support/gateway.ts';
import { ADMIN } from './support/constants.ts';
import { CONSOLE_ASSETS } from '../../src/console/console-assets.ts';
import { seal } from '../../src/verify/sealed-cookie.ts';

const it = gatewayTest({ enabled: true });

const COOKIE = '__Host-sb_console';
const SESSION_SECRET = 'test-session-secret-0123456789abcdef0123456789';

function signIn(token: string, headers: Record<string, string> = {}) {
  return gw('/_switchback/console/sign-in', {
    method: 'POST',
    body: new URLSearchParams({ token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
  });
}

/** Signs in and returns the cookie header and the CSRF token the console page carries. */
async function session(token: string): Promise<{ cookie: string; csrf: string }> {
  const res = await signIn(token);
  expect(res.status).toBe(303);
  const cookie = `${COOKIE}=${cookiesFrom(res)[COOKIE]}`;
  const page = await (await gw('/_switchback/console', { headers: { cookie } })).text();
  const csrf = /name="switchback-csrf" content="([^"]+)"/.exec(page)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

const rollback = (headers: Record<string, string>) =>
  gw('/_switchback/api/rollback', { method: 'POST', body: JSON.stringify({ reason: 'console test' }), headers: { 'content-type': 'application/json', ...headers } });

it('signing in sets a __Host- session cookie (HttpOnly, Secure, SameSite=Strict) and never echoes the token', async () => {
  const res = await signIn(ADMIN.oncall);
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/_switchback/console');
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${COOKIE}=`));
  expect(line).toBeDefined();
  expect(line).toMatch(/HttpOnly/i);
  expect(line).toMatch(/Secure/i);
  expect(line).toMatch(/SameSite=Strict/i);
  expect(line).toMatch(/Path=\//);
  expect(line).not.toMatch(/Domain=/i);
  expect(line).not.toContain(ADMIN.oncall);
  const { cookie } = await session(ADMIN.oncall);
  const page = await (await gw('/_switchback/console', { headers: { cookie } })).text();
  expect(page).not.toContain(ADMIN.oncall);
  expect(page).toContain('content="oncall"');
});

it('the session reads the admin API', async () => {
  const { cookie } = await session(ADMIN.viewer);
  const res = await gw('/_switchback/api/status', { headers: { cookie } });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { flag: { enabled: boolean } }).flag.enabled).toBe(true);
});

it('a change with the session cookie but without the CSRF token is refused, and nothing changes', async () => {
  const { cookie } = await session(ADMIN.oncall);
  const res = await rollback({ cookie, 'sec-fetch-site': 'same-origin' });
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: string }).error).toBe('csrf_token_invalid');
  const wrong = await rollback({ cookie, 'sec-fetch-site': 'same-origin', 'x-csrf-token': 'x'.repeat(43) });
  expect(wrong.status).toBe(403);
  const status = (await (await gw('/_switchback/api/status', { headers: { cookie } })).json()) as { flag: { enabled: boolean } };
  expect(status.flag.enabled).toBe(true);
});

it('a change from another site is refused even with the CSRF token', async () => {
  const { cookie, csrf } = await session(ADMIN.oncall);
  const res = await rollback({ cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' });
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: string }).error).toBe('cross_site_request');
});

it('with the CSRF token, same origin: the rollback is made in the session\'s name', async () => {
  const { cookie, csrf } = await session(ADMIN.oncall);
  const res = await rollback({ cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' });
  expect(res.status).toBe(200);
  const audit = (await (await gw('/_switchback/api/audit', { headers: { cookie } })).json()) as { entries: Array<{ type: string; actor: string }> };
  expect(audit.entries.find((e) => e.type === 'rollback')?.actor).toBe('pager (oncall)');
});

it('a viewer\'s session cannot roll back, CSRF token or not', async () => {
  const { cookie, csrf } = await session(ADMIN.viewer);
  const res = await rollback({ cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' });
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error: string }).error).toBe('forbidden');
});

it('a wrong token gets 401 and no cookie; a sign-in posted by another site is refused', async () => {
  const res = await signIn('not-an-admin-token-at-all');
  expect(res.status).toBe(401);
  expect(res.headers.getSetCookie()).toEqual([]);
  const cross = await signIn(ADMIN.engLead, { 'sec-fetch-site': 'cross-site' });
  expect(cross.status).toBe(403);
  expect(cross.headers.getSetCookie()).toEqual([]);
});

it('bad sign-in bodies get a 4xx with the form again, never a 500', async () => {
  const json = await gw('/_switchback/console/sign-in', { method: 'POST', body: JSON.stringify({ token: ADMIN.engLead }), headers: { 'content-type': 'application/json' } });
  expect(json.status).toBe(400);
  const big = await gw('/_switchback/console/sign-in', { method: 'POST', body: `token=${'a'.repeat(5000)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(big.status).toBe(413);
  const empty = await gw('/_switchback/console/sign-in', { method: 'POST', body: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(empty.status).toBe(401);
  expect(await empty.text()).toContain('<form');
});

it('a session whose admin token is no longer configured, or tampered with, is no session', async () => {
  const exp = Math.floor(Date.now() / 1000) + 600;
  const revoked = await seal(SESSION_SECRET, 'console', { sub: 'pager', tok: 'ab'.repeat(32), csrf: 'c' }, exp);
  expect((await gw('/_switchback/api/status', { headers: { cookie: `${COOKIE}=${revoked}` } })).status).toBe(401);
  const { cookie } = await session(ADMIN.oncall);
  const tampered = cookie.slice(0, -3) + (cookie.endsWith('AAA') ? 'BBB' : 'AAA');
  expect((await gw('/_switchback/api/status', { headers: { cookie: tampered } })).status).toBe(401);
  // A value sealed for another purpose (a user's session) does not open as a console session.
  const foreign = await seal(SESSION_SECRET, 'session', { sub: 'pager', tok: 'ab'.repeat(32), csrf: 'c' }, exp);
  expect((await gw('/_switchback/api/status', { headers: { cookie: `${COOKIE}=${foreign}` } })).status).toBe(401);
});

it('the console page redirects to the sign-in without a session and is served with a strict CSP', async () => {
  const anon = await gw('/_switchback/console');
  expect(anon.status).toBe(303);
  expect(anon.headers.get('location')).toBe('/_switchback/console/sign-in');
  const { cookie } = await session(ADMIN.engLead);
  const page = await gw('/_switchback/console', { headers: { cookie } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(page.headers.get('cache-control')).toBe('no-store');
});

it('signing out needs the CSRF token, then the cookie is cleared', async () => {
  const { cookie, csrf } = await session(ADMIN.engLead);
  expect((await gw('/_switchback/console/sign-out', { method: 'POST', headers: { cookie } })).status).toBe(403);
  const out = await gw('/_switchback/console/sign-out', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'sec-fetch-site': 'same-origin' } });
  expect(out.status).toBe(204);
  expect(out.headers.getSetCookie().find((l) => l.startsWith(`${COOKIE}=`))).toMatch(/Max-Age=0/i);
});

it('the page names its files under the static assets path; a name that is not one of them is a 404 from the worker, not the origin', async () => {
  const { cookie } = await session(ADMIN.viewer);
  const page = await (await gw('/_switchback/console', { headers: { cookie } })).text();
  for (const asset of Object.values(CONSOLE_ASSETS)) expect(page).toContain(`"${asset.path}"`);
  // Serving them (type, nosniff) is Workers Static Assets' job, before the worker: test/e2e/console.test.ts checks it under wrangler dev.
  const missing = await gw('/_switchback/console/assets/console.00000000.js');
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: string }).error).toBe('not_found');
});

/**
 * The password migration hook against the Auth0 stand-in (dev/auth0-api, in
 * the isolate): Kratos's contract (200 {"status":"password_match"}, 403,
 * a 5xx only for upstream trouble), the key, the per-identifier and
 * per-client limits (the upstream is not asked once refused), the end user's
 * address forwarded to Auth0, bounded bodies, and the outcomes counted for
 * the rollback rules.
 */
import { expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { sleep } from './support/controller.ts';
import { ADMIN, CLIENTS } from './support/constants.ts';

const test = gatewayTest({ enabled: true });
const KEY = 'password-hook-key-for-tests-0123456789abcdef';
const PATH = '/_switchback/hooks/password-migration';

let seq = 0;
const uniq = () => `${Date.now().toString(36)}-${++seq}`;
const nextAddress = () => `203.0.113.${(++seq % 250) + 1}`;

function hook(body: unknown, opts: { key?: string | null; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEY}`;
  return gw(PATH, { method: 'POST', headers, body: opts.raw ?? JSON.stringify(body) });
}

/** A user at the Auth0 stand-in with a password; returns its email. */
function auth0User(net: { auth0Api: { seedUser: (f: { email: string }, c: { kind: 'password'; password: string }) => unknown } }, password: string): string {
  const email = `user-${uniq()}@example.com`;
  net.auth0Api.seedUser({ email }, { kind: 'password', password });
  return email;
}

async function metric(name: string): Promise<number> {
  await sleep(400); // the outcome recorder flushes 200 ms after the first event
  const text = await (await gw('/_switchback/api/metrics', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).text();
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

test('the right password answers 200 with exactly the body Kratos expects; a wrong one or an unknown user 403', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-1');
  const ok = await hook({ identifier: email, password: 'legacy-pass-1' });
  expect(ok.status).toBe(200);
  expect(await ok.text()).toBe('{"status":"password_match"}');
  const wrong = await hook({ identifier: email, password: 'not-it' });
  expect(wrong.status).toBe(403);
  expect(await wrong.json()).toMatchObject({ error: 'forbidden' });
  expect((await hook({ identifier: `nobody-${uniq()}@example.com`, password: 'legacy-pass-1' })).status).toBe(403);
  // Auth0 compares emails case-insensitively; Kratos sends what the user typed.
  expect((await hook({ identifier: `  ${email.toUpperCase()} `, password: 'legacy-pass-1' })).status).toBe(200);
});

test('refuses without its key, with a wrong key, and with the other Kratos hooks token', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-2');
  for (const key of [null, 'wrong', 'kratos-hook-token-for-tests', `${KEY}x`]) {
    const res = await hook({ identifier: email, password: 'legacy-pass-2' }, { key });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  }
  expect(net.auth0Api.passwordAttempts).toEqual([]);
});

test('is closed (404) when PASSWORD_HOOK_API_KEY is not set', async () => {
  const closed = { ...(env as unknown as Record<string, unknown>), PASSWORD_HOOK_API_KEY: undefined };
  const req = new Request(`https://gateway.test${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{"identifier":"a@b.c","password":"x"}' });
  const res = await app.fetch(req, closed, createExecutionContext());
  expect(res.status).toBe(404);
});

test('refuses to run (503, fail closed) without its rate limiters, and asks Auth0 nothing', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-3');
  const unlimited = { ...(env as unknown as Record<string, unknown>), PASSWORD_HOOK_IDENTIFIER_LIMITER: undefined };
  const req = new Request(`https://gateway.test${PATH}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify({ identifier: email, password: 'legacy-pass-3' }) });
  const ctx = createExecutionContext();
  const res = await app.fetch(req, unlimited, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(503);
  expect(net.auth0Api.passwordAttempts).toEqual([]);
});

test('the per-identifier limit holds from any number of addresses, below Auth0 brute-force threshold, and Auth0 is not asked once refused', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-4');
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await hook({ identifier: email, password: `guess-${i}`, client_ip: nextAddress() })).status);
  expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
  expect(net.auth0Api.passwordAttempts).toHaveLength(5);
  const limited = await hook({ identifier: email, password: 'legacy-pass-4', client_ip: nextAddress() });
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toBe('60');
  expect(await limited.json()).toMatchObject({ error: 'too_many_requests' });
  // Another account is not affected.
  expect((await hook({ identifier: auth0User(net, 'p5'), password: 'p5' })).status).toBe(200);
});

test('the per-client limit holds across accounts', async ({ net }) => {
  const address = '198.18.0.77';
  const statuses: number[] = [];
  for (let i = 0; i < 22; i++) statuses.push((await hook({ identifier: `spray-${uniq()}@example.com`, password: 'Summer2026!', request_headers: { 'True-Client-Ip': [address] } })).status);
  expect(statuses.slice(0, 20).every((s) => s === 403)).toBe(true);
  expect(statuses.slice(20)).toEqual([429, 429]);
  expect(net.auth0Api.passwordAttempts).toHaveLength(20);
});

test("the end user's address (client_ip, or Kratos's request_headers) goes to Auth0 in auth0-forwarded-for; garbage is no address", async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-6');
  await hook({ identifier: email, password: 'legacy-pass-6', client_ip: '203.0.113.200' });
  await hook({ identifier: email, password: 'legacy-pass-6', request_headers: { 'True-Client-Ip': ['2001:db8::5'], Cookie: ['x'] } });
  await hook({ identifier: email, password: 'legacy-pass-6', client_ip: '203.0.113.1, 10.0.0.1' });
  expect(net.auth0Api.passwordAttempts.map((a) => [a.ip, a.forwarded, a.outcome])).toEqual([
    ['203.0.113.200', true, 'success'],
    ['2001:db8::5', true, 'success'],
    ['127.0.0.1', false, 'success'],
  ]);
});

test('Auth0 down, failing or slow is a 5xx (upstream_error); its throttling a 429; nothing of the request leaks', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-7');
  net.auth0Api.failNext(1, 503);
  const down = await hook({ identifier: email, password: 'legacy-pass-7' });
  expect(down.status).toBe(503);
  const text = await down.text();
  expect(text).not.toContain('legacy-pass-7');
  expect(text).not.toContain(email);
  net.auth0Api.failNext(1, 429);
  expect((await hook({ identifier: email, password: 'legacy-pass-7' })).status).toBe(429);
  net.auth0Api.setLatency(1500);
  const started = Date.now();
  const slow = await hook({ identifier: email, password: 'legacy-pass-7' });
  net.auth0Api.setLatency(0);
  expect(slow.status).toBe(503);
  expect(Date.now() - started).toBeLessThan(1400); // PASSWORD_HOOK_TIMEOUT_MS=800 in the tests
});

test("Auth0's own brute-force block (too_many_attempts) is throttling, not a wrong password", async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-8');
  const user = net.auth0Api.usersByEmail(email)[0]!;
  // Ten failures at Auth0 from this address (not through the hook) block it there.
  for (let i = 0; i < 10; i++) {
    await fetch('https://auth0-mgmt.test/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'auth0-forwarded-for': '192.0.2.50' },
      body: new URLSearchParams({ grant_type: 'http://auth0.com/oauth/grant-type/password-realm', client_id: CLIENTS.auth0, client_secret: 'auth0-secret-value', username: email, password: 'x', realm: 'Username-Password-Authentication' }),
    });
  }
  const res = await hook({ identifier: email, password: 'legacy-pass-8', client_ip: '192.0.2.50' });
  expect(user.profile.user_id).toMatch(/^auth0\|/);
  expect(res.status).toBe(429);
});

test('oversized, non-JSON and incomplete bodies are 4xx problems that echo nothing', async () => {
  const big = await hook(undefined, { raw: JSON.stringify({ identifier: 'a@b.c', password: 'x'.repeat(70_000) }) });
  expect(big.status).toBe(413);
  const notJson = await hook(undefined, { raw: '{"identifier": "a@b.c", "password": "secret-in-broken-json' });
  expect(notJson.status).toBe(400);
  expect(await notJson.text()).not.toContain('secret-in-broken-json');
  for (const body of [{ identifier: 'a@b.c' }, { password: 'lonely-password' }, { identifier: '', password: 'p' }, { identifier: 'a@b.c', password: 42 }, ['a@b.c', 'p'], null]) {
    const res = await hook(body);
    expect(res.status).toBe(400);
    expect(await res.text()).not.toContain('lonely-password');
  }
});

test('outcomes are counted for the rollback rules (switchback_password_migration_total)', async ({ net }) => {
  const email = auth0User(net, 'legacy-pass-9');
  await hook({ identifier: email, password: 'legacy-pass-9', client_ip: nextAddress() });
  await hook({ identifier: email, password: 'wrong', client_ip: nextAddress() });
  net.auth0Api.failNext(1, 500);
  await hook({ identifier: email, password: 'legacy-pass-9', client_ip: nextAddress() });
  expect(await metric('switchback_password_migration_total{outcome="match"}')).toBe(1);
  expect(await metric('switchback_password_migration_total{outcome="mismatch"}')).toBe(1);
  expect(await metric('switchback_password_migration_total{outcome="upstream_error"}')).toBe(1);
});

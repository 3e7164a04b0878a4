/**
 * The password migration hook with Cognito or Clerk as the legacy kind,
 * against their admin-API stand-ins in the isolate (dev/cognito-api: SigV4,
 * quotas, statuses; dev/clerk-api: secret key, verify_password, 429):
 * Kratos's contract per kind (200 with exactly {"status":"password_match"},
 * 403, a 5xx or 429 for upstream trouble with nothing of the request in it),
 * the key, and the per-identifier limit (the provider not asked once refused).
 */
import { describe, expect } from 'vitest';
import bcrypt from 'bcryptjs';
import { gatewayTest } from './support/fixtures.ts';
import { kindGw } from './support/kind-gateway.ts';
import type { Network } from './support/fake-network.ts';

const test = gatewayTest({ enabled: true });
const KEY = 'password-hook-key-for-tests-0123456789abcdef';
const PATH = '/_switchback/hooks/password-migration';

type Kind = 'cognito' | 'clerk';
let seq = 0;
const uniq = () => `${Date.now().toString(36)}-${++seq}`;

function hook(kind: Kind, body: unknown, key: string | null = KEY) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  return kindGw(kind, PATH, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A user at the kind's provider who signs in with `password`; returns the email. */
function legacyUser(kind: Kind, net: Network, password: string): string {
  const email = `${kind}-${uniq()}@example.com`;
  if (kind === 'cognito') net.cognitoApi.pool.seed({ email, password });
  else net.clerkApi.instance.seed({ email, password });
  return email;
}

/** How many times the provider was asked to check a password. */
function asked(kind: Kind, net: Network): number {
  return kind === 'cognito' ? net.cognitoApi.operations.filter((o) => o === 'AdminInitiateAuth').length : net.clerkApi.passwordChecks.length;
}

describe.each<Kind>(['cognito', 'clerk'])('%s', (kind) => {
  test('the right password answers 200 with exactly the body Kratos expects; a wrong one or an unknown user 403', async ({ net }) => {
    const email = legacyUser(kind, net, 'legacy-pass-1');
    const ok = await hook(kind, { identifier: email, password: 'legacy-pass-1' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{"status":"password_match"}');
    const wrong = await hook(kind, { identifier: email, password: 'not-it-at-all' });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: 'forbidden' });
    expect((await hook(kind, { identifier: `nobody-${uniq()}@example.com`, password: 'legacy-pass-1' })).status).toBe(403);
  });

  test('refuses without its key or with a wrong one, and asks the provider nothing', async ({ net }) => {
    const email = legacyUser(kind, net, 'legacy-pass-2');
    for (const key of [null, 'wrong', `${KEY}x`]) expect((await hook(kind, { identifier: email, password: 'legacy-pass-2' }, key)).status).toBe(401);
    expect(asked(kind, net)).toBe(0);
  });

  test('provider failing, throttling or slow: a 5xx or 429 (never 403), with nothing of the request in it', async ({ net }) => {
    const email = legacyUser(kind, net, 'legacy-pass-3');
    const api = kind === 'cognito' ? net.cognitoApi : net.clerkApi;
    api.failNext(1, 500);
    const down = await hook(kind, { identifier: email, password: 'legacy-pass-3' });
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(text).not.toContain('legacy-pass-3');
    expect(text).not.toContain(email);
    // Cognito: its UserAuthentication quota spent (TooManyRequestsException); Clerk: a 429.
    if (kind === 'cognito') net.cognitoApi.setQuota('UserAuthentication', 0.001);
    else net.clerkApi.failNext(1, 429);
    const throttled = await hook(kind, { identifier: email, password: 'legacy-pass-3' });
    expect(throttled.status).toBe(429);
    if (kind === 'cognito') net.cognitoApi.setQuota('UserAuthentication', 120);
    api.setLatency(1500);
    const started = Date.now();
    const slow = await hook(kind, { identifier: email, password: 'legacy-pass-3' });
    api.setLatency(0);
    expect(slow.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1400); // PASSWORD_HOOK_TIMEOUT_MS=800 in the tests
  });

  test('the per-identifier limit holds from any number of addresses, and the provider is not asked once refused', async ({ net }) => {
    const email = legacyUser(kind, net, 'legacy-pass-4');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await hook(kind, { identifier: email, password: `guess-${i}-wrong`, client_ip: `203.0.113.${i + 10}` })).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    expect(asked(kind, net)).toBe(5);
    expect((await hook(kind, { identifier: email, password: 'legacy-pass-4', client_ip: '203.0.113.99' })).status).toBe(429);
    expect((await hook(kind, { identifier: legacyUser(kind, net, 'other-pass-5'), password: 'other-pass-5' })).status).toBe(200);
  });
});

describe('cognito', () => {
  test('a challenge after the right password is a match; RESET_REQUIRED, unconfirmed and disabled users are 403', async ({ net }) => {
    const pool = net.cognitoApi.pool;
    const mfa = `mfa-${uniq()}@example.com`;
    pool.seed({ email: mfa, password: 'mfa-user-pass', mfa: true });
    const temporary = `temp-${uniq()}@example.com`;
    pool.seed({ email: temporary, password: 'temporary-pass', status: 'FORCE_CHANGE_PASSWORD' });
    expect((await hook('cognito', { identifier: mfa, password: 'mfa-user-pass' })).status).toBe(200);
    expect((await hook('cognito', { identifier: temporary, password: 'temporary-pass' })).status).toBe(200);
    const reset = `reset-${uniq()}@example.com`;
    pool.seed({ email: reset, password: 'reset-user-pass', status: 'RESET_REQUIRED' });
    const unconfirmed = `unconfirmed-${uniq()}@example.com`;
    pool.seed({ email: unconfirmed, password: 'unconfirmed-pass', status: 'UNCONFIRMED' });
    const disabled = `disabled-${uniq()}@example.com`;
    pool.seed({ email: disabled, password: 'disabled-pass', enabled: false });
    for (const [identifier, password] of [[reset, 'reset-user-pass'], [unconfirmed, 'unconfirmed-pass'], [disabled, 'disabled-pass']]) {
      expect((await hook('cognito', { identifier, password })).status).toBe(403);
    }
  });

  test("the end user's address goes to Cognito in ContextData (signed), the gateway's keys never in the answer", async ({ net }) => {
    const email = legacyUser('cognito', net, 'legacy-pass-6');
    const res = await hook('cognito', { identifier: email, password: 'legacy-pass-6', client_ip: '203.0.113.200' });
    expect(res.status).toBe(200);
    expect(net.cognitoApi.contextIps.at(-1)).toBe('203.0.113.200');
    expect(await res.text()).not.toContain('AKIA');
  });
});

describe('clerk', () => {
  test('a user imported with a bcrypt digest is checked against it; a locked user is 403 without asking', async ({ net }) => {
    const email = `digest-${uniq()}@example.com`;
    net.clerkApi.instance.add({ email, password: { kind: 'digest', hasher: 'bcrypt', digest: bcrypt.hashSync('from-a-digest', 4) } });
    expect((await hook('clerk', { identifier: email, password: 'from-a-digest' })).status).toBe(200);
    const locked = legacyUser('clerk', net, 'locked-pass');
    net.clerkApi.instance.byEmail(locked)!.locked = true;
    const before = net.clerkApi.passwordChecks.length;
    expect((await hook('clerk', { identifier: locked, password: 'locked-pass' })).status).toBe(403);
    expect(net.clerkApi.passwordChecks.length).toBe(before);
  });
});

/** /callback: state, RFC 9207 iss, PKCE, ID token checks, open redirects; a session only on full success. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateKeyPair } from 'jose';
import { installNetwork, type Network } from './support/fake-network.ts';
import { cookiesFrom, gw, kv, putFlag, resetGatewayCaches, resetState } from './support/gateway.ts';
import { callback, issueCode, signIn, startLogin } from './support/login-flow.ts';
import { CLIENTS, GATEWAY, ISSUERS } from './support/constants.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';
import { safeReturnTo } from '../../src/oidc/return-to.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
});
afterEach(() => vi.restoreAllMocks());

function expectNoSession(res: Response) {
  expect(cookiesFrom(res)['__Host-sb_session'] ?? '').toBe('');
}

describe('a successful callback', () => {
  it('exchanges the code with the PKCE verifier, sets the session cookie and redirects to returnTo', async () => {
    const login = await startLogin('/login?returnTo=%2Finvoices%3Fpage%3D2');
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/invoices?page=2');
    const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-sb_session='))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/SameSite=Lax/);
    // The login transaction is single-use.
    expect(res.headers.getSetCookie().some((l) => /^__Host-sb_login=;/.test(l))).toBe(true);
    const form = net.auth0.lastTokenRequest!;
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    // The session identifies the user to the app.
    const session = cookiesFrom(res)['__Host-sb_session']!;
    const me = await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}` } });
    const seen = (await me.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-auth-sub']).toBe('auth0|alice');
    expect(seen.headers['x-auth-provider']).toBe('auth0');
  });

  it('serves Olympus on the same /callback, the provider coming from the transaction', async () => {
    await putFlag({ enabled: true });
    const session = await signIn(net.olympus, { sub: 'olympus-uuid-1', email: 'bob@example.com' });
    const seen = (await (await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}` } })).json()) as { headers: Record<string, string> };
    expect(seen.headers['x-auth-provider']).toBe('olympus');
    expect(seen.headers['x-auth-sub']).toBe('olympus-uuid-1');
  });
});

describe('callback failures give a 4xx/5xx page and no session', () => {
  it('missing login cookie', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, undefined);
    expect(res.status).toBe(400);
    expectNoSession(res);
    expect(net.auth0.counts.token).toBe(0);
  });

  it('tampered login cookie', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const bad = login.loginCookie.slice(0, -4) + (login.loginCookie.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, bad);
    expect(res.status).toBe(400);
    expectNoSession(res);
  });

  it('garbage login cookie', async () => {
    const res = await callback({ code: 'x', state: 'y' }, '%%%not-a-cookie%%%');
    expect(res.status).toBe(400);
  });

  it('state mismatch (a response for another login)', async () => {
    const a = await startLogin();
    const b = await startLogin();
    const code = await issueCode(net.auth0, b);
    const res = await callback({ code, state: b.state, iss: ISSUERS.auth0 }, a.loginCookie);
    expect(res.status).toBe(400);
    expectNoSession(res);
    expect(net.auth0.counts.token).toBe(0);
  });

  it('a link to /callback with another state (from any site) does not abort the sign-in in progress', async () => {
    const login = await startLogin();
    const forged = await callback({ code: 'attacker-code', state: 'not-the-state', iss: ISSUERS.auth0 }, login.loginCookie);
    expect(forged.status).toBe(400);
    // The login cookie is not deleted: the real response still completes the sign-in.
    expect(forged.headers.getSetCookie().some((l) => /sb_login=;/.test(l) || /sb_login=[^;]*;.*Max-Age=0/i.test(l))).toBe(false);
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(302);
    expect(cookiesFrom(res)['__Host-sb_session']).toBeTruthy();
    // ...and that one ends the transaction.
    expect(res.headers.getSetCookie().some((l) => l.startsWith('__Host-sb_login=;') || /^__Host-sb_login=[^;]*;.*Max-Age=0/i.test(l))).toBe(true);
  });

  it('missing state', async () => {
    const login = await startLogin();
    const res = await callback({ code: 'c', iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(400);
  });

  it('mix-up: iss names the other provider (RFC 9207)', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state, iss: ISSUERS.olympus }, login.loginCookie);
    expect(res.status).toBe(400);
    expectNoSession(res);
    expect(net.auth0.counts.token + net.olympus.counts.token).toBe(0);
  });

  it('iss missing from a provider that advertises it', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state }, login.loginCookie);
    expect(res.status).toBe(400);
  });

  it('provider error (access_denied)', async () => {
    const login = await startLogin();
    const res = await callback({ error: 'access_denied', error_description: '<script>x</script>', state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('<script>x</script>');
  });

  it('PKCE: the provider refuses a verifier that does not match the challenge', async () => {
    const a = await startLogin();
    const b = await startLogin();
    // A code bound to login b's challenge, redeemed with login a's cookie (a's verifier) and a's state.
    const code = await issueCode(net.auth0, b);
    const res = await callback({ code, state: a.state, iss: ISSUERS.auth0 }, a.loginCookie);
    expect(res.status).toBe(502);
    expectNoSession(res);
  });

  it('nonce mismatch in the ID token', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login, { nonce: 'another-nonce' });
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(502);
    expectNoSession(res);
  });

  it('ID token for another audience', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login, { aud: 'someone-else' });
    expect((await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie)).status).toBe(502);
  });

  it('expired ID token', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login, { exp: Math.floor(Date.now() / 1000) - 300 });
    expect((await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie)).status).toBe(502);
  });

  it('ID token signed by the other provider (cross-issuer)', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login, {}, { kid: net.olympus.kid });
    net.auth0.codes.get(code)!.body.id_token = await net.olympus.sign({ iss: ISSUERS.auth0, sub: 'auth0|alice', aud: CLIENTS.auth0, nonce: login.nonce }, { kid: net.auth0.kid });
    expect((await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie)).status).toBe(502);
  });

  it('ID token with an algorithm outside the allow-list', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    const { privateKey } = await generateKeyPair('ES256');
    net.auth0.codes.get(code)!.body.id_token = await net.auth0.sign({ sub: 'auth0|alice', aud: CLIENTS.auth0, nonce: login.nonce }, { alg: 'ES256' }, privateKey);
    expect((await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie)).status).toBe(502);
  });

  it('token endpoint error', async () => {
    const login = await startLogin();
    const res = await callback({ code: 'unknown-code', state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(502);
    expectNoSession(res);
  });

  it('a replayed login cookie after success does not sign in again', async () => {
    const login = await startLogin();
    const code = await issueCode(net.auth0, login);
    await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    net.auth0.codes.delete(code); // the provider redeems a code once
    const again = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    // The transaction settled at the first callback: refused before the code is redeemed again (login-replay.test.ts).
    expect(again.status).toBe(400);
    expect(net.auth0.counts.token).toBe(1);
    expectNoSession(again);
  });
});

describe('returnTo accepts only same-origin relative paths', () => {
  const attempts = [
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    '/%0d%0aLocation:%20https://evil.example',
    'javascript:alert(1)',
    ' https://evil.example',
    '/\t/evil.example',
    'https:/evil.example',
    'evil.example',
    '/.//evil.test/x',
    '/..//evil.test/x',
    '/%2e//evil.test/x',
    '/%2e%2e//evil.test/x',
    '/a/..//evil.test/x',
    '/./\\evil.test/x',
    '',
  ];
  it.each(attempts)('%j falls back to /', (attempt) => {
    expect(safeReturnTo(decodeURIComponent(attempt.replace(/%(?![0-9a-f]{2})/gi, '%25')))).toBe('/');
  });

  it('keeps a normal path with query and fragment', () => {
    expect(safeReturnTo('/a/b?c=1#d')).toBe('/a/b?c=1#d');
  });

  it.each(attempts.filter(Boolean))('through the whole flow, %j never leaves the origin', async (attempt) => {
    const login = await startLogin(`/login?returnTo=${encodeURIComponent(attempt)}`);
    const code = await issueCode(net.auth0, login);
    const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
    expect(res.status).toBe(302);
    const location = res.headers.get('location')!;
    expect(location).not.toMatch(/[\r\n]/);
    expect(new URL(location, GATEWAY).origin).toBe(GATEWAY);
    expect(location.startsWith('/') && !location.startsWith('//')).toBe(true);
  });
});

/**
 * The overlap after a rollback: Olympus sessions and tokens accepted until the
 * earlier of their own expiry and T + TOKEN_OVERLAP_SECONDS (1800 here), then
 * `session_expired`; Auth0 always accepted.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeIntrospection, auth0AccessToken, installNetwork, olympusJwtAccessToken, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetGatewayCaches, resetState } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';

let net: Network;
let olympusSession: string;
let auth0Session: string;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: false });
  auth0Session = await signIn(net.auth0, { sub: 'auth0|carol' });
  await putFlag({ enabled: true });
  olympusSession = await signIn(net.olympus, { sub: 'olympus-uuid-alice' });
});
afterEach(() => vi.restoreAllMocks());

const rolledBackSecondsAgo = (s: number) => putFlag({ enabled: false, version: 2, rollback_at: new Date(Date.now() - s * 1000).toISOString() });
const api = (cookie: string) => gw('/api/me', { headers: { cookie, accept: 'application/json' } });

describe('Olympus credentials around T + overlap', () => {
  it('are accepted while Olympus is on', async () => {
    expect((await api(`__Host-sb_session=${olympusSession}`)).status).toBe(200);
  });

  it('are accepted right after a rollback and just before the overlap ends', async () => {
    await rolledBackSecondsAgo(5);
    expect((await api(`__Host-sb_session=${olympusSession}`)).status).toBe(200);
    await rolledBackSecondsAgo(1790);
    expect((await api(`__Host-sb_session=${olympusSession}`)).status).toBe(200);
    expect((await gw('/api/me', { headers: { authorization: `Bearer ${await olympusJwtAccessToken(net.olympus)}` } })).status).toBe(200);
  });

  it('get session_expired once the overlap has ended: JSON for the API, a friendly page for a browser', async () => {
    await rolledBackSecondsAgo(1801);
    const res = await api(`__Host-sb_session=${olympusSession}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="session_expired"');
    expect(((await res.json()) as { error: string }).error).toBe('session_expired');
    const page = await gw('/dashboard', { headers: { cookie: `__Host-sb_session=${olympusSession}`, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('your session expired, please sign in again'.replace(/^y/, 'Y'));
    expect(html).toContain('href="/login?returnTo=%2Fdashboard"');
    expect(page.headers.getSetCookie().some((l) => l.startsWith('__Host-sb_session=;'))).toBe(true);
    expect(net.originRequests).toHaveLength(0);
  });

  it('opaque Olympus tokens end with the overlap too, even when introspection says active', async () => {
    net.olympus.opaque.set('ory_at_live.sig', activeIntrospection());
    await rolledBackSecondsAgo(1801);
    const res = await gw('/api/me', { headers: { authorization: 'Bearer ory_at_live.sig' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('session_expired');
  });

  it('a token expiring before the cut ends at its own expiry', async () => {
    await rolledBackSecondsAgo(60);
    const token = await olympusJwtAccessToken(net.olympus, { exp: Math.floor(Date.now() / 1000) - 120 });
    const res = await gw('/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('Olympus credentials are refused when Olympus was never on', async () => {
    await putFlag({ enabled: false });
    expect((await api(`__Host-sb_session=${olympusSession}`)).status).toBe(401);
  });
});

describe('Auth0 credentials', () => {
  it('are always accepted, before and long after a rollback', async () => {
    await rolledBackSecondsAgo(86_400);
    expect((await api(`__Host-sb_session=${auth0Session}`)).status).toBe(200);
    expect((await gw('/api/me', { headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0)}` } })).status).toBe(200);
  });
});

/**
 * RP-initiated logout carries the sign-in's ID token as `id_token_hint`: Ory
 * Hydra (Olympus) refuses `post_logout_redirect_uri` without it, leaving the
 * provider session alive. Auth0 keeps working (OIDC logout, or /v2/logout).
 */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { cookiesFrom, gw, putFlag } from './support/gateway.ts';
import { callback, issueCode, startLogin } from './support/login-flow.ts';
import { CLIENTS, GATEWAY, ISSUERS } from './support/constants.ts';
import type { Idp } from './support/fake-network.ts';

const it = gatewayTest();

/** Signs in at `idp` and returns the session cookie and the ID token the provider issued. */
async function signInCapturing(idp: Idp, claims: Record<string, unknown> = {}): Promise<{ session: string; idToken: string }> {
  const login = await startLogin('/login');
  const code = await issueCode(idp, login, claims);
  const idToken = idp.codes.get(code)!.body.id_token as string;
  const res = await callback({ code, state: login.state, iss: idp.issuer }, login.loginCookie);
  expect(res.status).toBe(302);
  return { session: cookiesFrom(res)['__Host-sb_session']!, idToken };
}

const logout = (session: string) => gw('/logout', { headers: { cookie: `__Host-sb_session=${session}` } });

describe('logout at Olympus (Hydra)', () => {
  it('carries id_token_hint with post_logout_redirect_uri, and clears the session', async ({ net }) => {
    await putFlag({ enabled: true });
    const { session, idToken } = await signInCapturing(net.olympus, { sub: 'olympus-uuid-9' });
    const res = await logout(session);
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${new URL(ISSUERS.olympus).origin}/oidc/logout`);
    expect(to.searchParams.get('id_token_hint')).toBe(idToken);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${GATEWAY}/`);
    expect(to.searchParams.get('client_id')).toBe(CLIENTS.olympus);
    expect(cookiesFrom(res)['__Host-sb_session']).toBe('');
  });

  it('still works after a rollback (the session outlives the flag)', async ({ net }) => {
    await putFlag({ enabled: true });
    const { session, idToken } = await signInCapturing(net.olympus);
    await putFlag({ enabled: false, version: 2, rollback_at: new Date().toISOString() });
    const to = new URL((await logout(session)).headers.get('location')!);
    expect(to.searchParams.get('id_token_hint')).toBe(idToken);
  });

  it('an ID token too large for the cookie: the sign-in works; logout asks for a plain logout, never the refused combination', async ({ net }) => {
    await putFlag({ enabled: true });
    const { session } = await signInCapturing(net.olympus, { padding: 'x'.repeat(4000) });
    expect(session.length).toBeLessThanOrEqual(3900);
    expect((await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}` } })).status).toBe(200);
    const to = new URL((await logout(session)).headers.get('location')!);
    expect(to.origin).toBe(new URL(ISSUERS.olympus).origin);
    expect(to.searchParams.get('id_token_hint')).toBeNull();
    expect(to.searchParams.get('post_logout_redirect_uri')).toBeNull();
  });

  it('the ID token never reaches the origin', async ({ net }) => {
    await putFlag({ enabled: true });
    const { session, idToken } = await signInCapturing(net.olympus);
    await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}` } });
    const req = net.originRequests.at(-1)!;
    const all = [...req.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
    expect(all).not.toContain(idToken);
    expect(all).not.toContain(idToken.split('.')[1]!);
  });
});

describe('logout at Auth0', () => {
  it('OIDC logout with client_id, the hint and post_logout_redirect_uri', async ({ net }) => {
    const { session, idToken } = await signInCapturing(net.auth0);
    const to = new URL((await logout(session)).headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${new URL(ISSUERS.auth0).origin}/oidc/logout`);
    expect(to.searchParams.get('client_id')).toBe(CLIENTS.auth0);
    expect(to.searchParams.get('id_token_hint')).toBe(idToken);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${GATEWAY}/`);
  });

  it('a tenant without RP-initiated logout discovery: /v2/logout with returnTo', async ({ net }) => {
    delete net.auth0.metadata.end_session_endpoint;
    const { session } = await signInCapturing(net.auth0);
    const to = new URL((await logout(session)).headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${new URL(ISSUERS.auth0).origin}/v2/logout`);
    expect(to.searchParams.get('client_id')).toBe(CLIENTS.auth0);
    expect(to.searchParams.get('returnTo')).toBe(`${GATEWAY}/`);
  });
});

/**
 * Issue 7, item 13 (part): CORS preflights reach the app (they cannot carry
 * credentials), and answers to authenticated requests are never stored by a
 * shared cache.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auth0AccessToken, installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

const preflight = { origin: 'https://app.example.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' };

describe('CORS preflight', () => {
  beforeEach(() => {
    net.originHandler = (req) =>
      req.method === 'OPTIONS'
        ? new Response(null, { status: 204, headers: { 'access-control-allow-origin': 'https://app.example.test', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'authorization, content-type' } })
        : Response.json({ ok: true });
  });

  it('an OPTIONS preflight without credentials is the app to answer', async () => {
    const res = await gw('/api/orders', { method: 'OPTIONS', headers: preflight });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(net.originRequests).toHaveLength(1);
    expect(net.originRequests[0]!.headers.get('x-auth-sub')).toBeNull();
  });

  it('forged identity headers on a preflight are still stripped', async () => {
    await gw('/api/orders', { method: 'OPTIONS', headers: { ...preflight, 'x-auth-sub': 'victim', X_Auth_Sub: 'victim' } });
    expect([...net.originRequests[0]!.headers.keys()].filter((k) => k.replace(/_/g, '-').startsWith('x-auth-'))).toEqual([]);
  });

  it('an OPTIONS that is not a preflight, or carries credentials, is authenticated as usual', async () => {
    expect((await gw('/api/orders', { method: 'OPTIONS', headers: { origin: 'https://app.example.test' } })).status).toBe(401);
    expect((await gw('/api/orders', { method: 'OPTIONS', headers: { ...preflight, authorization: 'Bearer not-a-valid-token' } })).status).toBe(401);
    // A browser preflight never has a body: one with a body is an anonymous request for an app handler (app.all, a catch-all route).
    expect((await gw('/api/orders', { method: 'OPTIONS', headers: { ...preflight, 'content-type': 'application/json' }, body: '{"amount":1}' })).status).toBe(401);
    expect(net.originRequests).toHaveLength(0);
  });
});

describe('authenticated responses are private', () => {
  it('public / s-maxage from the app become private, browser directives are kept, Vary names the credentials', async () => {
    net.originHandler = () => Response.json({ me: 1 }, { headers: { 'cache-control': 'public, max-age=600, s-maxage=3600, proxy-revalidate', vary: 'Accept-Encoding' } });
    const res = await gw('/api/me', { headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, max-age=600');
    expect(res.headers.get('vary')).toBe('Accept-Encoding, Cookie, Authorization');
  });

  it('a session response without Cache-Control gets private', async () => {
    const session = await signIn(net.olympus, { sub: 'olympus-erin' });
    net.originHandler = () => new Response('<p>hello erin</p>', { headers: { 'content-type': 'text/html' } });
    const res = await gw('/account', { headers: { cookie: `__Host-sb_session=${session}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private');
    expect(res.headers.get('vary')).toBe('Cookie, Authorization');
  });

  it('no-store stays no-store; Vary: * stays *', async () => {
    net.originHandler = () => new Response('x', { headers: { 'cache-control': 'no-store', vary: '*' } });
    const res = await gw('/api/me', { headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0)}` } });
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('vary')).toBe('*');
  });

  it('anonymous answers on public paths keep the app caching', async () => {
    net.originHandler = () => new Response('logo', { headers: { 'cache-control': 'public, max-age=86400' } });
    const res = await gw('/public/logo.svg');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
  });
});

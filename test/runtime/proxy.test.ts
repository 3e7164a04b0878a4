/** The transparent proxy: identity headers, stripping, smuggling, error handlers, the gateway assertion. */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { activeIntrospection, auth0AccessToken, olympusJwtAccessToken, type Network } from './support/fake-network.ts';
import { cookiesFrom, gw, putFlag } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';
import { GATEWAY, ISSUERS, ORIGIN } from './support/constants.ts';

const it = gatewayTest({ enabled: true });

type Seen = { method: string; path: string; headers: Record<string, string>; body: string | null };
const seen = async (res: Response) => (await res.json()) as Seen;

describe('identity headers', () => {
  it('strips forged identity headers (any case) and sets the real ones', async ({ net }) => {
    const res = await gw('/api/orders?x=1', {
      method: 'POST',
      body: '{"a":1}',
      headers: {
        authorization: `Bearer ${await auth0AccessToken(net.auth0)}`,
        'X-Auth-Sub': 'admin',
        'x-auth-provider': 'olympus',
        'X-AUTH-EMAIL': 'root@evil.example',
        'x-auth-assertion': 'forged',
        'x-auth-issuer': 'https://evil.example/',
        'content-type': 'application/json',
      },
    });
    const s = await seen(res);
    expect(s.method).toBe('POST');
    expect(s.path).toBe('/api/orders?x=1');
    expect(s.body).toBe('{"a":1}');
    expect(s.headers['x-auth-sub']).toBe('auth0|alice');
    expect(s.headers['x-auth-provider']).toBe('auth0');
    expect(s.headers['x-auth-email']).toBe('alice@example.com');
    expect(s.headers['x-auth-issuer']).toBe(ISSUERS.auth0);
    expect(s.headers['x-auth-assertion']).not.toBe('forged');
  });

  it('strips them on public paths too, where no identity is set', async ({ net }) => {
    const res = await gw('/public/logo.svg', { headers: { 'x-auth-sub': 'admin', 'x-auth-provider': 'auth0', 'x-auth-email': 'a@b' } });
    expect(res.status).toBe(200);
    const s = await seen(res);
    for (const h of ['x-auth-sub', 'x-auth-provider', 'x-auth-email', 'x-auth-assertion', 'x-auth-issuer']) expect(s.headers[h]).toBeUndefined();
  });

  it('does not forward the gateway cookies to the app, but keeps the app cookies', async ({ net }) => {
    const session = await signIn(net.olympus, { sub: 'olympus-uuid-7' });
    const s = await seen(await gw('/', { headers: { cookie: `app_pref=dark; __Host-sb_session=${session}; __Host-sb_cohort=4` } }));
    expect(s.headers.cookie).toBe('app_pref=dark');
    expect(s.headers['x-auth-sub']).toBe('olympus-uuid-7');
  });

  it('gives the app an assertion it can verify against the gateway JWKS', async ({ net }) => {
    net.olympus.opaque.set('ory_at_ok2.sig', activeIntrospection());
    const s2 = await seen(await gw('/api/me', { headers: { authorization: 'Bearer ory_at_ok2.sig' } }));
    const jwks = await (await gw('/.well-known/switchback/jwks.json')).json();
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    const { payload, protectedHeader } = await jwtVerify(s2.headers['x-auth-assertion']!, createLocalJWKSet(jwks as never), { issuer: GATEWAY, audience: ORIGIN, algorithms: ['ES256'] });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('7f3c2a9e-olympus-bob');
    expect(payload.provider).toBe('olympus');
    expect(payload.idp_iss).toBe(ISSUERS.olympus);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
  });
});

describe('token smuggling', () => {
  it('rejects a session and a bearer naming different subjects', async ({ net }) => {
    const session = await signIn(net.olympus, { sub: 'olympus-uuid-bob' });
    const res = await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}`, authorization: `Bearer ${await auth0AccessToken(net.auth0)}` } });
    expect(res.status).toBe(401);
    expect(net.originRequests).toHaveLength(0);
  });

  it('rejects the same sub at two different issuers (users are keyed by issuer + sub)', async ({ net }) => {
    const session = await signIn(net.olympus, { sub: 'shared-sub' });
    const res = await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}`, authorization: `Bearer ${await auth0AccessToken(net.auth0, { sub: 'shared-sub' })}` } });
    expect(res.status).toBe(401);
  });

  it('accepts a session and a bearer for the same user', async ({ net }) => {
    await putFlag({ enabled: false });
    const session = await signIn(net.auth0, { sub: 'auth0|alice' });
    const res = await gw('/api/me', { headers: { cookie: `__Host-sb_session=${session}`, authorization: `Bearer ${await auth0AccessToken(net.auth0)}` } });
    expect(res.status).toBe(200);
  });
});

describe('unauthenticated requests', () => {
  it('a browser navigation is redirected to /login with returnTo', async ({ net }) => {
    const res = await gw('/reports?q=1', { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/login?returnTo=${encodeURIComponent('/reports?q=1')}`);
  });

  it('an API call gets 401 JSON with WWW-Authenticate', async ({ net }) => {
    const res = await gw('/api/reports', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="switchback"');
    expect(net.originRequests).toHaveLength(0);
  });

  it('a public path reaches the app without credentials', async ({ net }) => {
    expect((await gw('/healthz')).status).toBe(200);
    expect((await gw('/healthz/sub')).status).toBe(401);
  });
});

describe('bad input never gives a 500', () => {
  const cookies = ['__Host-sb_session=', '__Host-sb_session=garbage', '__Host-sb_session=a.b.c.d.e', `__Host-sb_session=${'A'.repeat(5000)}`, '__Host-sb_session=%E0%A4%A', '__Host-sb_session="quoted"', '__Host-sb_session=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..x.y.z'];
  it.each(cookies)('cookie %s: API 401, browser redirect, cookie cleared', async (cookie) => {
    const api = await gw('/api/me', { headers: { cookie, accept: 'application/json' } });
    expect(api.status).toBe(401);
    const browser = await gw('/page', { headers: { cookie, accept: 'text/html' } });
    expect(browser.status).toBe(302);
    if (cookie !== '__Host-sb_session=') expect(browser.headers.getSetCookie().some((l) => l.startsWith('__Host-sb_session=;'))).toBe(true);
  });

  const authorizations = ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer \u00e9t\u00e9', 'Bearer ....', 'Bearer a.b.c', 'Bearer eyJ.eyJ.sig', `Bearer ${'x'.repeat(20000)}`, 'bearer  two-spaces'];
  it.each(authorizations)('Authorization %j: 401 invalid_token', async (authorization) => {
    const res = await gw('/api/me', { headers: { authorization } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('another scheme (Basic) is left to the app but is no identity', async ({ net }) => {
    const res = await gw('/api/me', { headers: { authorization: 'Basic dXNlcjpwYXNz', accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="switchback"');
  });
});

describe('the origin', () => {
  it('passes 5xx and redirects through unchanged', async ({ net }) => {
    net.originHandler = () => new Response('boom', { status: 503, headers: { 'retry-after': '5' } });
    const token = await auth0AccessToken(net.auth0);
    const r1 = await gw('/api/x', { headers: { authorization: `Bearer ${token}` } });
    expect(r1.status).toBe(503);
    expect(r1.headers.get('retry-after')).toBe('5');
    net.originHandler = () => new Response(null, { status: 302, headers: { location: '/elsewhere' } });
    const r2 = await gw('/api/x', { headers: { authorization: `Bearer ${token}` } });
    expect(r2.status).toBe(302);
    expect(r2.headers.get('location')).toBe('/elsewhere');
  });

  it('unreachable gives 502 JSON', async ({ net }) => {
    net.originHandler = () => {
      throw new TypeError('Network connection lost.');
    };
    const res = await gw('/api/x', { headers: { authorization: `Bearer ${await olympusJwtAccessToken(net.olympus)}` } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: string }).error).toBe('origin_unavailable');
  });
});

describe('logout', () => {
  it('clears the session and ends it at the issuing provider', async ({ net }) => {
    const session = await signIn(net.olympus, { sub: 'olympus-uuid-9' });
    const res = await gw('/logout', { headers: { cookie: `__Host-sb_session=${session}` } });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(new URL(ISSUERS.olympus).origin);
    expect(to.pathname).toBe('/oidc/logout');
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${GATEWAY}/`);
    expect(cookiesFrom(res)['__Host-sb_session']).toBe('');
  });

  it('without a session, just goes home', async ({ net }) => {
    const res = await gw('/logout');
    expect(res.headers.get('location')).toBe('/');
  });
});

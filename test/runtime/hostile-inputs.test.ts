/**
 * Never a 500 (issue 7, item 11, across every route): hostile values for
 * every gateway cookie name (both forms), query parameters with broken
 * percent-encoding, callback parameters repeated or oversized, admin bodies of
 * every shape and content type, hook bodies that are not what the sender
 * should send, odd client address headers, odd methods and origin statuses.
 * Whatever arrives, the gateway answers below 500 (the origin's own 5xx pass
 * through and are not sent here). Also: an authenticated 304 or redirect is
 * private like any other authenticated answer.
 */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { signIn, startLogin } from './support/login-flow.ts';
import { ADMIN } from './support/constants.ts';

const it = gatewayTest({ enabled: true });

const results: string[] = [];
async function probe(label: string, path: string, init: RequestInit = {}) {
  let res: Response;
  try {
    res = await gw(path, init);
  } catch (e) {
    results.push(`THROW ${label}: ${String(e)}`);
    return;
  }
  const body = await res.text();
  if (res.status >= 500) results.push(`${res.status} ${label}: ${body.slice(0, 200)}`);
}

describe('hostile inputs on every route', () => {
  it('never a 5xx from the gateway itself', async ({ net }) => {
    const bad = '%E0%A4%A';
    const names = ['sb_session', '__Host-sb_session', 'sb_login', '__Host-sb_login', 'sb_cohort', '__Host-sb_cohort'];
    for (const n of names) {
      for (const v of [bad, '%', '%%', '"', '""', 'A'.repeat(9000), '..', 'a.b.c.d.e']) {
        for (const p of ['/login', '/signup', '/callback?state=x&code=y', '/logout', '/account', '/public/x', '/login?login_hint=a@b.co']) {
          await probe(`${p} cookie ${n}=${v.slice(0, 20)}`, p, { headers: { cookie: `${n}=${v}`, accept: 'text/html' } });
        }
      }
    }
    for (const q of [bad, '%', 'returnTo=%', `returnTo=${bad}`, 'login_hint=%', `login_hint=${bad}`, 'returnTo=' + 'a'.repeat(10000), 'returnTo=//x&returnTo=/y', 'login_hint=' + 'a'.repeat(300) + '@b.co']) {
      for (const p of ['/login', '/signup', '/recovery', '/callback', '/logout']) await probe(`${p}?${q.slice(0, 30)}`, `${p}?${q}`);
    }
    const lg = await startLogin();
    for (const q of [`state=${bad}`, 'state=%', `state=${lg.state}&state=x`, `state=${lg.state}&code=${bad}`, `state=${lg.state}&error=${bad}`, `state=${lg.state}&iss=${bad}`, `state=${lg.state}&iss=%`, `code=a&code=b&state=${lg.state}`, `state=${lg.state}&error=x&error_description=${'a'.repeat(9000)}`]) {
      const l2 = await startLogin();
      await probe(`/callback?${q.slice(0, 40)}`, `/callback?${q.replaceAll(lg.state, l2.state)}`, { headers: { cookie: `__Host-sb_login=${l2.loginCookie}` } });
    }
    // admin
    const auth = { authorization: `Bearer ${ADMIN.engLead}` };
    const adminPosts = ['/_switchback/api/rollback', '/_switchback/api/flags/migration', '/_switchback/api/flags/switchback-migration', '/_switchback/api/client-config', '/_switchback/api/rules'];
    const bodies = ['', 'null', '[]', '{}', '"x"', '1', '{"enabled":false,"reason":"' + 'é'.repeat(5000) + '"}', '{"reason":{"a":1}}', '\u0000', '{"__proto__":{"x":1}}', '{"enabled":true,"percent":1e309}', '{"enabled":true,"percent":-0}', '{"enabled":true,"percent":50.5}', '{"enabled":true,"client_config_version":1e20,"reason":"x"}', '{"enabled":false,"reason":"x","client_config_version":99999999}', '{"enabled":true,"reason":"x","client_config_version":2}'];
    for (const p of adminPosts) {
      for (const b of bodies) {
        for (const method of ['POST', 'PUT']) {
          for (const ct of ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=%']) {
            await probe(`${method} ${p} ${ct} ${b.slice(0, 30)}`, p, { method, body: b, headers: { ...auth, 'content-type': ct } });
          }
        }
      }
    }
    for (const p of ['/_switchback/api/status', '/_switchback/api/audit', '/_switchback/api/audit?limit=-1', '/_switchback/api/audit?limit=1e400', `/_switchback/api/audit?limit=${bad}`, `/_switchback/api/audit?before=${bad}`, '/_switchback/api/audit?before=x&limit=abc', '/_switchback/api/metrics', '/_switchback/api/rules', '/_switchback/api/client-config', '/_switchback/api/flags/migration', '/_switchback/api/flags/switchback-migration', '/_switchback/api/%']) {
      await probe(`GET ${p}`, p, { headers: auth });
    }
    for (const a of ['Bearer ' + 'x'.repeat(10000), 'Bearer', 'bearer  x', 'Basic x', 'Bearer %', 'Bearer a.b.c']) {
      await probe(`admin auth ${a.slice(0, 20)}`, '/_switchback/api/status', { headers: { authorization: a } });
      await probe(`admin access cookie ${a.slice(0, 20)}`, '/_switchback/api/status', { headers: { cookie: `CF_Authorization=${a.replace(' ', '')}`, 'cf-access-jwt-assertion': a } });
    }
    // hooks
    const hooks = ['/_switchback/hooks/support-ticket', '/_switchback/hooks/auth0-log-stream', '/_switchback/hooks/kratos-after-login', '/_switchback/hooks/olympus-registration'];
    const hookBodies = ['', 'null', '[]', '[null]', '[1]', '{"data":null}', '[{"data":{"type":"f"},"log_id":{"a":1}}]', '{"identity":null}', '{"identity":{"id":"x","traits":null}}', '\xff\xfe', '{"identity":{"id":"' + 'a'.repeat(200000) + '"}}'];
    for (const h of hooks) {
      for (const b of hookBodies) {
        await probe(`${h} ${b.slice(0, 30)}`, h, { method: 'POST', body: b, headers: { authorization: 'Bearer kratos-hook-token-for-tests', 'x-signature': 'x', 'x-signature-timestamp': '99999999999' } });
        await probe(`${h} auth0 ${b.slice(0, 30)}`, h, { method: 'POST', body: b, headers: { authorization: 'Bearer auth0-log-stream-token-for-tests', 'content-length': 'abc' } });
      }
    }
    // headers
    for (const ip of ['x'.repeat(20000), '::ffff:1.2.3.4%eth0', 'fe80::1%25eth0', '[::1]:99999', '1.2.3.4, 5.6.7.8', '0x7f.1', '']) {
      await probe(`ip ${ip.slice(0, 20)}`, '/login', { headers: { 'cf-connecting-ip': ip } });
      await probe(`ip cb ${ip.slice(0, 20)}`, '/callback', { headers: { 'cf-connecting-ip': ip } });
    }
    // origin odd statuses
    const session = await signIn(net.olympus, { sub: 'olympus-probe' });
    for (const st of [204, 304, 205, 101]) {
      net.originHandler = () => (st === 101 ? new Response(null, { status: 200 }) : new Response(null, { status: st }));
      await probe(`origin ${st}`, '/account', { headers: { cookie: `__Host-sb_session=${session}` } });
      await probe(`origin anon ${st}`, '/public/x', {});
    }
    net.originHandler = undefined;
    for (const m of ['OPTIONS', 'PATCH', 'DELETE', 'PROPFIND', 'PUT']) {
      await probe(`method ${m}`, '/account', { method: m, headers: { cookie: `__Host-sb_session=${session}`, 'access-control-request-method': 'POST' } });
      await probe(`method ${m} login`, '/login', { method: m });
      await probe(`method ${m} callback`, '/callback', { method: m });
      await probe(`method ${m} logout`, '/logout', { method: m });
    }
        expect(results).toEqual([]);
  }, 300_000);

  it('an authenticated 304 or redirect from the app is private', async ({ net }) => {
    const session = await signIn(net.olympus, { sub: 'olympus-cache' });
    for (const [status, headers] of [[304, { etag: '"v1"', 'cache-control': 'public, max-age=60' }], [302, { location: '/elsewhere', 'cache-control': 'public, s-maxage=600' }]] as const) {
      net.originHandler = () => new Response(null, { status, headers });
      const res = await gw('/account', { headers: { cookie: `__Host-sb_session=${session}`, 'if-none-match': '"v1"' } });
      expect(res.status).toBe(status);
      expect(res.headers.get('cache-control')).toMatch(/^private\b/);
      expect(res.headers.get('cache-control')).not.toMatch(/public|s-maxage/);
      expect(res.headers.get('vary')).toMatch(/Cookie/);
    }
  });
});

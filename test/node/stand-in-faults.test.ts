/**
 * Fault injection on both stand-ins: the next N requests answer 500/503 in the
 * API's own error shape, connections can be dropped, latency added, and the
 * server taken down (ECONNREFUSED) and brought back on the same port.
 */
import { afterEach, expect, it } from 'vitest';
import { startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { startKratosAdmin, type KratosAdminHandle } from '../../dev/kratos-admin/index.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

let kratos: KratosAdminHandle | undefined;
let auth0: Auth0ApiHandle | undefined;
afterEach(async () => {
  await kratos?.stop();
  await auth0?.stop();
  kratos = auth0 = undefined;
});

it('Kratos: failNext answers 503/500 in herodot shape, then recovers', async () => {
  kratos = await startKratosAdmin({ failures: { failNext: { count: 1, status: 503 } } });
  kratos.failNext(1, 500);
  const first = await fetch(`${kratos.url}/admin/identities`);
  expect(first.status).toBe(503);
  expect(((await first.json()) as any).error).toMatchObject({ code: 503, status: 'Service Unavailable' });
  const second = await fetch(`${kratos.url}/admin/identities`);
  expect(second.status).toBe(500);
  expect(await second.json()).toEqual({
    error: { code: 500, status: 'Internal Server Error', message: 'An internal server error occurred, please contact the system administrator' },
  });
  expect((await fetch(`${kratos.url}/admin/identities`)).status).toBe(200);
});

it('Kratos: only matching requests fail, latency is added, dropped connections reject', async () => {
  kratos = await startKratosAdmin();
  kratos.failNext(1, 503, (_m, path) => path === '/admin/courier/messages');
  expect((await fetch(`${kratos.url}/admin/identities`)).status).toBe(200);
  expect((await fetch(`${kratos.url}/admin/courier/messages`)).status).toBe(503);
  kratos.setLatency(120);
  const t0 = Date.now();
  await (await fetch(`${kratos.url}/admin/identities`)).text();
  expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
  kratos.setLatency(0);
  kratos.faults.dropNext(1);
  await expect(fetch(`${kratos.url}/admin/identities`)).rejects.toThrow();
  expect((await fetch(`${kratos.url}/admin/identities`)).status).toBe(200);
});

it('Kratos: setDown makes the server unreachable until brought back', async () => {
  kratos = await startKratosAdmin();
  await kratos.setDown(true);
  const err = await fetch(`${kratos.url}/admin/identities`).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TypeError);
  expect(((err as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  await kratos.setDown(false);
  expect((await fetch(`${kratos.url}/admin/identities`)).status).toBe(200);
});

it('Auth0: injected 500/503 use the Management API error shape and keep rate-limit headers', async () => {
  auth0 = await startAuth0Api({ rateLimit: { limit: 100, perSeconds: 1 } });
  const token = await getToken(auth0);
  auth0.failNext(2, 503, (_m, path) => path.startsWith('/api/v2/'));
  const res = await mgmt(auth0, token, 'GET', '/connections');
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Service Unavailable' });
  expect(res.headers.get('x-ratelimit-limit')).toBe('100');
  expect((await mgmt(auth0, token, 'GET', '/connections')).status).toBe(503);
  expect((await mgmt(auth0, token, 'GET', '/connections')).status).toBe(200);

  auth0.failNext(1, 500);
  const tokenRes = await fetch(`${auth0.url}/oauth/token`, { method: 'POST' });
  expect(tokenRes.status).toBe(500);
  expect(await tokenRes.json()).toEqual({ error: 'server_error', error_description: 'Internal error.' });
});

it('Auth0: setDown and back', async () => {
  auth0 = await startAuth0Api();
  await auth0.setDown(true);
  await expect(fetch(`${auth0.url}/oauth/token`, { method: 'POST' })).rejects.toThrow();
  await auth0.setDown(false);
  expect((await getToken(auth0)).split('.')).toHaveLength(3);
});

/**
 * Auth0 stand-in rate limits: a per-tenant token bucket on the Management API
 * with x-ratelimit-* headers on every response, 429 "Global limit has been
 * reached" when empty, and recovery once x-ratelimit-reset has passed.
 */
import { afterEach, expect, it } from 'vitest';
import { FREE_TIER_MANAGEMENT_LIMIT, TokenBucket, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

let api: Auth0ApiHandle | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

it('counts down x-ratelimit-remaining, answers 429 with headers, and recovers after the reset', async () => {
  api = await startAuth0Api({ rateLimit: { limit: 4, perSeconds: 1, retryAfter: true } });
  const token = await getToken(api);
  const remaining: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await mgmt(api, token, 'GET', '/connections');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('4');
    remaining.push(res.headers.get('x-ratelimit-remaining')!);
  }
  expect(remaining).toEqual(['3', '2', '1', '0']);

  const limited = await mgmt(api, token, 'GET', '/connections');
  expect(limited.status).toBe(429);
  expect(await limited.json()).toEqual({ statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached', errorCode: 'too_many_requests' });
  expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const reset = Number(limited.headers.get('x-ratelimit-reset'));
  const now = Date.now() / 1000;
  expect(reset).toBeGreaterThan(now);
  expect(reset).toBeLessThanOrEqual(Math.ceil(now) + 2);

  await new Promise((r) => setTimeout(r, reset * 1000 - Date.now() + 20));
  const after = await mgmt(api, token, 'GET', '/connections');
  expect(after.status).toBe(200);
  expect(after.headers.get('x-ratelimit-remaining')).toBe('3');
});

it('limits per tenant, not per token or endpoint, and rate-limited 401s still count', async () => {
  api = await startAuth0Api({ rateLimit: { limit: 2, perSeconds: 60 } });
  const a = await getToken(api);
  const b = await getToken(api);
  expect((await mgmt(api, a, 'GET', '/connections')).status).toBe(200);
  expect((await fetch(`${api.managementUrl}/users-by-email?email=x`)).status).toBe(401);
  expect((await mgmt(api, b, 'GET', '/users-by-email?email=x%40y.test')).status).toBe(429);
  expect((await fetch(`${api.url}/oauth/token`, { method: 'POST' })).headers.get('x-ratelimit-limit')).toBe('30');
});

it('defaults to the Free tier Management limit and can be changed or disabled at runtime', async () => {
  api = await startAuth0Api();
  const token = await getToken(api);
  const first = await mgmt(api, token, 'GET', '/connections');
  expect(first.headers.get('x-ratelimit-limit')).toBe(String(FREE_TIER_MANAGEMENT_LIMIT.limit));
  await mgmt(api, token, 'GET', '/connections');
  expect((await mgmt(api, token, 'GET', '/connections')).status).toBe(429);
  api.setRateLimit({ limit: 50, perSeconds: 1 });
  expect((await mgmt(api, token, 'GET', '/connections')).headers.get('x-ratelimit-remaining')).toBe('49');
  api.setRateLimit(false);
  const unlimited = await mgmt(api, token, 'GET', '/connections');
  expect(unlimited.status).toBe(200);
  expect(unlimited.headers.has('x-ratelimit-limit')).toBe(false);
});

it('TokenBucket refills continuously and reports the time the bucket is full again', () => {
  let now = 1_700_000_000_000;
  const bucket = new TokenBucket({ limit: 2, perSeconds: 1, burst: 10 }, () => now);
  for (let i = 0; i < 10; i++) expect(bucket.take().allowed).toBe(true);
  const denied = bucket.take();
  expect(denied.allowed).toBe(false);
  expect(denied.headers).toEqual({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_700_000_000 + 5) });
  now += 500;
  expect(bucket.take().allowed).toBe(true);
  expect(bucket.take().allowed).toBe(false);
  expect(() => new TokenBucket({ limit: 0, perSeconds: 1 })).toThrow(/positive/);
});

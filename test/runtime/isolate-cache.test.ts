/**
 * No pending I/O shared between requests (issue 7, item 12): when the first
 * request's upstream fetch hangs (on Workers: its request was cancelled), a
 * concurrent request does its own fetch and completes, for discovery, the key
 * set and introspection. The caches still share settled values: steady state
 * makes no upstream call.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { activeIntrospection, auth0AccessToken, installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetGatewayCaches, resetState } from './support/gateway.ts';
import { INTROSPECTION_URL } from './support/constants.ts';

let net: Network;
let release: () => void;
let gate: Promise<void>;

beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
  gate = new Promise((r) => (release = r));
});
afterEach(() => {
  release();
  vi.restoreAllMocks();
});

/** The first upstream call matching `match` hangs until the test ends, then fails as a cancelled fetch does. */
function hangFirst(match: (u: URL) => boolean): { calls: () => number } {
  const inner = vi.mocked(globalThis.fetch).getMockImplementation()!;
  let calls = 0;
  vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
    const url = new URL(new Request(input as RequestInfo, init).url);
    if (match(url) && calls++ === 0) {
      await gate;
      throw new DOMException('The operation was aborted.', 'AbortError');
    }
    return inner(input, init);
  });
  return { calls: () => calls };
}

function within<T>(p: Promise<T>, ms: number): Promise<T | 'hung'> {
  return Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);
}

const api = (authorization: string) => gw('/api/me', { headers: { authorization, accept: 'application/json' } });

describe('a hung first fetch does not hold up the next request', () => {
  it('discovery', async () => {
    const token = await auth0AccessToken(net.auth0);
    const probe = hangFirst((u) => u.pathname.endsWith('/openid-configuration') && u.origin === 'https://auth0.test');
    const first = api(`Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 20));
    const second = await within(api(`Bearer ${token}`), 2000);
    expect(second).not.toBe('hung');
    expect((second as Response).status).toBe(200);
    expect(probe.calls()).toBe(2);
    release();
    expect([200, 503]).toContain((await first).status);
  });

  it('key set', async () => {
    const token = await auth0AccessToken(net.auth0);
    const probe = hangFirst((u) => u.pathname.endsWith('/jwks.json'));
    const first = api(`Bearer ${token}`);
    await new Promise((r) => setTimeout(r, 20));
    const second = await within(api(`Bearer ${token}`), 2000);
    expect(second).not.toBe('hung');
    expect((second as Response).status).toBe(200);
    expect(probe.calls()).toBe(2);
    release();
    expect([200, 503]).toContain((await first).status);
  });

  it('introspection', async () => {
    net.olympus.opaque.set('ory_at_hang.sig', activeIntrospection());
    const probe = hangFirst((u) => u.href === INTROSPECTION_URL);
    const first = api('Bearer ory_at_hang.sig');
    await new Promise((r) => setTimeout(r, 20));
    const second = await within(api('Bearer ory_at_hang.sig'), 2000);
    expect(second).not.toBe('hung');
    expect((second as Response).status).toBe(200);
    expect(probe.calls()).toBe(2);
    release();
    expect([200, 503]).toContain((await first).status);
  });
});

describe('settled values are still shared', () => {
  it('steady state: 50 requests after the first make no upstream call', async () => {
    const token = await auth0AccessToken(net.auth0);
    net.olympus.opaque.set('ory_at_steady.sig', activeIntrospection());
    expect((await api(`Bearer ${token}`)).status).toBe(200);
    expect((await api('Bearer ory_at_steady.sig')).status).toBe(200);
    const before = { ...net.auth0.counts, intro: net.olympus.counts.introspection };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => api(i % 2 ? `Bearer ${token}` : 'Bearer ory_at_steady.sig')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect({ ...net.auth0.counts, intro: net.olympus.counts.introspection }).toEqual(before);
  });

  it('stale-if-error: keys cached before an outage keep verifying', async () => {
    const token = await auth0AccessToken(net.auth0);
    expect((await api(`Bearer ${token}`)).status).toBe(200);
    net.auth0.jwksAvailable = false;
    expect((await api(`Bearer ${await auth0AccessToken(net.auth0, { sub: 'auth0|other' })}`)).status).toBe(200);
  });

  it('a cold isolate with the key endpoint down fails closed with a 503, and retries only after the cooldown', async () => {
    net.auth0.jwksAvailable = false;
    resetGatewayCaches();
    const token = await auth0AccessToken(net.auth0);
    expect((await api(`Bearer ${token}`)).status).toBe(503);
    const jwks = net.auth0.counts.jwks;
    for (let i = 0; i < 5; i++) expect((await api(`Bearer ${token}`)).status).toBe(503);
    expect(net.auth0.counts.jwks).toBe(jwks);
  });
});

describe('an aged value is refreshed by one request while the others keep serving it', () => {
  afterEach(() => vi.useRealTimers());

  it.each([
    ['key set (10 min)', (u: URL) => u.pathname.endsWith('/jwks.json'), 11 * 60_000],
    ['discovery (1 h)', (u: URL) => u.pathname.endsWith('/openid-configuration') && u.origin === 'https://auth0.test', 61 * 60_000],
  ] as const)('%s', async (_name, match, age) => {
    const token = await auth0AccessToken(net.auth0);
    expect((await api(`Bearer ${token}`)).status).toBe(200);
    vi.setSystemTime(Date.now() + age);
    const fresh = await auth0AccessToken(net.auth0);
    const probe = hangFirst(match);
    const refresher = api(`Bearer ${fresh}`);
    await new Promise((r) => setTimeout(r, 20));
    // While the first request's refresh hangs, 20 others are served from the aged value at once, without fetching.
    const others = await within(Promise.all(Array.from({ length: 20 }, () => api(`Bearer ${fresh}`))), 2000);
    expect(others).not.toBe('hung');
    expect((others as Response[]).every((r) => r.status === 200)).toBe(true);
    expect(probe.calls()).toBe(1);
    release();
    // The refresh failed (cancelled): stale-if-error, the refresher still gets an answer.
    expect((await refresher).status).toBe(200);
  });
});

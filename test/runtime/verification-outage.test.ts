/**
 * Errors are never 500 (issue 7, item 11): every way the identity providers
 * can fail while a credential is checked (discovery, key set, introspection:
 * down, erroring, answering garbage) ends as a 503 (we could not check) or a
 * 401 (the credential is bad), for session, JWT and opaque callers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { activeIntrospection, auth0AccessToken, installNetwork, olympusJwtAccessToken, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetGatewayCaches, resetState } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';
import { INTROSPECTION_URL } from './support/constants.ts';
import { configFromEnv, type GatewayConfig } from '../../src/config.ts';
import { authenticate } from '../../src/verify/authenticator.ts';
import { statusFor, wireErrorFor } from '../../src/http/wire-error.ts';
import type { FlagRead } from '../../src/flag/kv-flag.ts';

let net: Network;
let inner: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
let fault: ((url: URL) => Response | Promise<Response> | undefined) | undefined;

beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
  net.olympus.metadata.introspection_endpoint = INTROSPECTION_URL;
  inner = vi.mocked(globalThis.fetch).getMockImplementation()!;
  fault = undefined;
  vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
    const url = new URL(new Request(input as RequestInfo, init).url);
    return (await fault?.(url)) ?? inner(input, init);
  });
});
afterEach(() => vi.restoreAllMocks());

const isDiscovery = (u: URL) => u.pathname.endsWith('/.well-known/openid-configuration');
const isJwks = (u: URL) => u.pathname.endsWith('/.well-known/jwks.json');
const isIntrospection = (u: URL) => u.href === INTROSPECTION_URL;

const ANSWERS: Record<string, () => Promise<Response> | Response> = {
  'network error': () => Promise.reject(new TypeError('Network connection lost.')),
  'HTTP 500': () => new Response('boom', { status: 500 }),
  'HTTP 503': () => new Response('down', { status: 503 }),
  'non-JSON 200': () => new Response('<html>maintenance</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
  'JSON array': () => Response.json([1, 2, 3]),
  'JSON string': () => Response.json('active'),
  'JSON null': () => new Response('null', { headers: { 'content-type': 'application/json' } }),
  'wrong shape object': () => Response.json({ active: 'true', issuer: 42, keys: 'none', jwks_uri: 7 }),
};

type Caller = 'session' | 'jwt' | 'opaque';
async function credentials(who: Caller): Promise<Record<string, string>> {
  if (who === 'session') return { cookie: `__Host-sb_session=${await signIn(net.olympus, { sub: 'olympus-dana' })}` };
  if (who === 'jwt') return { authorization: `Bearer ${await auth0AccessToken(net.auth0)}` };
  net.olympus.opaque.set('ory_at_outage.sig', activeIntrospection());
  return { authorization: 'Bearer ory_at_outage.sig' };
}

describe('provider failures through the proxy', () => {
  const where = { discovery: isDiscovery, jwks: isJwks, introspection: isIntrospection } as const;
  for (const [place, match] of Object.entries(where)) {
    for (const [answer, make] of Object.entries(ANSWERS)) {
      for (const who of ['session', 'jwt', 'opaque'] as const) {
        it(`${place} ${answer}, ${who} caller: 200, 401 or 503, never 500`, async () => {
          const headers = { ...(await credentials(who)), accept: 'application/json' };
          resetGatewayCaches(); // a cold isolate: nothing cached to fall back on
          fault = (u) => (match(u) ? make() : undefined);
          const res = await gw('/api/me', { headers });
          expect([200, 401, 503]).toContain(res.status);
          if (res.status !== 200) {
            const body = (await res.json()) as { error: string };
            expect(body.error).toBe(res.status === 503 ? 'temporarily_unavailable' : 'invalid_token');
          }
          // What the caller depends on failed: the answer is "try again", not "your credential is bad".
          const depends = (who === 'jwt' && place !== 'introspection') || (who === 'opaque' && place === 'introspection');
          if (depends) expect(res.status).toBe(503);
          if (who === 'session') expect(res.status).toBe(200);
        });
      }
    }
  }
});

describe('an opaque token checked against a discovered introspection endpoint', () => {
  const flag = async (): Promise<FlagRead> => ({ flag: { version: 1, enabled: true, updated_at: new Date().toISOString(), updated_by: 't', reason: 't' }, source: 'controller' }) as FlagRead;
  const discovered = (): GatewayConfig => {
    const c = configFromEnv(env);
    return { ...c, providers: { ...c.providers, olympus: { ...c.providers.olympus, introspectionUrl: undefined } } };
  };

  it('works when discovery is up', async () => {
    net.olympus.opaque.set('ory_at_disc.sig', activeIntrospection());
    const r = await authenticate(discovered(), { sessionCookie: undefined, authorization: 'Bearer ory_at_disc.sig' }, { current: flag, authoritative: flag });
    expect(r.kind).toBe('authenticated');
  });

  it.each(Object.keys(ANSWERS))('discovery %s: a 503 with reason provider_unavailable, not an exception', async (answer) => {
    fault = (u) => (isDiscovery(u) ? ANSWERS[answer]!() : undefined);
    const r = await authenticate(discovered(), { sessionCookie: undefined, authorization: 'Bearer ory_at_disc.sig' }, { current: flag, authoritative: flag });
    expect(r).toMatchObject({ kind: 'rejected', reason: 'provider_unavailable' });
    if (r.kind === 'rejected') expect(statusFor(wireErrorFor(r.reason))).toBe(503);
  });

  it('anything unexpected thrown inside verification is a 503 (verification_failed), not a 500', async () => {
    const broken = async (): Promise<FlagRead> => {
      throw new RangeError('unexpected');
    };
    const token = await olympusJwtAccessToken(net.olympus);
    const r = await authenticate(configFromEnv(env), { sessionCookie: undefined, authorization: `Bearer ${token}` }, { current: broken, authoritative: broken });
    expect(r).toMatchObject({ kind: 'rejected', reason: 'verification_failed' });
  });
});

/**
 * Hostile bearer tokens, each of which must be refused with a generic 401,
 * and the valid tokens of both issuers, which must reach the origin.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { base64url, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { activeIntrospection, auth0AccessToken, installNetwork, olympusJwtAccessToken, signRawRs256, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetGatewayCaches, resetState } from './support/gateway.ts';
import { AUTH0_AUDIENCE, CLIENTS, ISSUERS } from './support/constants.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

const enc = (o: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(o)));
const now = () => Math.floor(Date.now() / 1000);

function call(token: string) {
  return gw('/api/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
}

type Case = [name: string, make: (n: Network) => Promise<string> | string];

const hostile: Case[] = [
  ['alg none', (n) => `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: n.auth0.issuer, sub: 'x', aud: AUTH0_AUDIENCE, exp: now() + 60 })}.`],
  ['alg none with a signature segment', (n) => `${enc({ alg: 'none' })}.${enc({ iss: n.auth0.issuer, sub: 'x', aud: AUTH0_AUDIENCE, exp: now() + 60 })}.AAAA`],
  ['HS256 signed with the RSA public key', async (n) => {
    const pem = new TextEncoder().encode(JSON.stringify(n.auth0.publicJwk));
    return new SignJWT({ iss: n.auth0.issuer, sub: 'auth0|mallory', aud: AUTH0_AUDIENCE, exp: now() + 600 }).setProtectedHeader({ alg: 'HS256', kid: n.auth0.kid }).sign(pem);
  }],
  ['cross-issuer: Olympus key, Auth0 iss', (n) => n.olympus.sign({ sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' }, { kid: n.auth0.kid })],
  ['cross-issuer: Auth0 key, Olympus iss', (n) => n.auth0.sign({ iss: ISSUERS.olympus, sub: 'x', scp: ['openid'] }, { kid: n.olympus.kid })],
  ['cross-issuer: Olympus kid and key, Auth0 iss', (n) => n.olympus.sign({ iss: ISSUERS.auth0, sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' })],
  ['wrong audience', (n) => auth0AccessToken(n.auth0, { aud: 'https://other-api.test/' })],
  ['ID token used as access token (aud = client id, nonce)', (n) => n.auth0.sign({ sub: 'auth0|alice', aud: CLIENTS.auth0, nonce: 'n' })],
  ['ID token with the API audience but a nonce', (n) => auth0AccessToken(n.auth0, { nonce: 'abc' })],
  ['typ id_token+jwt', (n) => auth0AccessToken(n.auth0, {}, { typ: 'id_token+jwt' })],
  ['expired', (n) => auth0AccessToken(n.auth0, { exp: now() - 120 })],
  ['expired just past the 60 s skew', (n) => auth0AccessToken(n.auth0, { exp: now() - 61 })],
  ['nbf in the future', (n) => auth0AccessToken(n.auth0, { nbf: now() + 600 })],
  ['missing exp', async (n) => new SignJWT({ iss: n.auth0.issuer, sub: 'auth0|alice', aud: AUTH0_AUDIENCE }).setProtectedHeader({ alg: 'RS256', kid: n.auth0.kid }).sign(n.auth0.privateKey)],
  ['missing sub', async (n) => new SignJWT({ iss: n.auth0.issuer, aud: AUTH0_AUDIENCE, exp: now() + 60 }).setProtectedHeader({ alg: 'RS256', kid: n.auth0.kid }).sign(n.auth0.privateKey)],
  ['kid not found', (n) => auth0AccessToken(n.auth0, {}, { kid: 'no-such-key' })],
  ['signed by an unknown key with a known kid', async (n) => {
    const { privateKey } = await generateKeyPair('RS256');
    return n.auth0.sign({ sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' }, {}, privateKey);
  }],
  ['injected jku pointing at the attacker', async (n) => {
    const { privateKey } = await generateKeyPair('RS256');
    return n.auth0.sign({ sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' }, { jku: 'https://evil.test/jwks.json', kid: 'evil' }, privateKey);
  }],
  ['injected x5u', async (n) => {
    const { privateKey } = await generateKeyPair('RS256');
    return n.auth0.sign({ sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' }, { x5u: 'https://evil.test/cert.pem', kid: 'evil' }, privateKey);
  }],
  ['injected embedded jwk', async (n) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return n.auth0.sign({ sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid' }, { jwk: await exportJWK(publicKey), kid: undefined }, privateKey);
  }],
  ['unknown crit header', (n) =>
    signRawRs256({ alg: 'RS256', kid: n.auth0.kid, crit: ['urn:example:unknown'], 'urn:example:unknown': true }, { iss: n.auth0.issuer, sub: 'auth0|alice', aud: AUTH0_AUDIENCE, scope: 'openid', exp: now() + 600 }, n.auth0.privateKey)],
  ['malformed: two segments', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
  ['malformed: header not JSON', () => 'bm90LWpzb24.eyJzdWIiOiJ4In0.c2ln'],
  ['malformed: non-base64url characters', () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIi*OiJ4In0.c2ln'],
  ['malformed: empty signature', async (n) => (await auth0AccessToken(n.auth0)).replace(/\.[^.]+$/, '.')],
  ['tampered payload', async (n) => {
    const [h, , s] = (await auth0AccessToken(n.auth0)).split('.');
    return `${h}.${enc({ iss: n.auth0.issuer, sub: 'auth0|admin', aud: AUTH0_AUDIENCE, exp: now() + 600 })}.${s}`;
  }],
  ['oversize token', (n) => auth0AccessToken(n.auth0, { pad: 'x'.repeat(9000) })],
  ['encrypted (5-part) token', () => 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaa.bbbb.cccc'],
  ['unknown issuer', (n) => n.auth0.sign({ iss: 'https://evil.test/', sub: 'x', aud: AUTH0_AUDIENCE })],
  ['alg RS256 not in the list: PS256 from Auth0', async (n) => {
    const { privateKey } = await generateKeyPair('PS256');
    return new SignJWT({ iss: n.auth0.issuer, sub: 'x', aud: AUTH0_AUDIENCE, exp: now() + 60 }).setProtectedHeader({ alg: 'PS256', kid: n.auth0.kid }).sign(privateKey);
  }],
  ['opaque token unknown to the introspection endpoint', () => 'ory_at_unknown-token.signature'],
  ['opaque refresh token (token_use refresh_token)', (n) => {
    n.olympus.opaque.set('ory_rt_refresh.sig', activeIntrospection({ token_use: 'refresh_token' }));
    return 'ory_rt_refresh.sig';
  }],
  // OLYMPUS_AUDIENCE is unset in the tests: tokens are bound to the gateway's Hydra client (OLYMPUS_TOKEN_BINDING=client).
  ['Olympus JWT issued to another client', (n) => olympusJwtAccessToken(n.olympus, { client_id: 'another-app' })],
  ['Olympus JWT naming no client', (n) => olympusJwtAccessToken(n.olympus, { client_id: undefined })],
  ['Olympus JWT with our client_id but another azp', (n) => olympusJwtAccessToken(n.olympus, { azp: 'another-app' })],
  ['Olympus client-credentials JWT of another client', (n) => olympusJwtAccessToken(n.olympus, { sub: 'batch-job', client_id: 'batch-job' })],
  ['opaque token issued to another client (client credentials)', (n) => {
    n.olympus.opaque.set('ory_at_cc.sig', activeIntrospection({ sub: 'batch-job', client_id: 'batch-job' }));
    return 'ory_at_cc.sig';
  }],
  ['opaque token naming no client', (n) => {
    n.olympus.opaque.set('ory_at_noclient.sig', activeIntrospection({ client_id: undefined }));
    return 'ory_at_noclient.sig';
  }],
  ['opaque token introspected as expired', (n) => {
    n.olympus.opaque.set('ory_at_old.sig', activeIntrospection({ exp: now() - 600 }));
    return 'ory_at_old.sig';
  }],
];

describe('hostile bearer tokens are refused', () => {
  it('has at least 25 cases', () => expect(hostile.length).toBeGreaterThanOrEqual(25));
  it.each(hostile)('%s', async (_name, make) => {
    const token = await make(net);
    const res = await call(token);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe('invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="switchback", error="invalid_token"/);
    // Never a detail to the client, and never the origin.
    expect(JSON.stringify(body)).not.toMatch(/kid|signature|audience|expired|alg/i);
    expect(net.originRequests).toHaveLength(0);
  });

  it('Olympus token after the overlap ended', async () => {
    await putFlag({ enabled: false, rollback_at: new Date(Date.now() - 1801_000).toISOString() });
    const res = await call(await olympusJwtAccessToken(net.olympus));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('session_expired');
    expect(res.headers.get('www-authenticate')).toContain('error="session_expired"');
    expect(net.originRequests).toHaveLength(0);
  });
});

describe('valid tokens of both issuers are accepted', () => {
  it('Auth0 JWT access token', async () => {
    const res = await call(await auth0AccessToken(net.auth0));
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-auth-sub']).toBe('auth0|alice');
    expect(seen.headers['x-auth-provider']).toBe('auth0');
    expect(seen.headers['x-auth-email']).toBe('alice@example.com');
  });

  it('Olympus JWT access token (scp array)', async () => {
    const res = await call(await olympusJwtAccessToken(net.olympus));
    expect(res.status).toBe(200);
    const seen = (await res.json()) as { headers: Record<string, string> };
    expect(seen.headers['x-auth-provider']).toBe('olympus');
    expect(seen.headers['x-auth-issuer']).toBe(ISSUERS.olympus);
  });

  it('Olympus opaque access token through introspection, cached', async () => {
    net.olympus.opaque.set('ory_at_good.sig', activeIntrospection());
    for (let i = 0; i < 3; i++) {
      const res = await call('ory_at_good.sig');
      expect(res.status).toBe(200);
      const seen = (await res.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-auth-sub']).toBe('7f3c2a9e-olympus-bob');
      expect(seen.headers['x-auth-email']).toBe('bob@example.com');
    }
    expect(net.olympus.counts.introspection).toBe(1);
    // The protected route's credentials reach the admin endpoint.
    expect(net.olympus.lastIntrospectionHeaders?.get('cf-access-client-id')).toBe('svc-id');
  });

  it('concurrent first uses of one opaque token may each call introspection (no shared pending call), later ones hit the cache', async () => {
    net.olympus.opaque.set('ory_at_burst.sig', activeIntrospection());
    const results = await Promise.all(Array.from({ length: 16 }, () => call('ory_at_burst.sig')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const calls = net.olympus.counts.introspection;
    expect(calls).toBeLessThanOrEqual(16);
    for (let i = 0; i < 5; i++) expect((await call('ory_at_burst.sig')).status).toBe(200);
    expect(net.olympus.counts.introspection).toBe(calls);
  });

  it('fetches discovery and JWKS once for many requests', async () => {
    const token = await auth0AccessToken(net.auth0);
    for (let i = 0; i < 10; i++) expect((await call(token)).status).toBe(200);
    expect(net.auth0.counts.discovery).toBe(1);
    expect(net.auth0.counts.jwks).toBe(1);
  });
});

/** JWKS caching: rotation picked up with one refetch, a kid flood rate-limited, stale keys served when the IdP is down. */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { exportJWK, generateKeyPair } from 'jose';
import { auth0AccessToken } from './support/fake-network.ts';
import { gw } from './support/gateway.ts';

const it = gatewayTest({ enabled: false });

const call = (token: string) => gw('/api/me', { headers: { authorization: `Bearer ${token}` } });

describe('key rotation', () => {
  it('a new kid is fetched once and then accepted', async ({ net }) => {
    expect((await call(await auth0AccessToken(net.auth0))).status).toBe(200);
    expect(net.auth0.counts.jwks).toBe(1);
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    net.auth0.jwks.keys.push({ ...(await exportJWK(publicKey)), kid: 'rotated-2', alg: 'RS256', use: 'sig' });
    const rotated = await net.auth0.sign({ sub: 'auth0|alice', aud: ['https://api.example.test/'], scope: 'openid' }, { kid: 'rotated-2' }, privateKey);
    expect((await call(rotated)).status).toBe(200);
    expect(net.auth0.counts.jwks).toBe(2);
    for (let i = 0; i < 5; i++) expect((await call(rotated)).status).toBe(200);
    expect(net.auth0.counts.jwks).toBe(2);
  });

  it('a flood of unknown kids triggers at most one refetch per cooldown', async ({ net }) => {
    expect((await call(await auth0AccessToken(net.auth0))).status).toBe(200);
    for (let i = 0; i < 25; i++) expect((await call(await auth0AccessToken(net.auth0, {}, { kid: `random-${i}` }))).status).toBe(401);
    expect(net.auth0.counts.jwks).toBe(2);
  });
});

describe('stale-if-error', () => {
  it('keeps verifying with the last good keys while the JWKS endpoint is down', async ({ net }) => {
    const token = await auth0AccessToken(net.auth0);
    expect((await call(token)).status).toBe(200);
    net.auth0.jwksAvailable = false;
    // An unknown kid forces a refetch, which fails; the known keys keep serving.
    expect((await call(await auth0AccessToken(net.auth0, {}, { kid: 'unknown' }))).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await call(token)).status).toBe(200);
  });

  it('fails closed with a retryable 503, not a 500, when no key set was ever fetched', async ({ net }) => {
    net.auth0.jwksAvailable = false;
    const res = await call(await auth0AccessToken(net.auth0));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    expect(net.originRequests).toHaveLength(0);
  });

  it('keeps serving with the last discovery document when discovery goes down', async ({ net }) => {
    const token = await auth0AccessToken(net.auth0);
    expect((await call(token)).status).toBe(200);
    net.auth0.metadata.issuer = 'https://broken.test/';
    expect((await call(token)).status).toBe(200);
  });
});

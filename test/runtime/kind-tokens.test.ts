/**
 * The hostile-token table for every legacy kind (Auth0, Cognito, Clerk),
 * through the gateway configured with LEGACY_PROVIDER=<kind>: each hostile
 * bearer token gets the generic 401 and never reaches the origin, and each
 * kind's valid tokens (and Olympus's, beside it) do. The kind-specific rows
 * come from the providers' documentation (src/providers/kinds/*.ts):
 * Cognito's token_use/client_id (aws-jwt-verify), Clerk's azp allow-list,
 * at+jwt and oat_ introspection.
 */
import { describe, expect } from 'vitest';
import { base64url, decodeJwt, generateKeyPair, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { gatewayTest } from './support/fixtures.ts';
import { auth0AccessToken, olympusJwtAccessToken, type Idp, type Network } from './support/fake-network.ts';
import { kindGw } from './support/kind-gateway.ts';
import { AUTH0_AUDIENCE, CLERK_APP_ORIGIN, CLIENTS, ISSUERS, LEGACY_CLIENTS, LEGACY_ISSUERS } from './support/constants.ts';
import type { LegacyKindId } from '../../src/providers/kinds/kind.ts';

const it = gatewayTest({ enabled: true });
const now = () => Math.floor(Date.now() / 1000);
const enc = (o: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(o)));

type Maker = (n: Network, claims?: JWTPayload, header?: Partial<JWTHeaderParameters>) => Promise<string>;

interface KindCase {
  kind: LegacyKindId;
  idp: (n: Network) => Idp;
  /** A valid access token of this kind, with claims/header overrides. */
  valid: Maker;
  /** An ID token of this kind, as its provider issues it at sign-in. */
  idToken: Maker;
  /** The claims that name another client of the same issuer. */
  otherClient: JWTPayload;
  expectedSub: string;
}

/** Cognito access token: no aud, client_id, token_use access, no typ header (developer guide, using-the-access-token). */
const cognitoAccess: Maker = (n, claims = {}, header = {}) =>
  n.cognito.sign({ sub: '5f1c-cognito-alice', token_use: 'access', client_id: LEGACY_CLIENTS.cognito, scope: 'openid email', username: 'alice', auth_time: now(), jti: crypto.randomUUID(), origin_jti: crypto.randomUUID(), ...claims }, { typ: undefined, ...header });
/** Clerk session token (v2): azp origin, sid, ~60 s, no aud (session-tokens.mdx). */
const clerkSession: Maker = (n, claims = {}, header = {}) =>
  n.clerk.sign({ sub: 'user_2alice', sid: 'sess_2abc', azp: CLERK_APP_ORIGIN, v: 2, nbf: now() - 5, exp: now() + 60, ...claims }, header);

const KINDS: KindCase[] = [
  {
    kind: 'auth0',
    idp: (n) => n.auth0,
    valid: (n, c, h) => auth0AccessToken(n.auth0, c, h),
    idToken: (n) => n.auth0.sign({ sub: 'auth0|alice', aud: CLIENTS.auth0, nonce: 'n' }),
    otherClient: { aud: 'https://other-api.test/' },
    expectedSub: 'auth0|alice',
  },
  {
    kind: 'cognito',
    idp: (n) => n.cognito,
    valid: cognitoAccess,
    idToken: (n) => n.cognito.sign({ sub: '5f1c-cognito-alice', aud: LEGACY_CLIENTS.cognito, token_use: 'id', 'cognito:username': 'alice', email: 'alice@example.com' }, { typ: undefined }),
    otherClient: { client_id: 'another-app-client' },
    expectedSub: '5f1c-cognito-alice',
  },
  {
    kind: 'clerk',
    idp: (n) => n.clerk,
    valid: clerkSession,
    idToken: (n) => n.clerk.sign({ sub: 'user_2alice', aud: LEGACY_CLIENTS.clerk, nonce: 'n' }),
    otherClient: { azp: 'https://evil.example.test' },
    expectedSub: 'user_2alice',
  },
];

type Hostile = [name: string, make: (n: Network, k: KindCase) => Promise<string> | string];

/** Rows every kind must refuse. */
const COMMON: Hostile[] = [
  ['alg none', (n, k) => `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iss: k.idp(n).issuer, sub: 'x', aud: AUTH0_AUDIENCE, exp: now() + 60 })}.`],
  ['HS256 signed with the public key', async (n, k) => {
    const secret = new TextEncoder().encode(JSON.stringify(k.idp(n).publicJwk));
    const [, payload] = (await k.valid(n)).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as JWTPayload;
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: k.idp(n).kid }).sign(secret);
  }],
  ['cross-issuer: Olympus key and kid, legacy iss', async (n, k) => {
    const [, payload] = (await k.valid(n)).split('.');
    return n.olympus.sign(JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as JWTPayload);
  }],
  ['cross-issuer: legacy key, Olympus iss', (n, k) => k.idp(n).sign({ iss: ISSUERS.olympus, sub: 'x', scp: ['openid'], client_id: CLIENTS.olympus }, { kid: n.olympus.kid })],
  ['unknown issuer (a look-alike of the legacy one)', (n, k) => k.valid(n, { iss: `${k.idp(n).issuer.replace(/\/$/, '')}x` })],
  ['expired', (n, k) => k.valid(n, { exp: now() - 120 })],
  ['nbf in the future', (n, k) => k.valid(n, { nbf: now() + 600 })],
  ['kid not found', (n, k) => k.valid(n, {}, { kid: 'no-such-key' })],
  ['signed by an unknown key with the known kid', async (n, k) => {
    const { privateKey } = await generateKeyPair('RS256');
    const [, payload] = (await k.valid(n)).split('.');
    return k.idp(n).sign(JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as JWTPayload, {}, privateKey);
  }],
  ['tampered payload', async (n, k) => {
    const [h, payload, s] = (await k.valid(n)).split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!))) as JWTPayload;
    return `${h}.${enc({ ...claims, sub: 'admin' })}.${s}`;
  }],
  ['ID token used as access token', (n, k) => k.idToken(n)],
  ['issued to another client of the same issuer', (n, k) => k.valid(n, k.otherClient)],
];

/** Rows from each kind's own documentation. */
const SPECIFIC: Record<LegacyKindId, Hostile[]> = {
  auth0: [
    ['ID token with the API audience but a nonce', (n) => auth0AccessToken(n.auth0, { nonce: 'abc' })],
  ],
  cognito: [
    ['token_use id without aud or nonce', (n) => cognitoAccess(n, { token_use: 'id' })],
    ['no token_use', (n) => cognitoAccess(n, { token_use: undefined })],
    ['token_use of something else', (n) => cognitoAccess(n, { token_use: 'refresh' })],
    ['access token naming no client', (n) => cognitoAccess(n, { client_id: undefined })],
    ['access token with an aud (not Cognito-shaped)', (n) => cognitoAccess(n, { aud: LEGACY_CLIENTS.cognito })],
    ['ID token with scope claims added', (n) => n.cognito.sign({ sub: 'x', aud: LEGACY_CLIENTS.cognito, token_use: 'id', scope: 'openid' })],
    ['another user pool of the same region', (n) => cognitoAccess(n, { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_OtherPool' })],
  ],
  clerk: [
    ['session token without azp', (n) => clerkSession(n, { azp: undefined })],
    ['session token from an origin one character off', (n) => clerkSession(n, { azp: `${CLERK_APP_ORIGIN}.evil.test` })],
    ['session token with an aud', (n) => clerkSession(n, { aud: 'something' })],
    ['JWT-template token (no sid, not at+jwt)', (n) => clerkSession(n, { sid: undefined })],
    ['OAuth at+jwt of another OAuth application', (n) => n.clerk.sign({ sub: 'user_2alice', client_id: 'other-oauth-app', scope: 'email' }, { typ: 'at+jwt' })],
    ['OAuth at+jwt naming no client', (n) => n.clerk.sign({ sub: 'user_2alice', scope: 'email' }, { typ: 'at+jwt' })],
    ['OAuth at+jwt naming the app only in azp (RFC 9068 wants client_id)', (n) => n.clerk.sign({ sub: 'user_2alice', azp: LEGACY_CLIENTS.clerk, scope: 'email' }, { typ: 'at+jwt' })],
    ['opaque oat_ token unknown to token_info', () => 'oat_0ef5a7a33d87ed87ee7954c845d80450'],
    ['opaque oat_ token of another OAuth application', (n) => {
      n.clerk.opaque.set('oat_other', { active: true, sub: 'user_2alice', client_id: 'other-oauth-app', exp: now() + 600 });
      return 'oat_other';
    }],
    ['opaque oat_ token introspected as expired', (n) => {
      n.clerk.opaque.set('oat_old', { active: true, sub: 'user_2alice', client_id: LEGACY_CLIENTS.clerk, exp: now() - 600 });
      return 'oat_old';
    }],
  ],
};

const call = (kind: LegacyKindId, token: string) => kindGw(kind, '/api/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

for (const k of KINDS) {
  describe(`${k.kind}: hostile bearer tokens are refused`, () => {
    const rows = [...COMMON, ...SPECIFIC[k.kind]];
    it('has at least 12 rows', () => expect(rows.length).toBeGreaterThanOrEqual(12));
    it.for(rows)('%s', async ([, make], { net }) => {
      const res = await call(k.kind, await make(net, k));
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: string };
      expect(body.error).toBe('invalid_token');
      expect(JSON.stringify(body)).not.toMatch(/kid|signature|audience|expired|alg|azp|token_use|client/i);
      expect(net.originRequests).toHaveLength(0);
    });
  });

  describe(`${k.kind}: valid tokens reach the origin`, () => {
    it(`a ${k.kind} access token`, async ({ net }) => {
      const res = await call(k.kind, await k.valid(net));
      expect(res.status).toBe(200);
      const seen = (await res.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-auth-sub']).toBe(k.expectedSub);
      expect(seen.headers['x-auth-issuer']).toBe(k.idp(net).issuer);
      // The product, not the role: an app can tell a Cognito user from a Clerk one.
      expect(seen.headers['x-auth-provider']).toBe(k.kind);
      // The signed assertion says the same product (`idp`) beside the stored role (`provider`).
      expect(decodeJwt(seen.headers['x-auth-assertion']!)).toMatchObject({ idp: k.kind, provider: 'auth0', idp_iss: k.idp(net).issuer });
    });

    it('an Olympus token beside it (flag on)', async ({ net }) => {
      const res = await call(k.kind, await olympusJwtAccessToken(net.olympus));
      expect(res.status).toBe(200);
      const seen = (await res.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-auth-issuer']).toBe(ISSUERS.olympus);
      expect(seen.headers['x-auth-provider']).toBe('olympus');
    });
  });
}

describe('clerk: OAuth access tokens', () => {
  it('an at+jwt issued to the gateway\'s OAuth application', async ({ net }) => {
    const res = await call('clerk', await net.clerk.sign({ sub: 'user_2alice', client_id: LEGACY_CLIENTS.clerk, scope: 'email' }, { typ: 'at+jwt' }));
    expect(res.status).toBe(200);
  });

  it('an opaque oat_ token goes to Clerk\'s /oauth/token_info, never to Olympus', async ({ net }) => {
    net.clerk.opaque.set('oat_good', { active: true, sub: 'user_2alice', client_id: LEGACY_CLIENTS.clerk, exp: now() + 600, scope: 'email' });
    const res = await call('clerk', 'oat_good');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-auth-sub']).toBe('user_2alice');
    expect(net.clerk.counts.introspection).toBe(1);
    expect(net.olympus.counts.introspection).toBe(0);
  });

  it('an Olympus opaque token still goes to Olympus', async ({ net }) => {
    net.olympus.opaque.set('ory_at_x.sig', { active: true, sub: 'o-1', client_id: CLIENTS.olympus, iss: ISSUERS.olympus, exp: now() + 600, token_use: 'access_token' });
    expect((await call('clerk', 'ory_at_x.sig')).status).toBe(200);
    expect(net.clerk.counts.introspection).toBe(0);
  });
});

it('the Cognito stand-in issuer is the pool\'s (sanity of the table)', () => {
  expect(LEGACY_ISSUERS.cognito).toMatch(/^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\/eu-west-1_/);
});

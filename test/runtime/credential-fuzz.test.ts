/**
 * Fuzzing the credential parsers through the gateway's fetch (src/routes/proxy):
 * session cookies (garbage, truncated, tampered, sealed with the wrong key,
 * sealed with the right key around hostile claims) and bearer tokens (random
 * segments, random JSON headers and payloads with hostile alg/kid/crit/jku,
 * huge values). Whatever arrives, the answer is a redirect, a 401, or the
 * deliberate 503, never a 500, and a forged credential never reaches the app.
 */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import fc from 'fast-check';
import { base64url } from 'jose';
import { auth0AccessToken, signRawRs256 } from './support/fake-network.ts';
import { gw } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';
import { AUTH0_AUDIENCE, CLIENTS, ISSUERS } from './support/constants.ts';
import { seal } from '../../src/verify/sealed-cookie.ts';

const SESSION_SECRET = 'test-session-secret-0123456789abcdef0123456789';

const it = gatewayTest({ enabled: true });

const b64 = (s: string) => base64url.encode(new TextEncoder().encode(s));

/**
 * The same JWS or JWE once decoded: the last base64url character of a segment has spare low bits that
 * decoders ignore, so a "mangled" token can still be the issuer's own token (not a forgery).
 */
function sameJws(a: string, b: string): boolean {
  const sa = a.split('.');
  const sb = b.split('.');
  if (sa.length !== sb.length) return false;
  try {
    return sa.every((seg, i) => base64url.decode(seg).join() === base64url.decode(sb[i]!).join());
  } catch {
    return false;
  }
}
const enc = (o: unknown) => b64(JSON.stringify(o));

/** Sends one request; a header value the Fetch API itself refuses never reaches the gateway, so it is skipped. */
async function send(path: string, headers: Record<string, string>): Promise<Response | undefined> {
  let h: Headers;
  try {
    h = new Headers(headers);
  } catch {
    return undefined;
  }
  return gw(path, { headers: h });
}

async function expectNoServerError(res: Response | undefined, allowed: number[]): Promise<void> {
  if (!res) return;
  if (res.status === 503) {
    expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    return;
  }
  expect(allowed).toContain(res.status);
  await res.body?.cancel();
}

const cookieChars = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%+/=!*\'()'.split('')), maxLength: 600 });

describe('session cookie fuzz', () => {
  it('garbage, truncated, tampered and wrong-key cookies: 401 for APIs, 302 for browsers, never 5xx (3,000 requests)', async ({ net }) => {
    const good = await signIn(net.olympus, { sub: 'olympus-fuzz' });
    const wrongKey = await seal('another-secret-0123456789abcdef0123456789ab', 'session', { v: 1, prv: 'olympus', iss: ISSUERS.olympus, sub: 'olympus-fuzz' }, Math.floor(Date.now() / 1000) + 600);
    const loginPurpose = await seal(SESSION_SECRET, 'login', { v: 1, prv: 'olympus', iss: ISSUERS.olympus, sub: 'olympus-fuzz' }, Math.floor(Date.now() / 1000) + 600);
    const cookie = fc.oneof(
      cookieChars,
      fc.nat({ max: good.length - 1 }).map((n) => good.slice(0, n)),
      fc.tuple(fc.nat({ max: good.length - 1 }), fc.constantFrom(...'AQgz_-.0'.split(''))).map(([i, ch]) => good.slice(0, i) + ch + good.slice(i + 1)).filter((v) => !sameJws(v, good)),
      fc.array(cookieChars, { minLength: 5, maxLength: 5 }).map((parts) => parts.join('.')),
      fc.constant(wrongKey),
      fc.constant(loginPurpose),
      fc.integer({ min: 4097, max: 20_000 }).map((n) => 'A'.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(cookie, fc.boolean(), async (value, browser) => {
        const headers: Record<string, string> = { cookie: `__Host-sb_session=${value}` };
        if (browser) Object.assign(headers, { accept: 'text/html', 'sec-fetch-mode': 'navigate' });
        const res = await send('/account', headers);
        await expectNoServerError(res, browser ? [302] : [401]);
      }),
      { numRuns: 3000 },
    );
    expect(net.originRequests).toHaveLength(0);
  });

  it('right key, hostile claims: never 5xx, and only a well-formed identity passes (1,000 requests)', async ({ net }) => {
    const claims = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.anything()),
        prv: fc.oneof(fc.constantFrom('olympus', 'auth0', '__proto__', 'constructor'), fc.anything()),
        iss: fc.oneof(fc.constantFrom(ISSUERS.olympus, ISSUERS.auth0, 'https://evil.test'), fc.anything()),
        sub: fc.oneof(fc.string({ maxLength: 40 }), fc.anything()),
        email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 40 }), fc.anything()),
        ev: fc.anything(),
        name: fc.anything(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(claims, async (c) => {
        const value = await seal(SESSION_SECRET, 'session', c as Record<string, unknown>, Math.floor(Date.now() / 1000) + 600);
        const res = await send('/account', { cookie: `__Host-sb_session=${value}` });
        if (res?.status === 200) {
          const seen = (await res.json()) as { headers: Record<string, string> };
          expect(c.v).toBe(1);
          expect([ISSUERS.olympus, ISSUERS.auth0]).toContain(seen.headers['x-auth-issuer']);
          expect(['true', 'false', undefined]).toContain(seen.headers['x-auth-email-verified']);
          return;
        }
        await expectNoServerError(res, [401]);
      }),
      { numRuns: 1000 },
    );
  });
});

const ALGS = ['RS256', 'ES256', 'PS256', 'EdDSA', 'HS256', 'none', 'NONE', 'rs256', 'RSA-OAEP', 'dir', '', 'A256GCM'];
const hostileHeader = fc.record(
  {
    alg: fc.oneof(fc.constantFrom(...ALGS), fc.anything()),
    kid: fc.oneof(fc.constantFrom('olympus.test-key-1', 'auth0.test-key-1', '../../etc/passwd', '', 'x'.repeat(5000)), fc.anything()),
    typ: fc.oneof(fc.constantFrom('JWT', 'at+jwt', 'id_token+jwt', 'JOSE'), fc.anything()),
    crit: fc.oneof(fc.constant(['b64']), fc.constant([]), fc.array(fc.string({ maxLength: 10 })), fc.anything()),
    jku: fc.oneof(fc.constant('https://evil.test/jwks.json'), fc.anything()),
    x5u: fc.constant('https://evil.test/cert.pem'),
    jwk: fc.oneof(fc.constant({ kty: 'oct', k: 'AAAA' }), fc.anything()),
    b64: fc.boolean(),
    enc: fc.constantFrom('A256GCM', 'A128CBC-HS256'),
  },
  { requiredKeys: [] },
);
const hostilePayload = fc.record(
  {
    iss: fc.oneof(fc.constantFrom(ISSUERS.auth0, ISSUERS.olympus, 'https://evil.test/'), fc.anything()),
    sub: fc.oneof(fc.string({ maxLength: 30 }), fc.anything()),
    aud: fc.oneof(fc.constantFrom(AUTH0_AUDIENCE, CLIENTS.auth0), fc.array(fc.string({ maxLength: 10 })), fc.anything()),
    exp: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    nbf: fc.oneof(fc.integer(), fc.anything()),
    client_id: fc.oneof(fc.constantFrom(CLIENTS.olympus, 'other'), fc.anything()),
    azp: fc.anything(),
    scope: fc.anything(),
    scp: fc.anything(),
    email_verified: fc.anything(),
  },
  { requiredKeys: [] },
);
const b64seg = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), maxLength: 300 });

describe('bearer token fuzz', () => {
  it('random segments, hostile headers and payloads, huge values: 401 (or 503), never 5xx; only a really signed token with every claim right passes (4,000 requests)', async ({ net }) => {
    const { privateKey: attackerKey } = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const valid = await auth0AccessToken(net.auth0);
    const token = fc.oneof(
      // Random segments, any count.
      fc.array(b64seg, { minLength: 1, maxLength: 6 }).map((s) => s.join('.')),
      // Random JSON header and payload, random or empty signature.
      fc.tuple(hostileHeader, hostilePayload, b64seg).map(([h, p, s]) => `${enc(h)}.${enc(p)}.${s}`),
      // Hostile header and payload, really signed (by the attacker's key or by the real issuer's key).
      fc.tuple(hostileHeader, hostilePayload, fc.boolean()).map(([h, p, real]) => ({ h, p, real })),
      // Non-JSON and non-object segments.
      fc.tuple(fc.constantFrom('null', '[]', '"str"', '1', '{', 'true', '{"alg":"RS256"'), fc.constantFrom('null', '[]', '{}', '{"iss":1}')).map(([h, p]) => `${b64(h)}.${b64(p)}.c2ln`),
      // A valid token, mangled.
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'Aa0_-.'.split(''))).map(([i, ch]) => valid.slice(0, i) + ch + valid.slice(i + 1)).filter((t) => !sameJws(t, valid)),
      // Huge and odd.
      fc.integer({ min: 8000, max: 70_000 }).map((n) => `${enc({ alg: 'RS256' })}.${'A'.repeat(n)}.sig`),
      fc.string({ unit: 'binary-ascii', maxLength: 200 }),
      fc.constantFrom('ory_at_' + 'x'.repeat(9000), 'a..b', '...', '.', '', ' ', 'ory_at_unknown.sig'),
    );
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', 'Bearer\t'), async (t, scheme) => {
        let raw: string;
        if (typeof t === 'string') raw = t;
        else raw = await signRawRs256(t.h as Record<string, unknown>, t.p as Record<string, unknown>, t.real ? net.olympus.privateKey : attackerKey);
        const res = await send('/api/me', { authorization: `${scheme}${raw}`, accept: 'application/json' });
        if (res?.status === 200) {
          // Only a token really signed by the issuer, with every claim right, may pass.
          expect(typeof t).toBe('object');
          await res.body?.cancel();
          return;
        }
        await expectNoServerError(res, [401]);
      }),
      { numRuns: 4000 },
    );
  });
});

/**
 * Identity headers can't be forged by spelling (issue 7, item 9): whatever
 * case, underscores or dots a client uses, no header that an app server
 * could read as `X-Auth-*` (WSGI/Rack/PHP: `HTTP_X_AUTH_SUB`) reaches the
 * origin except those the gateway set itself.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { activeIntrospection, auth0AccessToken, installNetwork, type Network } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { signIn } from './support/login-flow.ts';
import { foldHeaderName, IDENTITY_HEADERS } from '../../src/origin/identity-headers.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  net = await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

type Seen = { headers: Record<string, string> };

/** Headers at the origin that an app server would read as identity, with their values. */
function identityLike(seen: Seen): Record<string, string> {
  return Object.fromEntries(Object.entries(seen.headers).filter(([k]) => foldHeaderName(k).startsWith('x-auth-')));
}

describe('underscore and dot spellings', () => {
  it.each([
    ['X_Auth_Sub', 'anonymous'],
    ['x_auth_sub', 'bearer'],
    ['X-Auth_Sub', 'bearer'],
    ['x.auth.sub', 'bearer'],
    ['X_AUTH_EMAIL', 'bearer'],
    ['x_auth_email_verified', 'bearer'],
    ['X-Auth-Roles', 'bearer'],
    ['x_auth_tenant', 'anonymous'],
  ])('%s (%s) never reaches the origin', async (name, who) => {
    const headers: Record<string, string> = { [name]: 'victim' };
    if (who === 'bearer') headers.authorization = `Bearer ${await auth0AccessToken(net.auth0)}`;
    const res = await gw(who === 'bearer' ? '/api/me' : '/public/x', { headers });
    expect(res.status).toBe(200);
    const seen = (await res.json()) as Seen;
    expect(Object.values(identityLike(seen))).not.toContain('victim');
  });
});

const SEPARATORS = ['-', '_', '.', '~', '+', '!'];
/** An identity header name or an x-auth- name, with random case and separators. */
const forgedName = fc
  .tuple(
    fc.oneof(fc.constantFrom(...IDENTITY_HEADERS), fc.stringMatching(/^[a-z0-9]{1,10}$/).map((s) => `x-auth-${s}`)),
    fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    fc.array(fc.constantFrom(...SEPARATORS), { minLength: 40, maxLength: 40 }),
  )
  .map(([name, upper, seps]) => [...name].map((ch, i) => (ch === '-' ? seps[i]! : upper[i] ? ch.toUpperCase() : ch)).join(''));

describe('fuzz: generated header names', () => {
  it('no forged identity header reaches the origin, for anonymous, session, JWT and opaque callers (2,000 requests)', async () => {
    const session = await signIn(net.olympus, { sub: 'olympus-carol', email: 'carol@example.com', email_verified: true });
    const jwt = await auth0AccessToken(net.auth0);
    net.olympus.opaque.set('ory_at_fuzz.sig', activeIntrospection());
    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      session: { cookie: `__Host-sb_session=${session}` },
      jwt: { authorization: `Bearer ${jwt}` },
      opaque: { authorization: 'Bearer ory_at_fuzz.sig' },
    };
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(forgedName, { minLength: 1, maxLength: 6, selector: (n) => n.toLowerCase() }), fc.constantFrom(...Object.keys(callers)), async (names, who) => {
        const headers = new Headers(callers[who]);
        for (const n of names) headers.append(n, 'victim');
        const res = await gw(who === 'anonymous' ? '/public/fuzz' : '/api/fuzz', { headers });
        expect(res.status).toBe(200);
        const seen = (await res.json()) as Seen;
        const forwarded = identityLike(seen);
        expect(Object.values(forwarded)).not.toContain('victim');
        // Only the exact names the gateway sets itself.
        for (const k of Object.keys(forwarded)) expect(IDENTITY_HEADERS as readonly string[]).toContain(k);
        if (who === 'anonymous') expect(forwarded).toEqual({});
      }),
      { numRuns: 2000 },
    );
  });
});

describe('X-Auth-Email-Verified', () => {
  const verified = async (init: RequestInit) => ((await (await gw('/api/me', init)).json()) as Seen).headers['x-auth-email-verified'];

  it('comes from the ID token for a session, only as a literal boolean', async () => {
    expect(await verified({ headers: { cookie: `__Host-sb_session=${await signIn(net.olympus, { sub: 'o-1', email_verified: true })}` } })).toBe('true');
    expect(await verified({ headers: { cookie: `__Host-sb_session=${await signIn(net.olympus, { sub: 'o-2', email_verified: false })}` } })).toBe('false');
    expect(await verified({ headers: { cookie: `__Host-sb_session=${await signIn(net.olympus, { sub: 'o-3', email_verified: 'true' })}` } })).toBeUndefined();
    expect(await verified({ headers: { cookie: `__Host-sb_session=${await signIn(net.olympus, { sub: 'o-4' })}` } })).toBeUndefined();
  });

  it('comes from the access token for a JWT bearer and from the introspection result (or its ext) for an opaque one', async () => {
    expect(await verified({ headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0, { email_verified: true })}` } })).toBe('true');
    expect(await verified({ headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0, { email_verified: 'yes' })}` } })).toBeUndefined();
    net.olympus.opaque.set('ory_at_ev1.sig', activeIntrospection({ ext: { email: 'bob@example.com', email_verified: false } }));
    expect(await verified({ headers: { authorization: 'Bearer ory_at_ev1.sig' } })).toBe('false');
    net.olympus.opaque.set('ory_at_ev2.sig', activeIntrospection());
    expect(await verified({ headers: { authorization: 'Bearer ory_at_ev2.sig' } })).toBeUndefined();
  });

  it('a client cannot send it itself', async () => {
    expect(await verified({ headers: { authorization: `Bearer ${await auth0AccessToken(net.auth0)}`, 'x-auth-email-verified': 'true' } })).toBeUndefined();
  });
});

/**
 * Sign-in and logout through the gateway for each legacy kind, table-driven:
 * /login goes to the kind's authorization page, the callback accepts only an
 * ID token shaped like the kind's (Cognito: token_use "id"), the session
 * reaches the app, and /logout ends the provider's session its way
 * (Cognito: /logout?client_id=&logout_uri=, nothing else).
 */
import { describe, expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { cookiesFrom } from './support/gateway.ts';
import { issueCode, type StartedLogin } from './support/login-flow.ts';
import { kindGw } from './support/kind-gateway.ts';
import { GATEWAY, LEGACY_CLIENTS } from './support/constants.ts';
import type { Idp, Network } from './support/fake-network.ts';

const it = gatewayTest();

async function start(kind: 'cognito' | 'clerk', path = '/login'): Promise<StartedLogin> {
  const res = await kindGw(kind, path);
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location')!);
  return {
    authorize,
    loginCookie: cookiesFrom(res)['__Host-sb_login']!,
    cohortCookie: undefined,
    state: authorize.searchParams.get('state')!,
    nonce: authorize.searchParams.get('nonce')!,
    challenge: authorize.searchParams.get('code_challenge')!,
  };
}

async function finish(kind: 'cognito' | 'clerk', idp: Idp, login: StartedLogin, claims: Record<string, unknown>): Promise<Response> {
  const code = await issueCode(idp, login, claims);
  const q = new URLSearchParams({ code, state: login.state, iss: idp.issuer });
  return kindGw(kind, `/callback?${q}`, { headers: { cookie: `__Host-sb_login=${login.loginCookie}` } });
}

interface Row {
  kind: 'cognito' | 'clerk';
  idp: (n: Network) => Idp;
  idTokenClaims: Record<string, unknown>;
  /** Claims that make the ID token wrong for this kind (refused at the callback), when there are any. */
  wrongIdToken?: Record<string, unknown>;
  logout: (to: URL, idp: Idp) => void;
}

const ROWS: Row[] = [
  {
    kind: 'cognito',
    idp: (n) => n.cognito,
    idTokenClaims: { sub: '5f1c-cognito-alice', token_use: 'id', 'cognito:username': 'alice' },
    wrongIdToken: { sub: '5f1c-cognito-alice', token_use: 'access' },
    logout: (to) => {
      expect(to.pathname).toBe('/logout');
      expect(Object.fromEntries(to.searchParams)).toEqual({ client_id: LEGACY_CLIENTS.cognito, logout_uri: `${GATEWAY}/` });
    },
  },
  {
    kind: 'clerk',
    idp: (n) => n.clerk,
    idTokenClaims: { sub: 'user_2alice' },
    // The fake Clerk advertises an end-session endpoint: RP-initiated logout with the hint.
    logout: (to) => {
      expect(to.pathname).toBe('/oidc/logout');
      expect(to.searchParams.get('id_token_hint')).toBeTruthy();
      expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${GATEWAY}/`);
    },
  },
];

for (const row of ROWS) {
  describe(`${row.kind} as the legacy provider`, () => {
    it('signs in (flag off), reaches the app, and logs out at the provider', async ({ net }) => {
      const idp = row.idp(net);
      const login = await start(row.kind);
      expect(login.authorize.origin).toBe(new URL(idp.issuer).origin);
      expect(login.authorize.searchParams.get('client_id')).toBe(idp.clientId);
      expect(login.authorize.searchParams.has('audience')).toBe(false);
      const res = await finish(row.kind, idp, login, row.idTokenClaims);
      expect(res.status).toBe(302);
      const session = cookiesFrom(res)['__Host-sb_session']!;
      expect(session).toBeTruthy();
      const app = await kindGw(row.kind, '/api/me', { headers: { cookie: `__Host-sb_session=${session}` } });
      expect(app.status).toBe(200);
      const seen = (await app.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-auth-sub']).toBe(row.idTokenClaims.sub);
      expect(seen.headers['x-auth-issuer']).toBe(idp.issuer);
      const out = await kindGw(row.kind, '/logout', { headers: { cookie: `__Host-sb_session=${session}` } });
      expect(out.status).toBe(302);
      row.logout(new URL(out.headers.get('location')!), idp);
    });

    if (row.wrongIdToken) {
      it('refuses an ID token not shaped like the kind\'s', async ({ net }) => {
        const login = await start(row.kind);
        const res = await finish(row.kind, row.idp(net), login, row.wrongIdToken!);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(cookiesFrom(res)['__Host-sb_session']).toBeUndefined();
      });
    }
  });
}

describe('cognito: sign-up and recovery open managed login pages with the authorization request', () => {
  it('/signup -> /signup, /recovery -> /forgotPassword, on the pool domain', async ({ net }) => {
    const signup = await start('cognito', '/signup');
    expect(signup.authorize.pathname).toBe('/signup');
    expect(signup.authorize.origin).toBe(new URL(net.cognito.issuer).origin);
    const recovery = await start('cognito', '/recovery');
    expect(recovery.authorize.pathname).toBe('/forgotPassword');
    expect(recovery.authorize.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

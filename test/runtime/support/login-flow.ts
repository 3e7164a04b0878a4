/** Drives /login -> provider -> /callback against the in-isolate providers. */
import { expect } from 'vitest';
import { base64url } from 'jose';
import type { Idp } from './fake-network.ts';
import { cookiesFrom, gw } from './gateway.ts';

export interface StartedLogin {
  authorize: URL;
  loginCookie: string;
  cohortCookie: string | undefined;
  state: string;
  nonce: string;
  challenge: string;
}

export async function startLogin(path = '/login', cookie?: string): Promise<StartedLogin> {
  const res = await gw(path, { headers: cookie ? { cookie } : {} });
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location')!);
  const cookies = cookiesFrom(res);
  return {
    authorize,
    loginCookie: cookies['__Host-sb_login']!,
    cohortCookie: cookies['__Host-sb_cohort'],
    state: authorize.searchParams.get('state')!,
    nonce: authorize.searchParams.get('nonce')!,
    challenge: authorize.searchParams.get('code_challenge')!,
  };
}

async function s256(v: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(v))));
}

/** Registers a code at the IdP whose ID token carries the given claims; the IdP checks PKCE like a real one. */
export async function issueCode(idp: Idp, login: StartedLogin, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const code = `code-${crypto.randomUUID()}`;
  const idToken = await idp.sign({ sub: 'auth0|alice', aud: idp.clientId, nonce: login.nonce, email: 'alice@example.com', name: 'Alice Example', ...claims }, header);
  idp.codes.set(code, { body: { id_token: idToken, access_token: 'at', token_type: 'Bearer', expires_in: 3600 } });
  const original = idp.handle.bind(idp);
  // PKCE as the provider checks it: S256(code_verifier) must equal the challenge sent at /authorize.
  idp.handle = async (req: Request) => {
    if (new URL(req.url).pathname === '/oauth/token') {
      const form = new URLSearchParams(await req.clone().text());
      if (form.get('code') === code && (await s256(form.get('code_verifier') ?? '')) !== login.challenge) {
        return Response.json({ error: 'invalid_grant', error_description: 'PKCE verification failed' }, { status: 400 });
      }
    }
    return original(req);
  };
  return code;
}

export function callback(params: Record<string, string>, loginCookie: string | undefined): Promise<Response> {
  const q = new URLSearchParams(params);
  return gw(`/callback?${q}`, { headers: loginCookie ? { cookie: `__Host-sb_login=${loginCookie}` } : {} });
}

/** Full sign-in; returns the session cookie value. */
export async function signIn(idp: Idp, claims: Record<string, unknown> = {}, path = '/login'): Promise<string> {
  const login = await startLogin(path);
  const code = await issueCode(idp, login, claims);
  const res = await callback({ code, state: login.state, iss: idp.issuer }, login.loginCookie);
  expect(res.status).toBe(302);
  const session = cookiesFrom(res)['__Host-sb_session'];
  expect(session).toBeTruthy();
  return session!;
}

/**
 * The Cognito-like and Clerk-like stand-ins issue what the providers'
 * documentation says, checked with the gateway's own kind rules: a code flow
 * through the stand-in's form, then the token endpoint's answer. Cognito:
 * access token with client_id and token_use "access", no aud, no typ; ID
 * token with aud and token_use "id". Clerk: ID token aud = the OAuth app,
 * no end-session endpoint in discovery, token_info introspection.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { TinyBrowser } from '../../dev/tiny-browser.ts';
import { startClerkLike, startCognitoLike, type IdpHandle } from '../../dev/idp/index.ts';
import { PROVIDER_KINDS } from '../../src/providers/kinds/registry.ts';
import { parseConfig } from '../../src/config.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT = { client_id: 'app-client', client_secret: 'app-secret', redirect_uris: [REDIRECT], post_logout_redirect_uris: ['http://127.0.0.1:9/'] };
const b64url = (b: Buffer) => b.toString('base64url');

async function codeFlow(idp: IdpHandle): Promise<Record<string, unknown>> {
  const disco = (await (await fetch(idp.discoveryUrl)).json()) as Record<string, string>;
  const verifier = b64url(randomBytes(32));
  const url = new URL(disco.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT, scope: 'openid email profile', state: 's', nonce: 'n',
    code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
  }).toString();
  const browser = new TinyBrowser();
  const atCallback = (u: string) => u.startsWith(REDIRECT);
  const form = await browser.navigate(url.href, { stopWhen: atCallback });
  const done = await browser.submitForm(form, { email: 'alice@example.com', password: 'alice-pass' }, { stopWhen: atCallback });
  const code = new URL(done.url).searchParams.get('code')!;
  const res = await fetch(disco.token_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  });
  expect(res.status).toBe(200);
  return { ...(await res.json()), disco };
}

describe('Cognito-like', () => {
  let idp: IdpHandle;
  beforeAll(async () => (idp = await startCognitoLike({ clients: [CLIENT] })));
  afterAll(() => idp?.stop());

  it('issues Cognito-shaped tokens that pass the cognito kind\'s rules', async () => {
    const out = await codeFlow(idp);
    const access = out.access_token as string;
    expect(decodeProtectedHeader(access).typ).toBeUndefined();
    const at = decodeJwt(access);
    expect(at).toMatchObject({ iss: idp.issuer, token_use: 'access', client_id: CLIENT.client_id, username: 'alice@example.com' });
    expect(at.aud).toBeUndefined();
    const id = decodeJwt(out.id_token as string);
    expect(id).toMatchObject({ aud: CLIENT.client_id, token_use: 'id', 'cognito:username': 'alice@example.com', nonce: 'n' });

    const p = parseConfig({
      LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: idp.issuer, COGNITO_CLIENT_ID: CLIENT.client_id, COGNITO_CLIENT_SECRET: 'x',
      OLYMPUS_ISSUER: 'https://olympus.test', OLYMPUS_CLIENT_ID: 'o', OLYMPUS_CLIENT_SECRET: 's', OLYMPUS_TOKEN_BINDING: 'client',
      ORIGIN_URL: 'https://origin.test', SESSION_SECRET: 'x'.repeat(40), GATEWAY_SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', d: 'd', x: 'x', y: 'y', kid: 'k' }),
    }).providers.auth0;
    expect(() => PROVIDER_KINDS.cognito.checkAccessClaims(p, decodeProtectedHeader(access), at)).not.toThrow();
    expect(() => PROVIDER_KINDS.cognito.checkAccessClaims(p, decodeProtectedHeader(out.id_token as string), id)).toThrow(/id_token_as_access_token/);
    expect(() => PROVIDER_KINDS.cognito.checkIdTokenClaims(p, id)).not.toThrow();
  });

  it('/logout takes client_id + logout_uri only, like Cognito', async () => {
    const ok = await fetch(`${idp.url}/logout?${new URLSearchParams({ client_id: CLIENT.client_id, logout_uri: 'http://127.0.0.1:9/' })}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('http://127.0.0.1:9/');
    const rp = await fetch(`${idp.url}/logout?${new URLSearchParams({ client_id: CLIENT.client_id, post_logout_redirect_uri: 'http://127.0.0.1:9/', id_token_hint: 'x' })}`, { redirect: 'manual' });
    expect(rp.status).toBe(400);
    const disco = (await (await fetch(idp.discoveryUrl)).json()) as Record<string, unknown>;
    expect(disco.end_session_endpoint).toBeUndefined();
  });
});

describe('Clerk-like', () => {
  let idp: IdpHandle;
  beforeAll(async () => (idp = await startClerkLike({ clients: [CLIENT] })));
  afterAll(() => idp?.stop());

  it('signs in with Clerk user ids, an ID token for the OAuth app, and introspection at /oauth/token_info', async () => {
    const out = await codeFlow(idp);
    const disco = out.disco as Record<string, unknown>;
    expect(disco.end_session_endpoint).toBeUndefined();
    expect(disco.introspection_endpoint).toBe(`${idp.url}/oauth/token_info`);
    const id = decodeJwt(out.id_token as string);
    expect(id.sub).toMatch(/^user_/);
    expect(id.aud).toBe(CLIENT.client_id);
    const info = await fetch(`${idp.url}/oauth/token_info`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT.client_id}:${CLIENT.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ token: out.access_token as string }),
    });
    expect(await info.json()).toMatchObject({ active: true, client_id: CLIENT.client_id, sub: id.sub });
  });
});

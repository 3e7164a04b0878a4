/**
 * Auth0 stand-in: client-credentials tokens (POST /oauth/token) and the
 * Management API's bearer checks (401/400 shapes, expired tokens, scopes).
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

let api: Auth0ApiHandle | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const tokenRequest = (a: Auth0ApiHandle, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${a.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

it('issues a Bearer JWT for the Management API audience', async () => {
  api = await startAuth0Api({ rateLimit: false, domain: 'acme.auth0.test' });
  const res = await tokenRequest(api, { grant_type: 'client_credentials', ...DEFAULT_AUTH0_CLIENT, audience: `${api.url}/api/v2/` });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
  expect(String(body.scope).split(' ')).toContain('create:users');
  const claims = JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  expect(claims).toMatchObject({ iss: 'https://acme.auth0.test/', sub: `${DEFAULT_AUTH0_CLIENT.client_id}@clients`, aud: api.audience, gty: 'client-credentials' });

  const form = await fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${DEFAULT_AUTH0_CLIENT.client_id}:${DEFAULT_AUTH0_CLIENT.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: 'https://acme.auth0.test/api/v2/' }),
  });
  expect(form.status).toBe(200);
});

it('refuses wrong clients, audiences and grant types like Auth0', async () => {
  api = await startAuth0Api({ rateLimit: false });
  const wrongSecret = await tokenRequest(api, { grant_type: 'client_credentials', client_id: DEFAULT_AUTH0_CLIENT.client_id, client_secret: 'nope', audience: api.audience });
  expect(wrongSecret.status).toBe(401);
  expect(await wrongSecret.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
  const unknown = await tokenRequest(api, { grant_type: 'client_credentials', client_id: 'who', client_secret: 'x', audience: api.audience });
  expect(unknown.status).toBe(401);

  const audience = await tokenRequest(api, { grant_type: 'client_credentials', ...DEFAULT_AUTH0_CLIENT, audience: 'https://elsewhere/api/v2/' });
  expect(audience.status).toBe(403);
  expect(await audience.json()).toEqual({ error: 'access_denied', error_description: 'Service not enabled within domain: https://elsewhere/api/v2/' });

  const grant = await tokenRequest(api, { grant_type: 'password', ...DEFAULT_AUTH0_CLIENT, audience: api.audience });
  expect(grant.status).toBe(403);
  expect(((await grant.json()) as Record<string, string>).error).toBe('unauthorized_client');
});

it('rejects missing, malformed, forged and expired bearer tokens', async () => {
  api = await startAuth0Api({ rateLimit: false });
  const missing = await fetch(`${api.managementUrl}/connections`);
  expect(missing.status).toBe(401);
  expect(await missing.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing authentication' });

  const opaque = await mgmt(api, 'abcdef0123456789', 'GET', '/connections');
  expect(opaque.status).toBe(400);
  expect(await opaque.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Bad HTTP authentication header format', errorCode: 'Bearer' });

  const token = await getToken(api);
  const [h, p] = token.split('.');
  const forged = await mgmt(api, `${h}.${p}.${'A'.repeat(43)}`, 'GET', '/connections');
  expect(forged.status).toBe(401);
  expect(((await forged.json()) as Record<string, unknown>).message).toBe('Invalid signature received for JSON Web Token validation.');

  expect((await mgmt(api, token, 'GET', '/connections')).status).toBe(200);
  api.expireTokens();
  const expired = await mgmt(api, token, 'GET', '/connections');
  expect(expired.status).toBe(401);
  expect(await expired.json()).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    message: 'Expired token received for JSON Web Token validation',
    attributes: { error: 'Expired token received for JSON Web Token validation' },
  });
  expect((await mgmt(api, await getToken(api), 'GET', '/connections')).status).toBe(200);
});

it('enforces per-endpoint scopes', async () => {
  const reader = { client_id: 'reader', client_secret: 'reader-secret', scopes: ['read:users'] };
  api = await startAuth0Api({ rateLimit: false, clients: [reader] });
  const token = await getToken(api, reader);
  expect((await mgmt(api, token, 'GET', '/users-by-email?email=a%40b.test')).status).toBe(200);
  const res = await mgmt(api, token, 'POST', '/users', { connection: 'Username-Password-Authentication', email: 'a@b.test', password: 'Aa1!aaaa' });
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: create:users', errorCode: 'insufficient_scope' });
});

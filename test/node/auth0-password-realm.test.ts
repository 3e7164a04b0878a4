/**
 * Auth0 stand-in: the Resource Owner Password grant with a realm, as the
 * password migration hook uses it: 200 for the right password, 403
 * invalid_grant "Wrong email or password." otherwise (unknown user alike),
 * brute-force protection after 10 failures per user and address (429
 * too_many_attempts, a success before resets), auth0-forwarded-for honoured
 * only for a client that trusts it, the grant refused where not enabled, and
 * the token endpoint's 429.
 */
import { afterEach, expect, it } from 'vitest';
import { startAuth0Api, type Auth0ApiHandle, type Auth0Client } from '../../dev/auth0-api/index.ts';
import { BRUTE_FORCE_THRESHOLD, PASSWORD_REALM_GRANT } from '../../dev/auth0-api/password-realm.ts';

const HOOK_CLIENT: Auth0Client = { client_id: 'hook-client', client_secret: 'hook-secret', grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true };
const UNTRUSTING: Auth0Client = { client_id: 'plain-client', client_secret: 'plain-secret', grantTypes: [PASSWORD_REALM_GRANT] };
const NO_GRANT: Auth0Client = { client_id: 'm2m', client_secret: 'm2m-secret' };
const CAROL = { email: 'carol@example.com', password: 'carol-legacy-pass', id: 'carol' };

let api: Auth0ApiHandle | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function start(tokenRateLimit: false | { limit: number; perSeconds: number } = false) {
  api = await startAuth0Api({ rateLimit: false, tokenRateLimit, clients: [HOOK_CLIENT, UNTRUSTING, NO_GRANT], users: [{ email: CAROL.email, user_id: CAROL.id, password: CAROL.password }] });
  return api;
}

function grant(a: Auth0ApiHandle, password: string, opts: { client?: Auth0Client; forwardedFor?: string; username?: string; realm?: string } = {}) {
  const client = opts.client ?? HOOK_CLIENT;
  return fetch(`${a.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(opts.forwardedFor ? { 'auth0-forwarded-for': opts.forwardedFor } : {}) },
    body: new URLSearchParams({
      grant_type: PASSWORD_REALM_GRANT,
      client_id: client.client_id,
      client_secret: client.client_secret,
      username: opts.username ?? CAROL.email,
      password,
      realm: opts.realm ?? 'Username-Password-Authentication',
      scope: 'openid',
    }),
  });
}

it('accepts the right password and refuses a wrong one or an unknown user with the same words', async () => {
  const a = await start();
  const ok = await grant(a, CAROL.password, { username: 'Carol@Example.com' });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'openid' });
  for (const res of [await grant(a, 'wrong'), await grant(a, CAROL.password, { username: 'nobody@example.com' })]) {
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'Wrong email or password.' });
  }
});

it('blocks a user from an address after 10 failures (too_many_attempts), not from another address; unblock lifts it', async () => {
  const a = await start();
  for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) expect((await grant(a, `wrong-${i}`, { forwardedFor: '203.0.113.9' })).status).toBe(403);
  const blocked = await grant(a, CAROL.password, { forwardedFor: '203.0.113.9' });
  expect(blocked.status).toBe(429);
  expect(await blocked.json()).toMatchObject({ error: 'too_many_attempts' });
  expect((await grant(a, CAROL.password, { forwardedFor: '198.51.100.4' })).status).toBe(200);
  a.unblock(`auth0|${CAROL.id}`);
  expect((await grant(a, CAROL.password, { forwardedFor: '203.0.113.9' })).status).toBe(200);
});

it('a success before the threshold resets the count', async () => {
  const a = await start();
  for (let i = 0; i < BRUTE_FORCE_THRESHOLD - 1; i++) await grant(a, 'wrong', { forwardedFor: '203.0.113.9' });
  expect((await grant(a, CAROL.password, { forwardedFor: '203.0.113.9' })).status).toBe(200);
  for (let i = 0; i < BRUTE_FORCE_THRESHOLD - 1; i++) expect((await grant(a, 'wrong', { forwardedFor: '203.0.113.9' })).status).toBe(403);
  expect((await grant(a, CAROL.password, { forwardedFor: '203.0.113.9' })).status).toBe(200);
});

it('honours auth0-forwarded-for only for a client that trusts it: otherwise every attempt counts against the connecting address', async () => {
  const a = await start();
  await grant(a, 'wrong', { client: UNTRUSTING, forwardedFor: '203.0.113.9' });
  await grant(a, 'wrong', { client: HOOK_CLIENT, forwardedFor: '203.0.113.9' });
  expect(a.passwordAttempts.map((t) => [t.ip, t.forwarded])).toEqual([
    ['127.0.0.1', false],
    ['203.0.113.9', true],
  ]);
  // Ten failures through the untrusting client from "many" users block the connecting address for everyone behind it.
  for (let i = 0; i < BRUTE_FORCE_THRESHOLD; i++) await grant(a, 'wrong', { client: UNTRUSTING, forwardedFor: `203.0.113.${i + 20}` });
  expect((await grant(a, CAROL.password, { client: UNTRUSTING, forwardedFor: '198.51.100.4' })).status).toBe(429);
});

it('refuses the grant where the application has not enabled it, a wrong secret, an unknown realm', async () => {
  const a = await start();
  const noGrant = await grant(a, CAROL.password, { client: NO_GRANT });
  expect(noGrant.status).toBe(403);
  expect(await noGrant.json()).toEqual({ error: 'unauthorized_client', error_description: `Grant type '${PASSWORD_REALM_GRANT}' not allowed for the client.` });
  expect((await grant(a, CAROL.password, { client: { ...HOOK_CLIENT, client_secret: 'nope' } })).status).toBe(401);
  const realm = await grant(a, CAROL.password, { realm: 'other-db' });
  expect(realm.status).toBe(400);
  expect(await realm.json()).toMatchObject({ error: 'invalid_request' });
});

it("the token endpoint's rate limit answers 429 too_many_requests", async () => {
  const a = await start({ limit: 2, perSeconds: 60 });
  expect((await grant(a, CAROL.password)).status).toBe(200);
  expect((await grant(a, CAROL.password)).status).toBe(200);
  const limited = await grant(a, CAROL.password);
  expect(limited.status).toBe(429);
  expect(await limited.json()).toEqual({ error: 'too_many_requests', error_description: 'Global limit has been reached' });
});

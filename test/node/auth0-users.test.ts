/**
 * Auth0 stand-in user endpoints: create (201 / 409 / 400 shapes), read,
 * users-by-email, patch, delete, connections lookup and password-change
 * tickets.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

const CONNECTION = 'Username-Password-Authentication';
let api: Auth0ApiHandle;
let token: string;

beforeEach(async () => {
  api = await startAuth0Api({ rateLimit: false });
  token = await getToken(api);
});
afterEach(async () => {
  await api.stop();
});

const create = (body: Record<string, unknown>) => mgmt(api, token, 'POST', '/users', { connection: CONNECTION, ...body });

it('creates a user: 201 with Auth0 profile, email_verified false by default, verification email sent', async () => {
  const res = await create({ email: 'Ada@Example.test', password: 'Lovelace-1815', given_name: 'Ada', app_metadata: { olympus_id: 'x' } });
  expect(res.status).toBe(201);
  const user = (await res.json()) as Record<string, any>;
  expect(user).toMatchObject({
    email: 'ada@example.test',
    email_verified: false,
    given_name: 'Ada',
    name: 'ada@example.test',
    nickname: 'ada',
    app_metadata: { olympus_id: 'x' },
    identities: [{ connection: CONNECTION, provider: 'auth0', isSocial: false }],
  });
  expect(user.user_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
  expect(user.identities[0].user_id).toBe(user.user_id.slice('auth0|'.length));
  expect(Date.parse(user.created_at)).not.toBeNaN();
  expect(api.users.get(user.user_id)!.credential).toEqual({ kind: 'password', password: 'Lovelace-1815' });
  expect(api.emails).toEqual([expect.objectContaining({ kind: 'verify_email', to: 'ada@example.test', user_id: user.user_id })]);

  const quiet = await create({ email: 'b@example.test', password: 'Lovelace-1815', verify_email: false, user_id: 'legacy123' });
  expect(((await quiet.json()) as Record<string, unknown>).user_id).toBe('auth0|legacy123');
  expect(api.emails).toHaveLength(1);
});

it('answers 409 for an existing email (any case) or user_id', async () => {
  expect((await create({ email: 'dup@example.test', password: 'Lovelace-1815', user_id: 'u1' })).status).toBe(201);
  for (const body of [
    { email: 'DUP@example.test', password: 'Lovelace-1815' },
    { email: 'other@example.test', password: 'Lovelace-1815', user_id: 'u1' },
  ]) {
    const res = await create(body);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ statusCode: 409, error: 'Conflict', message: 'The user already exists.', errorCode: 'auth0_idp_error' });
  }
});

it('answers 400 with Auth0 messages for invalid bodies', async () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ email: 'a@example.test', password: 'short' }, 'PasswordStrengthError: Password is too weak', 'invalid_password'],
    [{ email: 'a@example.test' }, "Payload validation error: 'Missing required property: password'.", 'invalid_body'],
    [{ email: 'not-an-email', password: 'Lovelace-1815' }, "Payload validation error: 'Object didn't pass validation for format email: not-an-email' on property email (The user's email).", 'invalid_body'],
    [{ email: 'a@example.test', password: 'Lovelace-1815', favourite: 1 }, "Payload validation error: 'Additional properties not allowed: favourite'.", 'invalid_body'],
    [{ email: 'a@example.test', password: 'Lovelace-1815', connection: 'nope' }, 'The connection does not exist.', 'inexistent_connection'],
  ];
  for (const [body, message, errorCode] of cases) {
    const res = await create(body);
    expect(res.status, message).toBe(400);
    expect(await res.json()).toEqual({ statusCode: 400, error: 'Bad Request', message, errorCode });
  }
  const noConnection = await mgmt(api, token, 'POST', '/users', { email: 'a@example.test', password: 'Lovelace-1815' });
  expect(((await noConnection.json()) as Record<string, unknown>).message).toBe("Payload validation error: 'Missing required property: connection'.");
  expect(api.users.size).toBe(0);
});

it('reads, finds by email (case-sensitive), patches and deletes users', async () => {
  const created = (await (await create({ email: 'grace@example.test', password: 'Hopper-1906', app_metadata: { a: 1, b: 2 } })).json()) as Record<string, any>;
  const id = encodeURIComponent(created.user_id);
  expect(((await (await mgmt(api, token, 'GET', `/users/${id}`)).json()) as Record<string, unknown>).email).toBe('grace@example.test');

  const found = (await (await mgmt(api, token, 'GET', '/users-by-email?email=grace%40example.test')).json()) as unknown[];
  expect(found).toHaveLength(1);
  expect(await (await mgmt(api, token, 'GET', '/users-by-email?email=Grace%40example.test')).json()).toEqual([]);
  expect((await mgmt(api, token, 'GET', '/users-by-email')).status).toBe(400);

  const patched = await mgmt(api, token, 'PATCH', `/users/${id}`, { app_metadata: { b: null, c: 3 }, given_name: 'Grace' });
  expect(patched.status).toBe(200);
  expect(await patched.json()).toMatchObject({ app_metadata: { a: 1, c: 3 }, given_name: 'Grace' });

  expect((await mgmt(api, token, 'DELETE', `/users/${id}`)).status).toBe(204);
  expect((await mgmt(api, token, 'DELETE', `/users/${id}`)).status).toBe(204);
  const gone = await mgmt(api, token, 'GET', `/users/${id}`);
  expect(gone.status).toBe(404);
  expect(await gone.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'The user does not exist.', errorCode: 'inexistent_user' });
});

it('resolves the connection id by name', async () => {
  const list = (await (await mgmt(api, token, 'GET', `/connections?name=${encodeURIComponent(CONNECTION)}`)).json()) as Array<Record<string, unknown>>;
  expect(list).toEqual([expect.objectContaining({ id: api.connection.id, name: CONNECTION, strategy: 'auth0' })]);
  expect(list[0]!.id).toMatch(/^con_[A-Za-z0-9]{16}$/);
  expect(await (await mgmt(api, token, 'GET', '/connections?name=other')).json()).toEqual([]);
});

it('creates password-change tickets without sending email', async () => {
  const user = api.seedUser({ email: 'linus@example.test' });
  const byId = await mgmt(api, token, 'POST', '/tickets/password-change', { user_id: user.profile.user_id });
  expect(byId.status).toBe(201);
  const { ticket } = (await byId.json()) as { ticket: string };
  expect(ticket).toMatch(new RegExp(`^${api.url}/lo/reset\\?ticket=[A-Za-z0-9]{32}#$`));
  const byEmail = await mgmt(api, token, 'POST', '/tickets/password-change', { email: 'linus@example.test', connection_id: api.connection.id });
  expect(byEmail.status).toBe(201);
  expect(api.tickets.map((t) => t.user_id)).toEqual([user.profile.user_id, user.profile.user_id]);
  expect(api.emails).toEqual([]);
  const missing = await mgmt(api, token, 'POST', '/tickets/password-change', { user_id: 'auth0|nobody' });
  expect(missing.status).toBe(404);
});

it('answers hapi-style 404 for unknown routes', async () => {
  const res = await mgmt(api, token, 'GET', '/roles');
  expect(res.status).toBe(404);
  expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found' });
});

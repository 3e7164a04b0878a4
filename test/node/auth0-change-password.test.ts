/**
 * Auth0 stand-in Authentication API POST /dbconnections/change_password: the
 * mail path that sends the reset email. Same 200 text whether or not the user
 * exists; an email is recorded only for an existing user; per-email limits.
 */
import { afterEach, expect, it } from 'vitest';
import { CHANGE_PASSWORD_TEXT, DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';

let api: Auth0ApiHandle | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const changePassword = (a: Auth0ApiHandle, body: Record<string, unknown>) =>
  fetch(`${a.url}/dbconnections/change_password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

it('records a password_reset email for an existing user, and answers the same for unknown ones', async () => {
  api = await startAuth0Api();
  const user = api.seedUser({ email: 'ken@example.test' });
  const body = { client_id: DEFAULT_AUTH0_CLIENT.client_id, connection: api.connection.name };
  const res = await changePassword(api, { ...body, email: 'ken@example.test' });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe(CHANGE_PASSWORD_TEXT);
  expect(CHANGE_PASSWORD_TEXT).toBe("We've just sent you an email to reset your password.");
  expect(res.headers.get('x-ratelimit-limit')).toBe('10');
  expect(api.emails).toEqual([
    expect.objectContaining({ kind: 'password_reset', to: 'ken@example.test', user_id: user.profile.user_id, connection: api.connection.name, client_id: DEFAULT_AUTH0_CLIENT.client_id }),
  ]);

  const unknown = await changePassword(api, { ...body, email: 'nobody@example.test' });
  expect(unknown.status).toBe(200);
  expect(await unknown.text()).toBe(CHANGE_PASSWORD_TEXT);
  expect(api.emails).toHaveLength(1);
});

it('validates client, email and connection', async () => {
  api = await startAuth0Api();
  const base = { client_id: DEFAULT_AUTH0_CLIENT.client_id, email: 'a@example.test', connection: api.connection.name };
  expect((await changePassword(api, { ...base, client_id: 'who' })).status).toBe(401);
  for (const key of ['email', 'connection', 'client_id']) {
    const res = await changePassword(api, { ...base, [key]: undefined });
    expect(res.status, key).toBe(400);
    expect(((await res.json()) as Record<string, unknown>).error).toBe('invalid_request');
  }
  expect((await changePassword(api, { ...base, connection: 'other' })).status).toBe(400);
});

it('limits requests per email address (Free tier: burst 10, then 1 per minute)', async () => {
  api = await startAuth0Api();
  api.seedUser({ email: 'busy@example.test' });
  const body = { client_id: DEFAULT_AUTH0_CLIENT.client_id, email: 'busy@example.test', connection: api.connection.name };
  for (let i = 0; i < 10; i++) expect((await changePassword(api, body)).status).toBe(200);
  const limited = await changePassword(api, body);
  expect(limited.status).toBe(429);
  expect(((await limited.json()) as Record<string, unknown>).error).toBe('too_many_requests');
  expect((await changePassword(api, { ...body, email: 'other@example.test' })).status).toBe(200);
  expect(api.emails.filter((e) => e.kind === 'password_reset')).toHaveLength(10);
});

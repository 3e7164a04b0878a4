/**
 * The Auth0 stand-in's POST /api/v2/tickets/password-change, following
 * Auth0's contract (https://auth0.com/docs/api/management/v2/tickets/post-password-change):
 * scope create:user_tickets, a user by user_id or by email + connection_id
 * (never both), typed fields, 201 { ticket } and no email sent; and the
 * Management API client's `passwordChangeTicket` the user-mail path uses.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { Auth0ApiError, Auth0ManagementClient } from '../../src/reconcile/auth0-management-client.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

let api: Auth0ApiHandle;
let token: string;

beforeEach(async () => {
  const noTickets = { client_id: 'no-tickets', client_secret: 'no-tickets-secret', scopes: ['read:users', 'create:users'] };
  api = await startAuth0Api({ rateLimit: false, clients: [DEFAULT_AUTH0_CLIENT, noTickets] });
  token = await getToken(api);
});
afterEach(async () => api.stop());

const ticket = (body: unknown, t = token) => mgmt(api, t, 'POST', '/tickets/password-change', body);

it('refuses a token without create:user_tickets (403 insufficient_scope) and creates no ticket', async () => {
  api.seedUser({ email: 'grace@example.test' });
  const t = await getToken(api, { client_id: 'no-tickets', client_secret: 'no-tickets-secret' } as typeof DEFAULT_AUTH0_CLIENT);
  const res = await ticket({ email: 'grace@example.test', connection_id: api.connection.id }, t);
  expect(res.status).toBe(403);
  expect(await res.json()).toMatchObject({ statusCode: 403, errorCode: 'insufficient_scope', message: 'Insufficient scope, expected any of: create:user_tickets' });
  const anonymous = await fetch(`${api.managementUrl}/tickets/password-change`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(anonymous.status).toBe(401);
  expect(api.tickets).toEqual([]);
});

it('answers Auth0\'s 400s for a body it cannot take, 404 for an unknown user', async () => {
  const user = api.seedUser({ email: 'grace@example.test' });
  const cases: [unknown, number, RegExp][] = [
    [{ user_id: user.profile.user_id, email: 'grace@example.test', connection_id: api.connection.id }, 400, /cannot be combined/],
    [{ email: 'grace@example.test' }, 400, /Either user_id, or email together with connection_id/],
    [{}, 400, /Either user_id/],
    [{ email: 'grace@example.test', connection_id: 'con_nope' }, 400, /does not exist/],
    [{ user_id: user.profile.user_id, new_password: 'x' }, 400, /Additional properties not allowed: new_password/],
    [{ user_id: user.profile.user_id, ttl_sec: '3600' }, 400, /Expected type integer but found type string.*ttl_sec/],
    [{ user_id: user.profile.user_id, mark_email_as_verified: 'yes' }, 400, /Expected type boolean.*mark_email_as_verified/],
    [[], 400, /Expected type object/],
    [{ email: 'nobody@example.test', connection_id: api.connection.id }, 404, /User not found/],
  ];
  for (const [body, status, message] of cases) {
    const res = await ticket(body);
    expect(res.status, JSON.stringify(body)).toBe(status);
    const err = (await res.json()) as { statusCode: number; message: string };
    expect(err.statusCode).toBe(status);
    expect(err.message).toMatch(message);
  }
  expect(api.tickets).toEqual([]);
});

it('the client gets a ticket by email + connection_id: recorded with its lifetime and flags, no email sent', async () => {
  const user = api.seedUser({ email: 'grace@example.test' });
  const client = new Auth0ManagementClient({ managementUrl: api.managementUrl, clientId: DEFAULT_AUTH0_CLIENT.client_id, clientSecret: DEFAULT_AUTH0_CLIENT.client_secret });
  const url = await client.passwordChangeTicket('grace@example.test', api.connection.id, { ttlSec: 3600, resultUrl: 'https://app.example.test/signed-in' });
  expect(url).toMatch(new RegExp(`^${api.url}/lo/reset\\?ticket=[A-Za-z0-9]{32}#$`));
  expect(api.tickets).toEqual([expect.objectContaining({ ticket: url, user_id: user.profile.user_id, email: 'grace@example.test', ttl_sec: 3600, mark_email_as_verified: true, result_url: 'https://app.example.test/signed-in' })]);
  // ttl_sec 0 (the client's default) is Auth0's five days.
  await client.passwordChangeTicket('grace@example.test', api.connection.id);
  expect(api.tickets[1]!.ttl_sec).toBe(432_000);
  expect(api.emails).toEqual([]);
  const missing = await client.passwordChangeTicket('nobody@example.test', api.connection.id).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(Auth0ApiError);
  expect(missing).toMatchObject({ status: 404, retryable: false });
});

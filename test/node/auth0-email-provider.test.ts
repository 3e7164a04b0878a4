/** Auth0 stand-in: GET /api/v2/emails/provider (scope read:email_provider; 404 when none is configured; fields). */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { getToken, mgmt } from './support/auth0-http.ts';

let api: Auth0ApiHandle | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

it('answers the configured provider, the fields asked for, and 404 once none is configured', async () => {
  api = await startAuth0Api({ rateLimit: false });
  const token = await getToken(api);
  const res = await mgmt(api, token, 'GET', '/emails/provider');
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ name: 'smtp', enabled: true, default_from_address: 'no-reply@tenant.auth0.test' });
  const picked = await mgmt(api, token, 'GET', '/emails/provider?fields=name,enabled&include_fields=true');
  expect(await picked.json()).toEqual({ name: 'smtp', enabled: true });
  api.setEmailProvider(null);
  const none = await mgmt(api, token, 'GET', '/emails/provider');
  expect(none.status).toBe(404);
  expect(await none.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Email provider has not been configured.', errorCode: 'inexistent_email_provider' });
});

it('needs read:email_provider', async () => {
  const client = { ...DEFAULT_AUTH0_CLIENT, scopes: ['read:users'] };
  api = await startAuth0Api({ rateLimit: false, clients: [client] });
  const res = await mgmt(api, await getToken(api, client), 'GET', '/emails/provider');
  expect(res.status).toBe(403);
  expect(((await res.json()) as { errorCode: string }).errorCode).toBe('insufficient_scope');
});

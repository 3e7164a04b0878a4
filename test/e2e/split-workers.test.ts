/**
 * The production split (issue 14) runs: the gateway Worker of
 * deploy/wrangler.proxy.toml and the controller Worker of
 * deploy/wrangler.controller.toml, started together as one multi-Worker
 * `wrangler dev`. The gateway answers health and signs people in itself; the
 * admin API, the console and the password migration hook are answered by
 * the controller Worker through the gateway's CONTROL_PLANE service binding
 * (with the bindings they need there: the hook's rate limiters, the console's
 * sign-in limiter), and the admin API reaches the controller Durable Object
 * in that Worker: a flag write lands there and the status read back shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { PASSWORD_REALM_GRANT } from '../../dev/auth0-api/password-realm.ts';
import { controllerStatus } from './support/controller-api.ts';

const HOOK_KEY = 'e2e-split-password-hook-key-0123456789abcdef';
const HOOK_CLIENT = { client_id: 'switchback-password-hook', client_secret: 'e2e-split-hook-secret', grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true };
const ERIN = { email: 'erin@example.com', password: 'erin-auth0-pass' };

let stack: Stack;
let auth0Api: Auth0ApiHandle;
beforeAll(async () => {
  auth0Api = await startAuth0Api({ rateLimit: false, clients: [HOOK_CLIENT], users: [{ email: ERIN.email, user_id: 'erin', password: ERIN.password }] });
  stack = await startStack({
    wranglerConfig: ['deploy/wrangler.proxy.toml', 'deploy/wrangler.controller.toml'],
    extraVars: {
      PASSWORD_HOOK_API_KEY: HOOK_KEY,
      PASSWORD_HOOK_AUTH0_TOKEN_URL: `${auth0Api.url}/oauth/token`,
      PASSWORD_HOOK_AUTH0_CLIENT_ID: HOOK_CLIENT.client_id,
      PASSWORD_HOOK_AUTH0_CLIENT_SECRET: HOOK_CLIENT.client_secret,
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await auth0Api?.stop();
});

const hook = (body: unknown) =>
  fetch(`${stack.gatewayUrl}/_switchback/hooks/password-migration`, {
    method: 'POST',
    headers: { authorization: `Bearer ${HOOK_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the two production Workers', () => {
  it('serve health from the gateway and the admin API from the controller Worker', async () => {
    const health = await fetch(`${stack.gatewayUrl}/_switchback/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, service: 'switchback' });

    const before = await controllerStatus(stack);
    expect(before.flag.enabled).toBe(false);
    expect(before.active_provider).toBe('auth0');

    const flip = await stack.setFlag('olympus_auth', true);
    expect(flip.status, stack.gatewayOutput()).toBe(200);
    const after = await controllerStatus(stack);
    expect(after.flag.enabled).toBe(true);
    expect(after.active_provider).toBe('olympus');

    // Unauthenticated and unknown admin calls get the controller Worker's answers through the gateway.
    expect((await fetch(`${stack.gatewayUrl}/_switchback/api/status`)).status).toBe(401);
    const unknown = await fetch(`${stack.gatewayUrl}/_switchback/api/no-such-endpoint`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
  });

  it('serve the console from the controller Worker, its files from the gateway\'s static assets', async () => {
    const page = await fetch(`${stack.gatewayUrl}/_switchback/console`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/_switchback/console/sign-in');
    const signIn = await fetch(`${stack.gatewayUrl}/_switchback/console/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('<form method="post" action="/_switchback/console/sign-in"');
    // A signed-in console: the admin token exchanged for the session cookie, then the page.
    const session = await fetch(`${stack.gatewayUrl}/_switchback/console/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ token: stack.adminToken }),
    });
    expect(session.status, await session.clone().text()).toBe(303);
    const cookie = session.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const console = await fetch(`${stack.gatewayUrl}/_switchback/console`, { headers: { cookie } });
    expect(console.status).toBe(200);
    expect(await console.text()).toContain('/_switchback/console/assets/console.client.js');
    const asset = await fetch(`${stack.gatewayUrl}/_switchback/console/assets/console.client.js`);
    expect(asset.status).toBe(200);
  });

  it('check a password at the legacy provider through the hook in the controller Worker, with its rate limiters', async () => {
    const match = await hook({ identifier: ERIN.email, password: ERIN.password });
    expect(match.status, stack.gatewayOutput().slice(-3000)).toBe(200);
    expect(await match.json()).toEqual({ status: 'password_match' });
    const wrong = await hook({ identifier: ERIN.email, password: 'not-erins-password' });
    expect(wrong.status).toBe(403);
    expect(auth0Api.passwordAttempts.map((a) => a.outcome)).toEqual(['success', 'wrong_password']);
    // The per-identifier limiter (5 a minute) is bound there: the hook refuses without one (503).
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await hook({ identifier: ERIN.email, password: `guess-${i}` })).status);
    expect(statuses).toContain(429);
    expect(statuses).not.toContain(503);
  });
});

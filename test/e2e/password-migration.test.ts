/**
 * An existing user moves with their password, in real Chromium: an identity
 * imported into the Olympus stand-in without a hash and with
 * `use_password_migration_hook: true` signs in through Olympus with the
 * password it has at Auth0. The Olympus stand-in calls the gateway's hook as
 * Kratos does, the gateway checks the password at the Auth0 stand-in (the
 * password-realm grant, the browser's address in auth0-forwarded-for), and
 * Olympus keeps the password: the second sign-in does not call the hook. A
 * wrong password stays on the Olympus form.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { getFreePort } from '../../dev/free-port.ts';
import { startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { PASSWORD_REALM_GRANT } from '../../dev/auth0-api/password-realm.ts';
import type { PasswordCheck } from '../../dev/idp/password-migration-hook.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, waitForLoginRoute } from './support/gateway-admin.ts';
import { readDemoIdentity, signInAndReturn, submitLogin, waitForOrigin } from './support/idp-pages.ts';

const ERIN = { email: 'erin@example.com', password: 'erin-auth0-pass', id: '0b6a4f0e-2d7c-4e55-9a3e-6f1c2b9d8e71' };
const HOOK_KEY = 'e2e-password-hook-key-0123456789abcdefghij';
const HOOK_CLIENT = { client_id: 'switchback-password-hook', client_secret: 'e2e-hook-client-secret', grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true };

let stack: Stack;
let auth0Api: Auth0ApiHandle;
let b: BrowserSession;
const hookCalls: PasswordCheck[] = [];

beforeAll(async () => {
  auth0Api = await startAuth0Api({ rateLimit: false, clients: [HOOK_CLIENT], users: [{ email: ERIN.email, user_id: 'erin', password: ERIN.password }] });
  const gatewayPort = await getFreePort();
  stack = await startStack({
    gatewayPort,
    extraVars: {
      PASSWORD_HOOK_API_KEY: HOOK_KEY,
      PASSWORD_HOOK_AUTH0_TOKEN_URL: `${auth0Api.url}/oauth/token`,
      PASSWORD_HOOK_AUTH0_CLIENT_ID: HOOK_CLIENT.client_id,
      PASSWORD_HOOK_AUTH0_CLIENT_SECRET: HOOK_CLIENT.client_secret,
    },
    olympus: {
      passwordMigration: {
        url: `http://127.0.0.1:${gatewayPort}/_switchback/hooks/password-migration`,
        authorization: `Bearer ${HOOK_KEY}`,
        identities: [{ id: ERIN.id, schema_id: 'default', traits: { email: ERIN.email, given_name: 'Erin', family_name: 'Evans' }, credentials: { password: { config: { use_password_migration_hook: true } } } }],
        onCall: (result) => hookCalls.push(result),
      },
    },
  });
  b = await launchChromium();
  await postFlag(stack, true);
  await waitForLoginRoute(stack.gatewayUrl, stack.olympus.url);
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
  await auth0Api?.stop();
});

it('signs in through Olympus with the Auth0 password; the second sign-in does not call the hook', async ({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}\n--- navigations ---\n${b.navigations.join('\n')}`));
  const gw = stack.gatewayUrl;
  const { page } = b;
  expect(stack.olympus.users.findByEmail(ERIN.email)).toBeUndefined();

  // A wrong password: the hook says 403, Olympus shows its own error, nobody is let in.
  await page.goto(`${gw}/login?returnTo=%2F`);
  await waitForOrigin(page, stack.olympus.url);
  await submitLogin(page, ERIN.email, 'not-erins-password');
  await expect.poll(() => page.locator('body').textContent()).toContain('Wrong email or password.');
  expect(hookCalls).toEqual(['wrong_credentials']);

  await signInAndReturn(page, `${gw}/`, ERIN.email, ERIN.password);
  expect(await readDemoIdentity(page)).toMatchObject({ sub: ERIN.id, provider: 'olympus', email: ERIN.email, assertion: 'valid' });
  expect(hookCalls).toEqual(['wrong_credentials', 'password_match']);
  // Auth0 saw the browser's address, not the gateway's, for its brute-force count.
  expect(auth0Api.passwordAttempts.map((a) => [a.outcome, a.forwarded])).toEqual([
    ['wrong_password', true],
    ['success', true],
  ]);
  expect(stack.olympus.users.findByEmail(ERIN.email)?.sub).toBe(ERIN.id);

  // A new browser: Olympus has the password now, the hook and Auth0 are not asked.
  await b.reset();
  await page.goto(`${gw}/login?returnTo=%2F`);
  await waitForOrigin(page, stack.olympus.url);
  await signInAndReturn(page, `${gw}/`, ERIN.email, ERIN.password);
  expect(await readDemoIdentity(page)).toMatchObject({ sub: ERIN.id, provider: 'olympus', email: ERIN.email });
  expect(hookCalls).toHaveLength(2);
  expect(auth0Api.passwordAttempts).toHaveLength(2);
});

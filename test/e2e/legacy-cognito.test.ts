/**
 * Amazon Cognito as the legacy provider, end to end in headless Chromium:
 * the whole local stack with `legacy: 'cognito'` (the Cognito-like stand-in
 * in place of the Auth0 one, LEGACY_PROVIDER=cognito). A person signs in
 * through Cognito's managed login; the flag flips to Olympus; logout goes
 * through Cognito's own /logout (client_id + logout_uri, not RP-initiated
 * logout) and the next sign-in lands at Olympus; a rollback sends the next
 * sign-in back to Cognito.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { DEFAULT_COGNITO_USERS } from '../../dev/idp/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, waitForLoginRoute } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const ALICE_COGNITO_SUB = DEFAULT_COGNITO_USERS[0]!.sub;
const ALICE_OLYMPUS_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

let stack: Stack;
let b: BrowserSession;

beforeAll(async () => {
  stack = await startStack({ legacy: 'cognito' });
  b = await launchChromium();
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
});

describe('Cognito -> Olympus -> Cognito', () => {
  it('signs in at Cognito, at Olympus after the flip, and at Cognito again after the rollback', async ({ onTestFailed }) => {
    onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}\n--- navigations ---\n${b.navigations.join('\n')}`));
    const logBefore = stack.gatewayOutput();
    const gw = stack.gatewayUrl;
    const cognito = new URL(stack.auth0.url).origin;
    const { page } = b;
    expect(stack.legacyKind).toBe('cognito');
    expect(stack.vars.LEGACY_PROVIDER).toBe('cognito');
    expect(stack.vars.AUTH0_ISSUER).toBeUndefined();

    // 1. Flag off: the legacy provider, Cognito's managed login.
    await page.goto(`${gw}/`);
    await waitForOrigin(page, stack.auth0.url);
    expect(await page.title()).toBe('Sign in to Cognito (local stand-in)');
    expect(b.navigations.find((u) => u.startsWith(`${cognito}/oauth2/authorize?`))).toBeDefined();
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect(await readDemoIdentity(page)).toEqual({ sub: ALICE_COGNITO_SUB, provider: 'cognito', email: ALICE.email, issuer: stack.auth0.issuer, assertion: 'valid' });

    // 2. Flip to Olympus. Logging out ends the Cognito session Cognito's way, then / starts a login at Olympus.
    await postFlag(stack, true);
    await waitForLoginRoute(gw, stack.olympus.url);
    b.navigations.length = 0;
    await page.goto(`${gw}/logout`);
    await waitForOrigin(page, stack.olympus.url);
    const cognitoLogout = b.navigations.map((u) => new URL(u)).find((u) => u.origin === cognito && u.pathname === '/logout');
    expect(cognitoLogout && Object.fromEntries(cognitoLogout.searchParams)).toEqual({ client_id: stack.auth0.clientId, logout_uri: `${gw}/` });
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect(await readDemoIdentity(page)).toMatchObject({ sub: ALICE_OLYMPUS_SUB, provider: 'olympus', issuer: stack.olympus.issuer });

    // 3. Roll back: after logout the next sign-in is at Cognito again, whose session ended in step 2 (the form shows).
    await postFlag(stack, false);
    await waitForLoginRoute(gw, stack.auth0.url);
    await page.goto(`${gw}/logout`);
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    expect(await page.title()).toBe('Sign in to Cognito (local stand-in)');
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect(await readDemoIdentity(page)).toMatchObject({ sub: ALICE_COGNITO_SUB, issuer: stack.auth0.issuer });

    expect(unhandledErrorsSince(stack, logBefore)).toEqual([]);
  });

  it('the stand-in refuses standard RP-initiated logout parameters, as Cognito does', async () => {
    const q = new URLSearchParams({ client_id: stack.auth0.clientId, id_token_hint: 'x', post_logout_redirect_uri: `${stack.gatewayUrl}/` });
    const res = await fetch(`${stack.auth0.url}/logout?${q}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('logout_uri');
    const other = await fetch(`${stack.auth0.url}/logout?${new URLSearchParams({ client_id: stack.auth0.clientId, logout_uri: 'https://evil.example/' })}`, { redirect: 'manual' });
    expect(other.status).toBe(400);
  });
});

/**
 * Real headless Chromium against the whole local stack (both IdP stand-ins,
 * the demo origin and the gateway under wrangler dev): the olympus_auth flag
 * decides where a person signs in, a rollback sends the next sign-in to Auth0,
 * signup and recovery follow the flag, and failures at the IdP end on the IdP
 * form or on the gateway's own "Sign-in failed" page, never on a 500.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { getFreePort } from '../../dev/free-port.ts';
import { AUTH0_RECOVERY_PATH } from '../../dev/idp/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, setIdpMode, switchProvider, waitForLoginRoute } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { readDemoIdentity, signInAndReturn, submitLogin, waitForOrigin } from './support/idp-pages.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const ALICE_OLYMPUS_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let stack: Stack;
let b: BrowserSession;
let gw: string;
let logBefore = '';

beforeAll(async () => {
  // The Auth0 stand-in's port is chosen here so the gateway can name its password reset page.
  const auth0Port = await getFreePort();
  stack = await startStack({ auth0Port, extraVars: { AUTH0_RECOVERY_URL: `http://127.0.0.1:${auth0Port}${AUTH0_RECOVERY_PATH}` } });
  gw = stack.gatewayUrl;
  b = await launchChromium();
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
});

beforeEach(async ({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}\n--- navigations ---\n${b.navigations.join('\n')}`));
  await b.reset();
  logBefore = stack.gatewayOutput();
});

afterEach(() => {
  // Whatever a page showed, no request of the scenario may have hit the gateway's catch-all 500.
  expect(unhandledErrorsSince(stack, logBefore)).toEqual([]);
});

describe('sign-in follows the olympus_auth flag', () => {
  it('with the flag on, opening / goes through /login to Olympus and back as the Olympus identity', async () => {
    const flag = await postFlag(stack, true);
    expect(flag.enabled).toBe(true);
    await waitForLoginRoute(gw, stack.olympus.url);

    const { page } = b;
    await page.goto(`${gw}/`);
    await waitForOrigin(page, stack.olympus.url);
    expect(await page.title()).toBe('Sign in to Olympus (local stand-in)');
    expect(b.navigations[0]).toBe(`${gw}/`);
    expect(b.navigations[1]).toBe(`${gw}/login?returnTo=%2F`);
    expect(b.navigations[2]).toMatch(new RegExp(`^${stack.olympus.url}/oauth2/auth\\?`));

    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect(await readDemoIdentity(page)).toEqual({
      sub: ALICE_OLYMPUS_SUB,
      provider: 'olympus',
      email: ALICE.email,
      issuer: stack.olympus.issuer,
      assertion: 'valid',
    });

    const session = await b.cookie(gw, '__Host-sb_session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('__Host-sb_session');
  });

  it('after the flag is flipped off, logging out and in again goes to Auth0', async () => {
    const { page } = b;
    await switchProvider(stack, 'olympus');
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.olympus.url);
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect((await readDemoIdentity(page)).provider).toBe('olympus');

    const rolledBack = await postFlag(stack, false);
    expect(rolledBack.enabled).toBe(false);
    expect(rolledBack.rollback_at).toEqual(expect.any(String));
    // Throws when new logins are not routed to Auth0 within the documented 2 s.
    await waitForLoginRoute(gw, stack.auth0.url, 2_000);

    b.navigations.length = 0;
    await page.goto(`${gw}/logout`);
    // Olympus ends its session, sends the browser back to the gateway's /, which (signed out) starts a login.
    const auth0 = new URL(stack.auth0.url).origin;
    const olympus = new URL(stack.olympus.url).origin;
    await page.waitForURL((u) => u.origin === auth0 || (u.origin === olympus && u.pathname.startsWith('/interaction/')));
    const endSession = b.navigations.findIndex((u) => u.startsWith(`${stack.olympus.url}/oauth2/sessions/logout`));
    expect(endSession).toBeGreaterThan(0);
    expect(b.navigations.indexOf(`${gw}/`, endSession)).toBeGreaterThan(endSession);
    expect(await b.cookie(gw, '__Host-sb_session')).toBeUndefined();

    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    expect(await page.title()).toBe('Sign in to Auth0 (local stand-in)');
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect(await readDemoIdentity(page)).toEqual({
      sub: 'auth0|alice',
      provider: 'auth0',
      email: ALICE.email,
      issuer: stack.auth0.issuer,
      assertion: 'valid',
    });
  });

  it('/signup with the flag on reaches Olympus, and the new account comes back signed in', async () => {
    const { page } = b;
    await switchProvider(stack, 'olympus');
    await page.goto(`${gw}/signup`);
    await waitForOrigin(page, stack.olympus.url);
    expect(await page.title()).toMatch(/Olympus \(local stand-in\)$/);
    const interaction = /^\/interaction\/[A-Za-z0-9_-]+/.exec(new URL(page.url()).pathname)?.[0];
    expect(interaction).toBeDefined();

    // The sign-up form of this same interaction (what "Create an account" opens).
    await page.goto(`${stack.olympus.url}${interaction}/signup`);
    const email = `dana.${Date.now()}@example.com`;
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'dana-pass');
    await page.fill('input[name=given_name]', 'Dana');
    await page.fill('input[name=family_name]', 'Diaz');
    await Promise.all([page.waitForURL(`${gw}/`), page.click('button[type=submit]')]);

    const who = await readDemoIdentity(page);
    expect(who).toMatchObject({ provider: 'olympus', email, issuer: stack.olympus.issuer, assertion: 'valid' });
    expect(who.sub).toMatch(UUID);
    expect(who.sub).toBe(stack.olympus.users.findByEmail(email)?.sub);
    expect(stack.auth0.users.findByEmail(email)).toBeUndefined();
  });

  it('/recovery with the flag on reaches the Olympus recovery page', async () => {
    const { page } = b;
    await switchProvider(stack, 'olympus');
    await page.goto(`${gw}/recovery`);
    await page.waitForURL(`${stack.olympus.url}/self-service/recovery/browser`);
    expect(await page.title()).toBe('Olympus account recovery');
    await page.fill('input[name=email]', ALICE.email);
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#recovery-sent').textContent()).toContain(ALICE.email);
  });

  it('/recovery with the flag off reaches the Auth0 password reset page, which sends the reset email', async () => {
    const { page } = b;
    await switchProvider(stack, 'auth0');
    await page.goto(`${gw}/recovery`);
    await page.waitForURL(`${stack.auth0.url}${AUTH0_RECOVERY_PATH}`);
    expect(await page.title()).toBe('Reset your Auth0 password (local stand-in)');
    await page.fill('input[name=email]', ALICE.email);
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#reset-sent').textContent()).toBe(
      `Please check the email address ${ALICE.email} for instructions to reset your password.`,
    );
    expect(stack.auth0Api.emails.filter((e) => e.to === ALICE.email).map((e) => e.kind)).toEqual(['password_reset']);
  });
});

describe('failed sign-ins', () => {
  it('a wrong password keeps the person on the IdP form; the right one still gets them in', async () => {
    const { page } = b;
    await switchProvider(stack, 'olympus');
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.olympus.url);
    await submitLogin(page, ALICE.email, 'not-alice-pass');
    await page.locator('#error').waitFor();

    expect(await page.locator('#error').textContent()).toBe('Wrong email or password.');
    expect(new URL(page.url()).origin).toBe(new URL(stack.olympus.url).origin);
    expect(await page.title()).toBe('Sign in to Olympus (local stand-in)');
    expect(await page.inputValue('input[name=email]')).toBe(ALICE.email);
    expect(await b.cookie(gw, '__Host-sb_session')).toBeUndefined();

    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect((await readDemoIdentity(page)).sub).toBe(ALICE_OLYMPUS_SUB);
  });

  it.each(['olympus', 'auth0'] as const)('failLogins at the %s stand-in ends on the gateway\'s "Sign-in failed" page, not a 500', async (provider) => {
    const { page } = b;
    const idp = stack[provider];
    await switchProvider(stack, provider);
    await setIdpMode(idp.url, { failLogins: true });
    try {
      const res = await page.goto(`${gw}/login?returnTo=%2F`);
      expect(res).not.toBeNull();
      const url = new URL(res!.url());
      expect(`${url.origin}${url.pathname}`).toBe(`${gw}/callback`);
      expect(url.searchParams.get('error')).toBe('access_denied');
      expect(res!.status()).toBe(401);
      expect(b.navigations.some((u) => u.startsWith(idp.url))).toBe(true);
      expect(await page.title()).toBe('Sign-in failed');
      expect(await page.locator('h1').textContent()).toBe('Sign-in failed');
      expect(await page.locator('#next').getAttribute('href')).toBe('/login');
      expect(await b.cookie(gw, '__Host-sb_session')).toBeUndefined();
    } finally {
      await setIdpMode(idp.url, { failLogins: false });
    }
  });
});

/**
 * Users locked out, end to end on the real stack (both oidc-provider
 * stand-ins, the demo origin, the gateway under wrangler dev):
 * - at percent 20, browsers that sign up through Olympus all come back to
 *   Olympus at their next /login (before the fix, ~4 in 5 went to Auth0,
 *   where they do not exist);
 * - signing out of Olympus really ends the provider session (the next sign-in
 *   asks for the password again), and the Olympus stand-in, like Hydra,
 *   refuses a logout redirect without id_token_hint.
 * One stack for the whole file.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { TinyBrowser } from '../../dev/tiny-browser.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { waitForLoginRoute } from './support/gateway-admin.ts';
import { adminApi, type FlagChange } from '../../scripts/cli/admin-api.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const BROWSERS = 6;

let stack: Stack;
let gw: string;
let b: BrowserSession | undefined;

beforeAll(async () => {
  stack = await startStack();
  gw = stack.gatewayUrl;
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}`));
});

async function setFlag(change: FlagChange): Promise<void> {
  const res = await adminApi(gw, stack.adminToken).flags.olympus_auth.$post({ json: { reason: 'e2e', ...(change.enabled ? { override_reason: 'e2e: re-enabling after this file\'s own rollbacks (re-enable gate lifted on purpose)' } : {}), ...change } });
  expect(res.status, await res.text()).toBe(200);
}

describe('a split rollout strands no signups', () => {
  it(`at percent 20, ${BROWSERS} browsers that sign up through Olympus all come back to Olympus at their next /login`, async () => {
    await setFlag({ enabled: true, percent: 20 });
    const olympus = new URL(stack.olympus.url).origin;
    const auth0 = new URL(stack.auth0.url).origin;
    const next: string[] = [];
    for (let i = 0; i < BROWSERS; i++) {
      const browser = new TinyBrowser();
      const ip = { 'cf-connecting-ip': `198.51.100.${10 + i}` };
      const form = await browser.navigate(`${gw}/signup`, { headers: ip });
      expect(new URL(form.url).origin).toBe(olympus);
      const email = `split.${i}.${Date.now()}@example.com`;
      const home = await browser.submitForm(form, { email, password: `pass-${i}-x`, given_name: 'Split', family_name: `User${i}` });
      expect(home.url).toBe(`${gw}/`);
      expect(home.status).toBe(200);
      expect(stack.olympus.users.findByEmail(email)).toBeDefined();
      // The next sign-in of the same browser (its cohort cookie kept).
      const login = await browser.navigate(`${gw}/login?returnTo=%2F`, { headers: ip, stopWhen: (u) => new URL(u).origin === olympus || new URL(u).origin === auth0 });
      next.push(new URL(login.url).origin);
    }
    expect(next).toEqual(Array(BROWSERS).fill(olympus));
  });
});

describe('signing out of Olympus', () => {
  it('the stand-in refuses post_logout_redirect_uri without id_token_hint, as Hydra does', async () => {
    const url = new URL(`${stack.olympus.url}/oauth2/sessions/logout`);
    url.searchParams.set('client_id', stack.olympus.clientId);
    url.searchParams.set('post_logout_redirect_uri', `${gw}/`);
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('post_logout_redirect_uri is set but id_token_hint is missing');
  });

  it('ends the provider session: the next sign-in asks for the password again', async () => {
    await setFlag({ enabled: true, percent: 100 });
    await waitForLoginRoute(gw, stack.olympus.url);
    b = await launchChromium();
    const { page } = b;
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.olympus.url);
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect((await readDemoIdentity(page)).provider).toBe('olympus');
    // The session now carries the ID token (for id_token_hint): it must stay well inside a browser's 4 KB.
    const sealed = (await b.cookie(gw, '__Host-sb_session'))!.value;
    console.info(`session cookie with the Olympus stand-in's ID token: ${sealed.length} bytes`);
    expect(sealed.length).toBeLessThan(3900);

    b.navigations.length = 0;
    await page.goto(`${gw}/logout`);
    // Olympus ends its session and sends the browser back to the gateway's /, which (signed out) starts a login at Olympus.
    await page.waitForURL((u) => u.origin === new URL(stack.olympus.url).origin && u.pathname.startsWith('/interaction/'));
    const endSession = b.navigations.find((u) => u.startsWith(`${stack.olympus.url}/oauth2/sessions/logout?`));
    expect(endSession).toBeDefined();
    expect(new URL(endSession!).searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(b.navigations.some((u) => u === `${gw}/`)).toBe(true);
    expect(await b.cookie(gw, '__Host-sb_session')).toBeUndefined();
    // Not a silent sign-in: the Olympus form asks for the password.
    expect(await page.title()).toBe('Sign in to Olympus (local stand-in)');
    expect(await page.locator('input[name=password]').count()).toBe(1);

    // And the next sign-in works.
    await signInAndReturn(page, `${gw}/`, ALICE.email, ALICE.password);
    expect((await readDemoIdentity(page)).provider).toBe('olympus');
  });
});

/**
 * The token overlap after a rollback, end to end with TOKEN_OVERLAP_SECONDS=4:
 * an Olympus session keeps working for the overlap after the flag goes from
 * enabled to disabled, then an API call gets 401 session_expired and a browser
 * gets the "session expired" page with a way back to /login (now Auth0). An
 * Auth0 session is never affected.
 *
 * The Olympus session lives in Chromium: Node's fetch (so TinyBrowser) always
 * sends `Sec-Fetch-Mode: cors`, which the gateway rightly treats as an API call.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, switchProvider } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';
import { pollUntil } from './support/poll.ts';
import { signInThroughGateway } from './support/tiny-sign-in.ts';

const OVERLAP_SECONDS = 4;
const ALICE_OLYMPUS_SUB = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** workerd reads its clock at I/O boundaries: allow this much between our clock readings and its. */
const CLOCK_SLACK_MS = 50;

let stack: Stack;
let b: BrowserSession;
let gw: string;
let logBefore = '';

beforeAll(async () => {
  stack = await startStack({ extraVars: { TOKEN_OVERLAP_SECONDS: String(OVERLAP_SECONDS) } });
  gw = stack.gatewayUrl;
  b = await launchChromium();
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}`));
  logBefore = stack.gatewayOutput();
});

afterEach(() => {
  expect(unhandledErrorsSince(stack, logBefore)).toEqual([]);
});

/** An API call carrying only the session cookie (outside any jar, so a refusal cannot clear it for later calls). */
const whoami = (session: string) => fetch(`${gw}/api/whoami`, { headers: { cookie: `__Host-sb_session=${session}`, accept: 'application/json' } });

const field = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

it(`accepts an Olympus session for ${OVERLAP_SECONDS} s after a rollback, then answers session_expired; Auth0 sessions stay`, async () => {
  const { page } = b;
  await switchProvider(stack, 'auth0');
  const carol = await signInThroughGateway(stack, 'auth0', 'carol@example.com', 'carol-pass');

  await switchProvider(stack, 'olympus');
  await page.goto(`${gw}/login?returnTo=%2F`);
  await waitForOrigin(page, stack.olympus.url);
  await signInAndReturn(page, `${gw}/`, 'alice@example.com', 'alice-pass');
  const aliceSession = (await b.cookie(gw, '__Host-sb_session'))?.value;
  expect(aliceSession).toEqual(expect.any(String));

  const rolledBack = await postFlag(stack, false);
  expect(rolledBack.rollback_at).toEqual(expect.any(String));
  const cutoffMs = (Math.floor(Date.parse(rolledBack.rollback_at!) / 1000) + OVERLAP_SECONDS) * 1000;

  // Within the overlap: the API and the page still see the Olympus identity.
  const during = await whoami(aliceSession!);
  expect(during.status).toBe(200);
  expect(await during.json()).toMatchObject({ provider: 'olympus', sub: ALICE_OLYMPUS_SUB, email: 'alice@example.com', assertion: 'valid' });
  const reload = await page.goto(`${gw}/`);
  expect(reload?.status()).toBe(200);
  expect(await readDemoIdentity(page)).toMatchObject({ provider: 'olympus', sub: ALICE_OLYMPUS_SUB });
  expect(Date.now()).toBeLessThan(cutoffMs); // the checks above really ran inside the overlap

  // Poll until refused: every acceptance was before the cut, the refusal after it.
  const accepted: number[] = [];
  const { value: refusal } = await pollUntil(
    'Olympus session refused after the overlap',
    async () => {
      const sentAt = Date.now();
      const res = await whoami(aliceSession!);
      if (res.status === 200) {
        await res.arrayBuffer();
        accepted.push(sentAt);
        return undefined;
      }
      return { res, answeredAt: Date.now() };
    },
    { timeoutMs: cutoffMs - Date.now() + 3_000, intervalMs: 100 },
    () => `still accepted at ${new Date().toISOString()}, cutoff ${new Date(cutoffMs).toISOString()}`,
  );
  for (const sentAt of accepted) expect(sentAt).toBeLessThan(cutoffMs + CLOCK_SLACK_MS);
  expect(refusal.answeredAt).toBeGreaterThanOrEqual(cutoffMs - CLOCK_SLACK_MS);
  expect(refusal.res.status).toBe(401);
  expect(refusal.res.headers.get('content-type')).toContain('application/json');
  expect(await refusal.res.json()).toMatchObject({ error: 'session_expired' });
  expect(refusal.res.headers.get('www-authenticate')).toContain('error="session_expired"');
  expect(refusal.res.headers.getSetCookie().some((c) => /^__Host-sb_session=;/.test(c) && /Max-Age=0/i.test(c))).toBe(true);

  // The browser (still holding its cookie) gets the session-expired page; its link starts a sign-in at Auth0.
  const expired = await page.goto(`${gw}/`);
  expect(expired?.status()).toBe(401);
  expect(await page.locator('body').textContent()).toContain('Your session expired, please sign in again.');
  const link = page.locator('a[href^="/login"]');
  expect(await link.getAttribute('href')).toBe('/login?returnTo=%2F');
  expect(await b.cookie(gw, '__Host-sb_session')).toBeUndefined();
  await Promise.all([waitForOrigin(page, stack.auth0.url), link.click()]);
  expect(await page.title()).toBe('Sign in to Auth0 (local stand-in)');

  // The Auth0 session is untouched by all of this.
  const auth0Api = await whoami(carol.session);
  expect(auth0Api.status).toBe(200);
  expect(await auth0Api.json()).toMatchObject({ provider: 'auth0', sub: 'auth0|carol', email: 'carol@example.com', assertion: 'valid' });
  const auth0Page = await carol.browser.navigate(`${gw}/`);
  expect(auth0Page.status).toBe(200);
  expect(field(auth0Page.body, 'provider')).toBe('auth0');
  expect(field(auth0Page.body, 'sub')).toBe('auth0|carol');
});

/**
 * The story's other ending, `npm start -- --reconcile-job`: the gateway's own
 * reconcile job (a Cloudflare Workflow, under wrangler dev) starts at the
 * rollback, creates the captured signup at the Auth0 Management API stand-in
 * (no password hash reaches the edge: an unusable password), emails a reset
 * link through the Authentication API, and reports its progress in /status.
 * The email is in the mail catcher, and its link gives the person a password
 * that signs in at Auth0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import type { CaughtMessage } from '../../dev/mail-catcher/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, switchProvider, waitForLoginRoute } from './support/gateway-admin.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';
import { pollUntil } from './support/poll.ts';

let stack: Stack;
let b: BrowserSession;

beforeAll(async () => {
  stack = await startStack({ reconcileJob: true });
  b = await launchChromium();
});
afterAll(async () => {
  await b?.close();
  await stack?.stop();
});

interface Status {
  signups: { stranded_if_rolled_back_now: number };
  reconcile_job: { status: string; total?: number; done?: number; totals?: Record<string, number> } | null;
}
const status = async (): Promise<Status> =>
  (await (await fetch(`${stack.gatewayUrl}/_switchback/api/status`, { headers: { authorization: `Bearer ${stack.adminToken}` } })).json()) as Status;

describe('the gateway reconcile job in the local stack', () => {
  it('creates the signup at Auth0 after a rollback and its reset email leads to a working password', async () => {
    const gw = stack.gatewayUrl;
    const { page } = b;
    const email = `fay.${Date.now()}@example.com`;
    await switchProvider(stack, 'olympus');
    await page.goto(`${gw}/signup`);
    await waitForOrigin(page, stack.olympus.url);
    if (!(await page.locator('#signup-form').count())) await page.click('#signup-link');
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', 'fay-olympus-pass');
    await page.fill('input[name=given_name]', 'Fay');
    await page.fill('input[name=family_name]', 'Fox');
    await Promise.all([page.waitForURL(`${gw}/`), page.click('button[type=submit]')]);
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(1);

    await postFlag(stack, false);
    await waitForLoginRoute(gw, stack.auth0.url);
    const { value: job } = await pollUntil('the reconcile job to complete', async () => {
      const j = (await status()).reconcile_job;
      return j?.status === 'completed' ? j : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 }, () => JSON.stringify(stack.auth0Api.calls.slice(-5)));
    expect(job).toMatchObject({ total: 1, done: 1, totals: { created_reset_sent: 1 } }); // the report's statuses (src/reconcile/reconcile-report.ts)
    const [user, ...more] = stack.auth0Api.usersByEmail(email);
    expect(more).toEqual([]);
    expect(user!.credential?.kind).toBe('password'); // unusable: the edge never sees a hash
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(0);

    const { value: reset } = await pollUntil('the reset email in the mail catcher', async () => {
      const all = (await (await fetch(`${stack.mail.url}/api/messages`)).json()) as CaughtMessage[];
      return all.find((m) => m.to === email && m.subject === 'Reset your password');
    }, { timeoutMs: 10_000, intervalMs: 250 });
    await b.reset();
    await page.goto(`${stack.mail.url}/messages/${reset.id}`);
    await Promise.all([page.waitForURL((u) => u.origin === new URL(stack.auth0.url).origin), page.locator('#body a').click()]);
    await page.fill('input[name=password]', 'Fay-auth0-pass-1');
    await page.click('button[type=submit]');
    await page.locator('#password-changed').waitFor();
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    await signInAndReturn(page, `${gw}/`, email, 'Fay-auth0-pass-1');
    expect(await readDemoIdentity(page)).toMatchObject({ provider: 'auth0', email, sub: user!.profile.user_id });
  });
});

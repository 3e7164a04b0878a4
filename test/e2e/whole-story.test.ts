/**
 * The product's story on `npm start`'s stack, in real Chromium: a person signs
 * up through Olympus (the Kratos-like stand-in stores the identity with its
 * password hash and calls the gateway's registration hook, as Kratos' after-
 * registration web hook does), /status counts one user a rollback would
 * strand, the flag is rolled back, the reconcile brings the user to the Auth0
 * stand-in with the Olympus password hash, and the person signs in at Auth0
 * with the password they chose in Olympus. The mail catcher shows the
 * emails and the on-call notifications of the way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ROLLBACK_RULES } from '../../dev/demo-rules.ts';
import { tsxCommand } from '../../dev/node-binary.ts';
import { REPO_ROOT, startStack, type Stack } from '../../dev/stack.ts';
import type { CaughtMessage } from '../../dev/mail-catcher/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, switchProvider, waitForLoginRoute } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';
import { pollUntil } from './support/poll.ts';

const SHOTS = process.env.SWITCHBACK_STORY_SHOTS; // a directory: screenshots for a person to look at

let stack: Stack;
let b: BrowserSession;
let gw: string;
let tmp: string;

beforeAll(async () => {
  stack = await startStack({ extraVars: { ROLLBACK_RULES: DEMO_ROLLBACK_RULES } });
  gw = stack.gatewayUrl;
  b = await launchChromium();
  tmp = await mkdtemp(join(tmpdir(), 'switchback-story-'));
});

afterAll(async () => {
  await b?.close();
  await stack?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}\n--- navigations ---\n${b.navigations.join('\n')}`));
});

async function status(): Promise<{ signups: { stranded_if_rolled_back_now: number; captured: number } }> {
  const res = await fetch(`${gw}/_switchback/api/status`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { signups: { stranded_if_rolled_back_now: number; captured: number } };
}

function reconcileCli(args: string[]): Promise<{ code: number; output: string }> {
  const [cmd, ...rest] = tsxCommand('scripts/reconcile.ts', args);
  return new Promise((resolve) => {
    execFile(cmd!, rest, { cwd: REPO_ROOT, env: { ...process.env, ...stack.reconcileEnv, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const messagesTo = async (to: string): Promise<CaughtMessage[]> =>
  ((await (await fetch(`${stack.mail.url}/api/messages`)).json()) as CaughtMessage[]).filter((m) => m.to === to);

describe('the whole story runs locally', () => {
  const email = `erin.${Date.now()}@example.com`;
  const password = 'erin-olympus-pass-1';

  it('sign up through Olympus → 1 stranded → roll back → reconcile carries the hash → same password at Auth0', async () => {
    const logBefore = stack.gatewayOutput();
    const { page } = b;

    // 1. Olympus is on; a new person signs up there.
    await switchProvider(stack, 'olympus');
    expect((await status()).signups.stranded_if_rolled_back_now).toBe(0);
    await page.goto(`${gw}/signup`);
    await waitForOrigin(page, stack.olympus.url);
    const interaction = /^\/interaction\/[A-Za-z0-9_-]+/.exec(new URL(page.url()).pathname)?.[0];
    expect(interaction).toBeDefined();
    await page.goto(`${stack.olympus.url}${interaction}/signup`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.fill('input[name=given_name]', 'Erin');
    await page.fill('input[name=family_name]', 'Evans');
    await Promise.all([page.waitForURL(`${gw}/`), page.click('button[type=submit]')]);
    const olympusWho = await readDemoIdentity(page);
    expect(olympusWho).toMatchObject({ provider: 'olympus', email, assertion: 'valid' });

    // Kratos holds the identity with a password hash, served under include_credential=password.
    const identity = await (await fetch(`${stack.kratosAdmin.url}/admin/identities/${olympusWho.sub}?include_credential=password`)).json() as {
      traits: { email: string };
      credentials: { password: { identifiers: string[]; config: { hashed_password: string } } };
    };
    expect(identity.traits.email).toBe(email);
    const kratosHash = identity.credentials.password.config.hashed_password;
    expect(kratosHash).toMatch(/^\$pbkdf2-sha256\$i=\d+,l=32\$/);
    // Its after-registration web hook reached the gateway, which captured the signup (201).
    expect(stack.registrationHooks.filter((h) => h.identityId === olympusWho.sub).map((h) => h.status)).toEqual([201]);

    // 2. The gateway knows who a rollback would strand.
    const before = await status();
    expect(before.signups.stranded_if_rolled_back_now).toBe(1);
    // Before the rollback, Auth0 has never heard of this person.
    expect(stack.auth0Api.usersByEmail(email)).toEqual([]);

    // 3. Roll back: new logins go to Auth0.
    const rolledBack = await postFlag(stack, false);
    expect(rolledBack.rollback_at).toEqual(expect.any(String));
    await waitForLoginRoute(gw, stack.auth0.url);

    // 4. The reconcile (window: the gateway's migration start .. rollback_at) imports the user with the Kratos hash.
    const run = await reconcileCli(['--report', join(tmp, 'report.json'), '--checkpoint', join(tmp, 'checkpoint.json')]);
    expect(run.output).toContain('created_password_kept');
    expect(run.code, run.output).toBe(0);
    const [imported, ...more] = stack.auth0Api.usersByEmail(email);
    expect(more).toEqual([]);
    expect(imported!.source.kind).toBe('import');
    expect(imported!.credential).toEqual({ kind: 'custom_password_hash', custom: { algorithm: 'pbkdf2', hash: { value: kratosHash, encoding: 'utf8' } } });
    expect(imported!.profile.app_metadata).toMatchObject({ olympus_id: olympusWho.sub });

    // 5. The same person signs in at Auth0 with the password they chose in Olympus.
    await b.reset();
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    expect(await page.title()).toBe('Sign in to Auth0 (local stand-in)');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'auth0-sign-in-after-rollback.png'), fullPage: true });
    await signInAndReturn(page, `${gw}/`, email, password);
    const auth0Who = await readDemoIdentity(page);
    expect(auth0Who).toMatchObject({ provider: 'auth0', email, issuer: stack.auth0.issuer, assertion: 'valid' });
    expect(auth0Who.sub).toBe(imported!.profile.user_id);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'auth0-signed-in-after-rollback.png'), fullPage: true });

    // 6. The mail catcher has Kratos' verification email and the on-call notifications of the rollback.
    expect((await messagesTo(email)).map((m) => m.source)).toEqual(['kratos']);
    await pollUntil('rollback notifications in the mail catcher', async () => {
      const oncall = await messagesTo('on-call (NOTIFY_WEBHOOK_URL)');
      return oncall.some((m) => m.subject === 'Rollback complete. Auth0 is primary again.') ? true : undefined;
    }, { timeoutMs: 15_000, intervalMs: 250 });
    await page.goto(stack.mail.url);
    expect(await page.title()).toMatch(/^Mail catcher \(\d+\)$/);
    await page.click(`text=Please verify your email address`);
    expect(await page.locator('#to').textContent()).toBe(email);
    await page.goto(stack.mail.url);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'mail-catcher.png'), fullPage: true });

    expect(unhandledErrorsSince(stack, logBefore)).toEqual([]);
  });

  it('forgot the password: the reset email in the mail catcher leads to a new one', async () => {
    const { page } = b;
    const newPassword = 'Erin-new-pass-3';
    await b.reset();
    await page.goto(`${gw}/recovery`);
    await waitForOrigin(page, stack.auth0.url);
    await page.fill('input[name=email]', email);
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#reset-sent').textContent()).toContain(email);

    // The email, in the mail catcher's inbox; its link opens the Auth0 stand-in's "change your password" page.
    await page.goto(stack.mail.url);
    await page.click(`tr.message:has-text("${email}") >> text=Reset your password`);
    expect(await page.locator('#to').textContent()).toBe(email);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'reset-email.png'), fullPage: true });
    const link = page.locator('#body a');
    expect(await link.getAttribute('href')).toMatch(new RegExp(`^${stack.auth0.url}/u/reset-password\\?ticket=`));
    await Promise.all([page.waitForURL((u) => u.origin === new URL(stack.auth0.url).origin), link.click()]);
    expect(await page.locator('#reset-email').textContent()).toBe(email);
    await page.fill('input[name=password]', newPassword);
    await page.click('button[type=submit]');
    await page.locator('#password-changed').waitFor();

    // The link is spent; the new password signs in at Auth0.
    await page.goBack();
    await page.reload();
    expect(await page.locator('#error').textContent()).toContain('expired or was already used');
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    await signInAndReturn(page, `${gw}/`, email, newPassword);
    expect(await readDemoIdentity(page)).toMatchObject({ provider: 'auth0', email, assertion: 'valid' });
  });

  it('after the reset, the old password is refused on the form, like Auth0 does', async () => {
    const { page } = b;
    await b.reset();
    await page.goto(`${gw}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password); // the Olympus password: replaced by the reset
    await page.click('button[type=submit]');
    await expect.poll(async () => page.locator('#error').textContent()).toBe('Wrong email or password.');
  });
});

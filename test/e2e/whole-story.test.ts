/**
 * The product's story as a newcomer runs it: `npm start`, then the steps its
 * banner prints, commands copied from the banner and run in a shell, pages in
 * real Chromium. A person signs up through Olympus (the Kratos-like stand-in
 * stores the identity with its password hash and calls the gateway's
 * registration hook, as Kratos' after-registration web hook does), /status
 * counts one user a rollback would strand, the flag is rolled back, the
 * reconcile brings the user to the Auth0 stand-in with the Olympus password
 * hash, and the person signs in at Auth0 with the password they chose in
 * Olympus (the reconcile never saw it: only the carried hash can let them
 * in). Then they forget it, and the reset email in the mail catcher gives
 * them a new one.
 *
 * SWITCHBACK_STORY_SHOTS=<dir> saves screenshots of the pages on the way.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../dev/stack.ts';
import { node22 } from '../../dev/node-binary.ts';
import type { CaughtMessage } from '../../dev/mail-catcher/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { waitForLoginRoute } from './support/gateway-admin.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';
import { pollUntil } from './support/poll.ts';
import { RUNNING_BANNER, runStart } from './support/start-process.ts';

const SHOTS = process.env.SWITCHBACK_STORY_SHOTS;
const ONCALL = 'on-call (NOTIFY_WEBHOOK_URL)';

function shell(line: string): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', line], { cwd: REPO_ROOT, env: { ...process.env, PATH: `${dirname(node22())}:${process.env.PATH}`, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, output: `${stdout}${stderr}` }),
    );
  });
}

/** What the banner tells a newcomer, read the way a person would copy it. */
function readBanner(banner: string) {
  const one = (re: RegExp, what: string) => {
    const m = re.exec(banner);
    if (!m) throw new Error(`the banner has no ${what}:\n${banner}`);
    return m[1]!;
  };
  const step = (n: number) => one(new RegExp(`^ +${n}\\. [^\\n]*\\n((?: {6}[^\\n]*\\n)*)`, 'm'), `step ${n}`).replace(/^ {6}/gm, '').trim();
  return {
    gatewayUrl: one(/Open: +(\S+)\/ /, 'gateway URL'),
    mailUrl: one(/^ +(\S+)\/ +\(mail catcher/m, 'mail catcher URL'),
    auth0Url: one(/Auth0 \(local stand-in\) +(\S+?)\/?\s/, 'Auth0 URL'),
    olympusUrl: one(/Olympus \(local stand-in\) +(\S+)/, 'Olympus URL'),
    kratosAdminUrl: one(/Kratos admin API +(\S+)/, 'Kratos admin URL'),
    flagOn: step(1),
    statusCurl: step(3).split('\n').find((l) => l.startsWith('curl '))!,
    flagOff: step(4),
    // From the first variable to the command itself, backslash continuations included.
    reconcile: one(/^ +5\. [^\n]*\n((?: {6}[A-Z0-9_]+=\S+ \\\n)+ {6}npm run reconcile [^\n]*)$/m, 'reconcile command'),
  };
}

const messagesTo = async (mailUrl: string, to: string): Promise<CaughtMessage[]> =>
  ((await (await fetch(`${mailUrl}/api/messages`)).json()) as CaughtMessage[]).filter((m) => m.to === to);

describe('the whole story runs locally', () => {
  it('npm start → sign up in Olympus → 1 stranded → roll back → reconcile carries the hash → same password at Auth0 → reset via the mail catcher', { timeout: 150_000 }, async () => {
    const email = `erin.${Date.now()}@example.com`;
    const password = 'erin-olympus-pass-1';
    const newPassword = 'Erin-new-pass-3';
    let b: BrowserSession | undefined;
    let checked = false;
    const run = await runStart({}, 100_000, {
      whileRunning: async (output) => {
        const { value: banner } = await pollUntil('the whole banner', async () => (output().includes('Ctrl-C to stop.') ? output() : undefined), { timeoutMs: 5_000, intervalMs: 50 });
        const s = readBanner(banner);
        const gw = s.gatewayUrl;
        const status = async () => {
          const r = await shell(s.statusCurl);
          expect(r.code, r.output).toBe(0);
          return JSON.parse(r.stdout) as { signups: { stranded_if_rolled_back_now: number } };
        };
        b = await launchChromium();
        const { page } = b;

        // 1. Route logins to Olympus (the banner's curl).
        const on = await shell(s.flagOn);
        expect(on.code, on.output).toBe(0);
        await waitForLoginRoute(gw, s.olympusUrl);
        expect((await status()).signups.stranded_if_rolled_back_now).toBe(0);

        // 2. Sign up at /signup, through "Create an account" on the Olympus page.
        await page.goto(`${gw}/signup`);
        await waitForOrigin(page, s.olympusUrl);
        if (!(await page.locator('#signup-form').count())) await page.click('#signup-link');
        await page.fill('input[name=email]', email);
        await page.fill('input[name=password]', password);
        await page.fill('input[name=given_name]', 'Erin');
        await page.fill('input[name=family_name]', 'Evans');
        await Promise.all([page.waitForURL(`${gw}/`), page.click('button[type=submit]')]);
        const olympusWho = await readDemoIdentity(page);
        expect(olympusWho).toMatchObject({ provider: 'olympus', email, assertion: 'valid' });
        // Kratos holds the identity, its hash served under include_credential=password only.
        const identity = (await (await fetch(`${s.kratosAdminUrl}/admin/identities/${olympusWho.sub}?include_credential=password`)).json()) as {
          traits: { email: string };
          credentials: { password: { config: { hashed_password: string } } };
        };
        expect(identity.traits.email).toBe(email);
        expect(identity.credentials.password.config.hashed_password).toMatch(/^\$pbkdf2-sha256\$i=\d+,l=32\$/);
        const listed = (await (await fetch(`${s.kratosAdminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json()) as Array<{ credentials?: { password?: { config?: unknown } } }>;
        expect(listed).toHaveLength(1);
        expect(listed[0]!.credentials?.password?.config).toBeUndefined();

        // 3. The gateway counts one user a rollback would strand (the registration hook reached it).
        expect((await status()).signups.stranded_if_rolled_back_now).toBe(1);

        // 4. Roll back (the banner's curl); new logins go to Auth0.
        const off = await shell(s.flagOff);
        expect(off.code, off.output).toBe(0);
        await waitForLoginRoute(gw, s.auth0Url);

        // 5. The reconcile, exactly as printed: the window comes from the gateway, the hash from Kratos.
        const rec = await shell(s.reconcile);
        expect(rec.code, rec.output).toBe(0);
        expect(rec.output).toContain('1 in the window');
        expect(rec.output).toMatch(/^created_password_kept +1$/m);

        // 6. The same person signs in at Auth0 with the password they chose in Olympus.
        await b.reset();
        await page.goto(`${gw}/login?returnTo=%2F`);
        await waitForOrigin(page, s.auth0Url);
        expect(await page.title()).toBe('Sign in to Auth0 (local stand-in)');
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'auth0-sign-in-after-rollback.png'), fullPage: true });
        await signInAndReturn(page, `${gw}/`, email, password);
        const auth0Who = await readDemoIdentity(page);
        expect(auth0Who).toMatchObject({ provider: 'auth0', email, assertion: 'valid' });
        expect(auth0Who.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'auth0-signed-in-after-rollback.png'), fullPage: true });

        // 7. The mail catcher: Kratos' verification email, and the rollback's on-call notifications.
        expect((await messagesTo(s.mailUrl, email)).map((m) => m.source)).toEqual(['kratos']);
        await pollUntil('the rollback notification in the mail catcher', async () =>
          (await messagesTo(s.mailUrl, ONCALL)).some((m) => m.subject === 'Rollback complete. Auth0 is primary again.') ? true : undefined,
        { timeoutMs: 15_000, intervalMs: 250 });

        // Forgot the password: /recovery (now Auth0) sends a reset email; its link sets a new one.
        await b.reset();
        await page.goto(`${gw}/recovery`);
        await waitForOrigin(page, s.auth0Url);
        await page.fill('input[name=email]', email);
        await page.click('button[type=submit]');
        await expect.poll(() => page.locator('#reset-sent').textContent()).toContain(email);
        await page.goto(s.mailUrl);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'mail-catcher.png'), fullPage: true });
        await page.click(`tr.message:has-text("${email}") >> text=Reset your password`);
        expect(await page.locator('#to').textContent()).toBe(email);
        if (SHOTS) await page.screenshot({ path: join(SHOTS, 'reset-email.png'), fullPage: true });
        const link = page.locator('#body a');
        expect(await link.getAttribute('href')).toMatch(new RegExp(`^${s.auth0Url}/u/reset-password\\?ticket=`));
        await Promise.all([page.waitForURL((u) => u.origin === new URL(s.auth0Url).origin), link.click()]);
        expect(await page.locator('#reset-email').textContent()).toBe(email);
        await page.fill('input[name=password]', newPassword);
        await page.click('button[type=submit]');
        await page.locator('#password-changed').waitFor();
        // The link is spent.
        await page.goBack();
        await page.reload();
        expect(await page.locator('#error').textContent()).toContain('expired or was already used');

        // The old password is refused now, the new one signs in.
        await page.goto(`${gw}/login?returnTo=%2F`);
        await waitForOrigin(page, s.auth0Url);
        await page.fill('input[name=email]', email);
        await page.fill('input[name=password]', password);
        await page.click('button[type=submit]');
        await expect.poll(() => page.locator('#error').textContent()).toBe('Wrong email or password.');
        await signInAndReturn(page, `${gw}/`, email, newPassword);
        expect(await readDemoIdentity(page)).toMatchObject({ provider: 'auth0', email, sub: auth0Who.sub });

        // No request of the story hit the gateway's catch-all 500.
        expect(output().split('\n').filter((l) => l.includes('"event":"unhandled_error"'))).toEqual([]);
        checked = true;
      },
    }).finally(() => b?.close());
    expect(run.output, run.output).toContain(RUNNING_BANNER);
    expect(checked, run.output).toBe(true);
  });
});

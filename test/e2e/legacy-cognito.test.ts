/**
 * Amazon Cognito as the legacy provider, end to end in headless Chromium:
 * the whole local stack with `legacy: 'cognito'` (the Cognito-like stand-in
 * in place of the Auth0 one, LEGACY_PROVIDER=cognito). A person signs in
 * through Cognito's managed login; the flag flips to Olympus; logout goes
 * through Cognito's own /logout (client_id + logout_uri, not RP-initiated
 * logout) and the next sign-in lands at Olympus; a rollback sends the next
 * sign-in back to Cognito. Then `switchback reconcile` with
 * LEGACY_PROVIDER=cognito brings the Olympus signups of the window back to
 * the Cognito user-pool API stand-in: a new user is created with a reset
 * code (its Olympus hash cannot travel: said per user), an email already in
 * the pool is skipped, and the new user signs in at Cognito after the reset.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { DEFAULT_COGNITO_USERS } from '../../dev/idp/index.ts';
import { launchChromium, type BrowserSession } from './support/chromium.ts';
import { postFlag, waitForLoginRoute } from './support/gateway-admin.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';
import { readDemoIdentity, signInAndReturn, waitForOrigin } from './support/idp-pages.ts';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { identityFor } from '../../dev/kratos-admin/identity-directory.ts';
import type { CaughtMessage } from '../../dev/mail-catcher/index.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { runReconcile } from '../node/support/reconcile-harness.ts';
import { pollUntil } from './support/poll.ts';

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

  it('a reconcile after the rollback brings the window\'s Olympus signups back to Cognito: reset code sent, existing email skipped', async ({ onTestFailed }) => {
    onTestFailed(() => console.error(`--- cognito admin calls ---\n${stack.legacyAdmin?.cognito?.operations.join(' ')}`));
    const pool = stack.legacyAdmin!.cognito!.pool;
    const from = new Date(Date.now() - 1000).toISOString();
    // Two signups at Olympus while it was on (the Kratos admin stand-in holds them): a new person, and one whose email Cognito already has.
    const dana = identityFor({ sub: crypto.randomUUID(), email: `dana.${Date.now()}@example.com`, password: 'dana-olympus-pass', given_name: 'Dana', family_name: 'Diaz', email_verified: true });
    const carol = identityFor({ sub: crypto.randomUUID(), email: 'carol@example.com', password: 'carol-olympus-pass', given_name: 'Carol', family_name: 'Chen', email_verified: true });
    stack.kratosAdmin.addIdentities([dana, carol]);
    const snapshot = (u = pool.find('carol@example.com')!) => ({ username: u.username, status: u.status, attributes: { ...u.attributes }, password: u.passwordDigest?.toString('hex') });
    const carolBefore = snapshot();
    const to = new Date(Date.now() + 1000).toISOString();

    const run = await runReconcile(['--from', from, '--to', to, '--report', join(stack.workDir, 'cognito-report.json'), '--checkpoint', join(stack.workDir, 'cognito-checkpoint.json')], {
      cwd: stack.workDir,
      env: { LEGACY_PROVIDER: 'cognito', KRATOS_ADMIN_URL: stack.reconcileEnv.KRATOS_ADMIN_URL!, ...stack.legacyAdmin!.vars },
      timeoutMs: 60_000,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toMatch(/Cognito API: \d+ calls, 0 rate-limited/);
    const report = JSON.parse(await readFile(join(stack.workDir, 'cognito-report.json'), 'utf8')) as Report;
    const line = (id: string) => report.lines.find((l) => l.identity_id === id);
    expect(report.totals).toEqual({ in_window: 2, created_reset_sent: 1, skipped_exists: 1 });
    expect(line(dana.id)).toMatchObject({ status: 'created_reset_sent', password: 'reset', password_reason: 'hash_not_accepted_by_cognito' });
    expect(line(carol.id)).toMatchObject({ status: 'skipped_exists', detail: 'already in cognito' });

    // Carol's own Cognito account is untouched; Dana's is new, marked, and waits for its reset.
    expect(snapshot()).toEqual(carolBefore);
    const created = pool.find(String(dana.traits.email))!;
    expect(created).toMatchObject({ status: 'RESET_REQUIRED', attributes: { 'custom:olympus_id': dana.id, 'custom:sb_run': report.run_id, 'custom:sb_password': 'reset' } });
    const { value: mail } = await pollUntil('the reset code in the mail catcher', async () => {
      const all = (await (await fetch(`${stack.mail.url}/api/messages`)).json()) as CaughtMessage[];
      return all.find((m) => m.to === dana.traits.email && m.source === 'cognito');
    }, { timeoutMs: 5_000, intervalMs: 100 });
    const all = (await (await fetch(`${stack.mail.url}/api/messages`)).json()) as CaughtMessage[];
    expect(all.filter((m) => m.source === 'cognito').map((m) => m.to)).toEqual([dana.traits.email]); // one code, none for Carol
    const code = /reset code is (\d{6})/.exec(mail.text ?? '')![1]!;

    // Dana confirms the code with a new password (ConfirmForgotPassword) and signs in at Cognito through the gateway.
    expect(pool.confirmReset(String(dana.traits.email), code, 'Dana-cognito-pass-1', Date.now())).toBe(true);
    await b.reset();
    const { page } = b;
    await page.goto(`${stack.gatewayUrl}/login?returnTo=%2F`);
    await waitForOrigin(page, stack.auth0.url);
    await signInAndReturn(page, `${stack.gatewayUrl}/`, String(dana.traits.email), 'Dana-cognito-pass-1');
    expect(await readDemoIdentity(page)).toMatchObject({ provider: 'cognito', email: dana.traits.email, sub: created.username });
  });
});

/**
 * Clerk as the legacy provider, against the whole local stack with
 * `legacy: 'clerk'`, at fetch level (dev/tiny-browser; the Chromium run is
 * legacy-cognito.test.ts): sign in through the Clerk-like stand-in, flip to
 * Olympus, sign in there, roll back, sign in through Clerk again. Logout of a
 * Clerk session is local (Clerk documents no end-session endpoint). Then
 * the rollback's reconcile into Clerk: a window of Olympus signups (put
 * straight into the stack's Kratos admin stand-in, with the hashes Kratos
 * writes) is brought back to the stack's Clerk Backend API stand-in by the
 * reconcile engine with the Clerk target built from the gateway's own
 * CLERK_* variables (in process: the CLI's --target is the lead's merge),
 * and each user gets the right outcome: the carried password signs in
 * through the gateway at Clerk, the user without one is needs_reset, the
 * taken email is skipped.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { DEFAULT_CLERK_USERS } from '../../dev/idp/index.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { clerkTargetFromEnv } from '../../src/reconcile/clerk-target.ts';
import { memoryJournal } from '../../src/reconcile/journal.ts';
import { KratosAdminClient } from '../../src/reconcile/kratos-admin-client.ts';
import { reconcile, type ReconcileEvent } from '../../src/reconcile/reconcile-run.ts';
import { postFlag, waitForLoginRoute } from './support/gateway-admin.ts';
import { signInThroughGateway } from './support/tiny-sign-in.ts';
import { unhandledErrorsSince } from './support/gateway-log.ts';

let stack: Stack;
beforeAll(async () => (stack = await startStack({ legacy: 'clerk' })));
afterAll(() => stack?.stop());

async function whoAmI(browser: Awaited<ReturnType<typeof signInThroughGateway>>['browser']): Promise<{ sub: string; issuer: string }> {
  const page = await browser.navigate(`${stack.gatewayUrl}/`);
  const field = (id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(page.body)?.[1]?.trim() ?? '';
  return { sub: field('sub'), issuer: field('issuer') };
}

it('Clerk -> Olympus -> Clerk', async () => {
  const before = stack.gatewayOutput();
  expect(stack.vars).toMatchObject({ LEGACY_PROVIDER: 'clerk', CLERK_AUTHORIZED_PARTIES: stack.gatewayUrl });

  const first = await signInThroughGateway(stack, 'auth0', 'alice@example.com', 'alice-pass');
  expect(await whoAmI(first.browser)).toEqual({ sub: DEFAULT_CLERK_USERS[0]!.sub, issuer: stack.auth0.issuer });
  // No end-session endpoint at Clerk: /logout clears the gateway session and lands on /.
  const out = await first.browser.navigate(`${stack.gatewayUrl}/logout`, { stopWhen: (u) => u === `${stack.gatewayUrl}/` });
  expect(out.url).toBe(`${stack.gatewayUrl}/`);

  await postFlag(stack, true);
  await waitForLoginRoute(stack.gatewayUrl, stack.olympus.url);
  const olympus = await signInThroughGateway(stack, 'olympus', 'alice@example.com', 'alice-pass');
  expect((await whoAmI(olympus.browser)).issuer).toBe(stack.olympus.issuer);

  await postFlag(stack, false);
  await waitForLoginRoute(stack.gatewayUrl, stack.auth0.url);
  const again = await signInThroughGateway(stack, 'auth0', 'alice@example.com', 'alice-pass');
  expect(await whoAmI(again.browser)).toEqual({ sub: DEFAULT_CLERK_USERS[0]!.sub, issuer: stack.auth0.issuer });

  expect(unhandledErrorsSince(stack, before)).toEqual([]);
});

it('after the rollback, a reconcile brings a window of Olympus signups back to Clerk with the right outcome per user', async () => {
  const from = new Date(Date.now() - 1000);
  const raw64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  const salt = randomBytes(16);
  const signups = [
    { email: 'olympus-pbkdf2@example.com', password: 'chosen-in-olympus-1', hash: (pw: string) => `$pbkdf2-sha256$i=1000,l=32$${raw64(salt)}$${raw64(pbkdf2Sync(pw, salt, 1000, 32, 'sha256'))}`, status: 'created_password_kept' },
    { email: 'olympus-bcrypt@example.com', password: 'chosen-in-olympus-2', hash: (pw: string) => bcrypt.hashSync(pw, 4), status: 'created_password_kept' },
    { email: 'olympus-code@example.com', password: undefined, hash: undefined, status: 'created_needs_reset' },
    { email: 'alice@example.com', password: 'not-alices', hash: (pw: string) => bcrypt.hashSync(pw, 4), status: 'skipped_exists' },
  ] as const;
  const base = makeIdentities(signups.length, { seed: 77, from, to: new Date(), legacyShare: 0, outsideShare: 0, hashShare: 1 });
  const ids = signups.map((u, i) => {
    const identity = structuredClone(base[i]!);
    identity.traits.email = u.email;
    identity.verifiable_addresses = identity.verifiable_addresses.map((a) => ({ ...a, value: u.email }));
    if (u.hash) identity.credentials!.password!.config = { hashed_password: u.hash(u.password!) };
    else delete identity.credentials?.password;
    stack.kratosAdmin.identities.set(identity.id, identity);
    return identity.id;
  });

  const report = await reconcile(
    { kratos: new KratosAdminClient(stack.kratosAdmin.url), target: clerkTargetFromEnv(stack.vars), journal: memoryJournal<ReconcileEvent>() },
    { window: { from, to: new Date(Date.now() + 1000) }, runId: 'e2e-clerk', dryRun: false, pageSize: 100, mode: 'single', importThreshold: 1000, checkCourier: false },
  );
  const lines = signups.map((u, i) => report.lines.find((l) => l.identity_id === ids[i])!);
  expect(lines.map((l) => [l.email, l.status])).toEqual(signups.map((u) => [u.email, u.status]));

  // The carried passwords sign in at Clerk through the gateway (flag off), as the Clerk users the reconcile created.
  for (const [i, u] of signups.entries()) {
    if (u.status !== 'created_password_kept') continue;
    const signedIn = await signInThroughGateway(stack, 'auth0', u.email, u.password!);
    expect(await whoAmI(signedIn.browser)).toEqual({ sub: lines[i]!.auth0_user_id, issuer: stack.auth0.issuer });
  }
  // The user without a hash exists at Clerk without a password (needs_reset); alice's own account is untouched.
  await expect(signInThroughGateway(stack, 'auth0', 'olympus-code@example.com', 'anything-at-all')).rejects.toThrow();
  const again = await signInThroughGateway(stack, 'auth0', 'alice@example.com', 'alice-pass');
  expect((await whoAmI(again.browser)).sub).toBe(DEFAULT_CLERK_USERS[0]!.sub);
});

/**
 * Clerk as the legacy provider, against the whole local stack with
 * `legacy: 'clerk'`, at fetch level (dev/tiny-browser; the Chromium run is
 * legacy-cognito.test.ts): sign in through the Clerk-like stand-in, flip to
 * Olympus, sign in there, roll back, sign in through Clerk again. Logout of a
 * Clerk session is local (Clerk documents no end-session endpoint).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { DEFAULT_CLERK_USERS } from '../../dev/idp/index.ts';
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

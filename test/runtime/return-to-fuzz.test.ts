/**
 * Property tests for `returnTo` (issue 7, item 8): no generated value, built
 * from the pieces open redirects are made of, ever makes the gateway send a
 * `Location` that a browser resolves off-origin.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { installNetwork, type Network } from './support/fake-network.ts';
import { putFlag, resetState } from './support/gateway.ts';
import { callback, issueCode, startLogin } from './support/login-flow.ts';
import { ISSUERS } from './support/constants.ts';
import { resolvesOnOrigin, returnTo } from '../support/return-to-arbitraries.ts';

describe('returnTo through /login and /callback', () => {
  let net: Network;
  beforeEach(async () => {
    await resetState();
    net = await installNetwork();
    await putFlag({ enabled: false });
  });
  afterEach(() => vi.restoreAllMocks());

  it('the Location sent after sign-in always stays on the gateway origin (500 full sign-ins)', async () => {
    const handle = net.auth0.handle;
    await fc.assert(
      fc.asyncProperty(returnTo, async (raw) => {
        net.auth0.handle = handle; // issueCode wraps it once per code
        const login = await startLogin(`/login?returnTo=${encodeURIComponent(raw)}`);
        const code = await issueCode(net.auth0, login);
        const res = await callback({ code, state: login.state, iss: ISSUERS.auth0 }, login.loginCookie);
        expect(res.status).toBe(302);
        expect(resolvesOnOrigin(res.headers.get('location')!)).toBe(true);
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});

/**
 * Claims fuzz for the legacy kinds with clean documented rules (Cognito,
 * Clerk): tokens correctly signed by the kind's own key, with random values in
 * the claims that decide (token_use, client_id, aud, azp, sid, typ). The
 * gateway answers 200 exactly when the provider's documented rule says the
 * token is an access token issued to this gateway, 401 otherwise, never a
 * 5xx. The oracle is written from the docs, not from src/providers/kinds.
 */
import { describe, expect } from 'vitest';
import fc from 'fast-check';
import { gatewayTest } from './support/fixtures.ts';
import { kindGw } from './support/kind-gateway.ts';
import { CLERK_APP_ORIGIN, GATEWAY, LEGACY_CLIENTS } from './support/constants.ts';

const it = gatewayTest({ enabled: false });
const now = () => Math.floor(Date.now() / 1000);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const call = (kind: 'cognito' | 'clerk', token: string) => kindGw(kind, '/api/me', { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

async function expectVerdict(res: Response, accepted: boolean): Promise<void> {
  expect(res.status).toBe(accepted ? 200 : 401);
  await res.body?.cancel();
}

describe('claims fuzz per kind', () => {
  it('Cognito: accepted iff token_use is "access", client_id is the app client and there is no aud (300 tokens)', async ({ net }) => {
    const claims = fc.record({
      token_use: maybe(fc.constantFrom('access', 'id', 'refresh', 'ACCESS', '')),
      client_id: maybe(fc.constantFrom(LEGACY_CLIENTS.cognito, 'other-app-client', '')),
      aud: maybe(fc.constantFrom(LEGACY_CLIENTS.cognito, 'other', [] as unknown as string)),
      scope: maybe(fc.constantFrom('openid', 'aws.cognito.signin.user.admin')),
    });
    await fc.assert(
      fc.asyncProperty(claims, async (c) => {
        const token = await net.cognito.sign({ sub: 'cognito-fuzz', ...c }, { typ: undefined });
        const ok = c.token_use === 'access' && c.client_id === LEGACY_CLIENTS.cognito && c.aud === undefined;
        await expectVerdict(await call('cognito', token), ok);
      }),
      { numRuns: 300 },
    );
  });

  it('Clerk: a session token passes iff it has a sid, no aud and an allowed azp; an at+jwt iff it names the OAuth app (300 tokens)', async ({ net }) => {
    const claims = fc.record({
      typ: fc.constantFrom('JWT', 'at+jwt', 'application/at+jwt'),
      sid: maybe(fc.constantFrom('sess_2abc', '')),
      azp: maybe(fc.constantFrom(CLERK_APP_ORIGIN, GATEWAY, `${CLERK_APP_ORIGIN}/`, 'https://evil.test', LEGACY_CLIENTS.clerk)),
      aud: maybe(fc.constantFrom('something')),
      client_id: maybe(fc.constantFrom(LEGACY_CLIENTS.clerk, 'other-oauth-app')),
      scope: fc.constant('email'),
    });
    await fc.assert(
      fc.asyncProperty(claims, async ({ typ, ...c }) => {
        const token = await net.clerk.sign({ sub: 'user_fuzz', nbf: now() - 5, exp: now() + 60, ...c }, { typ });
        const oauth = typ !== 'JWT';
        const ok = oauth
          ? c.client_id === LEGACY_CLIENTS.clerk && (c.azp === undefined || c.azp === LEGACY_CLIENTS.clerk)
          : typeof c.sid === 'string' && c.sid !== '' && c.aud === undefined && (c.azp === CLERK_APP_ORIGIN || c.azp === GATEWAY);
        await expectVerdict(await call('clerk', token), ok);
      }),
      { numRuns: 300 },
    );
    expect(net.clerk.counts.jwks).toBeGreaterThan(0);
  });
});

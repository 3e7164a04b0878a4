/**
 * Property tests for `returnTo` (issue 7, item 8): no generated value, built
 * from the pieces open redirects are made of, ever makes the gateway send a
 * `Location` that a browser resolves off-origin.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { isSameOriginPath, safeReturnTo } from '../../src/oidc/return-to.ts';
import { installNetwork, type Network } from './support/fake-network.ts';
import { putFlag, resetState } from './support/gateway.ts';
import { callback, issueCode, startLogin } from './support/login-flow.ts';
import { GATEWAY, ISSUERS } from './support/constants.ts';

const PIECES = [
  '/', '//', '\\', '/\\', '.', '..', './', '../', '%2e', '%2E', '%2e%2e', '%2f', '%2F', '%5c', '%5C', '%09', '%0a', '%0d', '%00',
  '\t', '\n', '\r', ' ', '\u3000', '\u2028', '\ufeff', '@', ':', '?', '#', '&', '=', ';',
  'evil.test', 'evil.test:443', 'user:pass@evil.test', 'xn--80ak6aa92e.com', 'ｅｖｉｌ.test', '127.0.0.1', '[::1]', '0x7f.1',
  'https:', 'http:', 'javascript:', 'data:', 'HTTPS://', '\u2215', '\uff0f', '\u29f5', '\u0338', 'é', '/a', 'b', 'x',
];

const hostile = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));
/** Mostly values that start with one slash, since those pass the first gate; some with random unicode mixed in. */
const returnTo = fc.oneof(
  hostile.map((s) => `/${s}`),
  hostile,
  fc.tuple(hostile, fc.string({ unit: 'grapheme', maxLength: 8 }), hostile).map(([a, b, c]) => `/${a}${b}${c}`),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
);

/** What a browser does with a Location value: resolve it against the page's origin. */
function resolvesOnOrigin(location: string): boolean {
  if (location.startsWith('//') || location.startsWith('/\\')) return false;
  let u: URL;
  try {
    u = new URL(location, GATEWAY);
  } catch {
    return false;
  }
  return u.origin === GATEWAY;
}

describe('safeReturnTo (pure)', () => {
  it('never returns a value that resolves off-origin (20,000 runs)', () => {
    fc.assert(
      fc.property(returnTo, (raw) => {
        const out = safeReturnTo(raw);
        expect(resolvesOnOrigin(out)).toBe(true);
        expect(isSameOriginPath(out)).toBe(true);
        // Idempotent: what the callback re-checks is what login stored.
        expect(safeReturnTo(out)).toBe(out);
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps ordinary paths', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { minLength: 1, maxLength: 5 }), (segs) => {
        const p = `/${segs.join('/')}?q=1`;
        expect(safeReturnTo(p)).toBe(p);
      }),
      { numRuns: 500 },
    );
  });
});

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

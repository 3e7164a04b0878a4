/**
 * `safeReturnTo` (issue 7, item 8) as a pure function: no generated value ever
 * resolves off-origin, and ordinary paths are kept. The same values through
 * /login and /callback are in test/runtime/return-to-fuzz.test.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isSameOriginPath, safeReturnTo } from '../../src/oidc/return-to.ts';
import { resolvesOnOrigin, returnTo } from '../support/return-to-arbitraries.ts';

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

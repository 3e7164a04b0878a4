/**
 * The overlap cut as a pure policy (explicit `now`): an Olympus credential is
 * accepted until T + TOKEN_OVERLAP_SECONDS after a rollback, or its own expiry
 * if sooner. Through the gateway: test/runtime/overlap.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { olympusOverlap } from '../../src/verify/overlap-policy.ts';

describe('overlap policy (pure)', () => {
  const T = Date.parse('2026-11-24T10:00:00Z') / 1000;
  const flag = { enabled: false, rollback_at: '2026-11-24T10:00:00.000Z' };
  it.each([
    [T - 10, T + 3600, true],
    [T + 1799, T + 3600, true],
    [T + 1800, T + 3600, false],
    [T + 5000, T + 9000, false],
  ])('now=%i exp=%i -> accept %s', (now, exp, accept) => {
    expect(olympusOverlap(flag, 1800, exp, now).accept).toBe(accept);
  });
  it('clamps the credential to the cut', () => {
    expect(olympusOverlap(flag, 1800, T + 3600, T + 10)).toEqual({ accept: true, until: T + 1800 });
    expect(olympusOverlap(flag, 1800, T + 600, T + 10)).toEqual({ accept: true, until: T + 600 });
  });
  it('enabled accepts until the credential expiry; off with no rollback refuses', () => {
    expect(olympusOverlap({ enabled: true }, 1800, T + 3600, T)).toEqual({ accept: true, until: T + 3600 });
    expect(olympusOverlap({ enabled: false, rollback_at: null }, 1800, T + 3600, T).accept).toBe(false);
  });
});

/**
 * Which provider a login goes to, from the flag, the browser's cohort and
 * whether the hinted user exists only in Olympus. Through the gateway:
 * test/runtime/split-rollout-signups.test.ts and login-routing.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { chooseProvider } from '../../src/flag/routing-policy.ts';

describe('routing policy (pure)', () => {
  it.each([
    [{ enabled: true, percent: 20 }, 90, true, 'olympus'],
    [{ enabled: true, percent: 20 }, 90, false, 'auth0'],
    [{ enabled: true, percent: 0 }, 0, false, 'auth0'],
    [{ enabled: true, percent: 1 }, 0, false, 'olympus'],
    [{ enabled: false }, 0, true, 'auth0'],
  ] as const)('%j cohort %i olympus-only %s -> %s', (flag, cohort, only, expected) => {
    expect(chooseProvider(flag, 'login', cohort, only)).toBe(expected);
  });
});

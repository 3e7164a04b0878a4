/**
 * Cache-Control and Vary of an authenticated response, as pure functions.
 * Through the gateway: test/runtime/cors-and-cache.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { privateCacheControl, withVary } from '../../src/origin/private-response.ts';

describe('private-response (pure)', () => {
  it.each([
    [null, 'private'],
    ['public', 'private'],
    ['PUBLIC, S-MAXAGE=60, max-age=5', 'private, max-age=5'],
    ['private, max-age=5', 'private, max-age=5'],
    ['no-cache, must-revalidate', 'private, no-cache, must-revalidate'],
    ['s-maxage=600', 'private'],
  ])('%j -> %j', (input, out) => expect(privateCacheControl(input)).toBe(out));

  it('adds to Vary without duplicates', () => {
    expect(withVary('cookie, Accept', ['Cookie', 'Authorization'])).toBe('cookie, Accept, Authorization');
    expect(withVary(null, ['Cookie'])).toBe('Cookie');
  });
});

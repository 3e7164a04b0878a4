/**
 * fast-check values for `returnTo`, built from the pieces open redirects are
 * made of, and what a browser does with a Location: shared by the pure
 * property test (test/unit) and the full sign-in one (test/runtime).
 */
import fc from 'fast-check';
import { GATEWAY } from '../runtime/support/constants.ts';

const PIECES = [
  '/', '//', '\\', '/\\', '.', '..', './', '../', '%2e', '%2E', '%2e%2e', '%2f', '%2F', '%5c', '%5C', '%09', '%0a', '%0d', '%00',
  '\t', '\n', '\r', ' ', '\u3000', '\u2028', '\ufeff', '@', ':', '?', '#', '&', '=', ';',
  'evil.test', 'evil.test:443', 'user:pass@evil.test', 'xn--80ak6aa92e.com', 'ｅｖｉｌ.test', '127.0.0.1', '[::1]', '0x7f.1',
  'https:', 'http:', 'javascript:', 'data:', 'HTTPS://', '\u2215', '\uff0f', '\u29f5', '\u0338', 'é', '/a', 'b', 'x',
];

const hostile = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => parts.join(''));
/** Mostly values that start with one slash, since those pass the first gate; some with random unicode mixed in. */
export const returnTo = fc.oneof(
  hostile.map((s) => `/${s}`),
  hostile,
  fc.tuple(hostile, fc.string({ unit: 'grapheme', maxLength: 8 }), hostile).map(([a, b, c]) => `/${a}${b}${c}`),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
);

/** What a browser does with a Location value: resolve it against the page's origin. */
export function resolvesOnOrigin(location: string): boolean {
  if (location.startsWith('//') || location.startsWith('/\\')) return false;
  let u: URL;
  try {
    u = new URL(location, GATEWAY);
  } catch {
    return false;
  }
  return u.origin === GATEWAY;
}

/**
 * `returnTo` accepts only same-origin relative paths: no open redirect.
 *
 * The check is made on the value that is finally sent in `Location`, as a
 * browser reads it: normalising with URL can itself produce `//host`
 * (`/.//evil.test` -> `//evil.test`), so the normalised result is checked
 * again, not only the input. Refused: absolute URLs, scheme-relative `//host`,
 * backslash tricks that browsers read as `/` (`/\host`), control characters
 * and whitespace (browsers drop tabs and newlines inside URLs), and anything
 * that resolves to another origin.
 */
const BASE = 'https://switchback.invalid';

/** True when `location`, resolved by a browser against any origin, stays on that origin. */
export function isSameOriginPath(location: string): boolean {
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(location)) return false;
  try {
    return new URL(location, BASE).origin === BASE;
  } catch {
    return false;
  }
}

export function safeReturnTo(raw: string | undefined | null, fallback = '/'): string {
  if (!raw || raw.length > 2048 || !isSameOriginPath(raw)) return fallback;
  const u = new URL(raw, BASE);
  const normalised = `${u.pathname}${u.search}${u.hash}`;
  return isSameOriginPath(normalised) ? normalised : fallback;
}

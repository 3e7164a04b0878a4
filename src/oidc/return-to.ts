/**
 * `returnTo` accepts only same-origin relative paths: no open redirect.
 *
 * Refused: absolute URLs, scheme-relative `//host`, backslash tricks that
 * browsers normalise to `//` (`/\host`), control characters, and anything
 * that resolves to another origin once parsed.
 */
const BASE = 'https://switchback.invalid';

export function safeReturnTo(raw: string | undefined | null, fallback = '/'): string {
  if (!raw || raw.length > 2048) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let u: URL;
  try {
    u = new URL(raw, BASE);
  } catch {
    return fallback;
  }
  if (u.origin !== BASE) return fallback;
  return `${u.pathname}${u.search}${u.hash}`;
}

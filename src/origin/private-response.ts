/**
 * A response to an authenticated request is about one person: no shared
 * cache (a CDN, a corporate proxy, Cloudflare's own cache) may store it and
 * serve it to someone else.
 *
 * The app's `Cache-Control` is kept as far as it is safe: `public`,
 * `s-maxage` and `proxy-revalidate` (which only speak to shared caches) are
 * dropped and `private` is added, so the browser may still cache what the app
 * allows. `Vary: Cookie, Authorization` is added for any cache that ignores
 * `private` but honours `Vary`.
 */
const SHARED_ONLY = new Set(['public', 's-maxage', 'proxy-revalidate']);

function directiveName(d: string): string {
  return d.split('=', 1)[0]!.trim().toLowerCase();
}

export function privateCacheControl(value: string | null): string {
  const kept = (value ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && !SHARED_ONLY.has(directiveName(d)) && directiveName(d) !== 'private');
  return ['private', ...kept].join(', ');
}

export function withVary(value: string | null, names: string[]): string {
  const have = (value ?? '').split(',').map((v) => v.trim()).filter(Boolean);
  if (have.includes('*')) return '*';
  const lower = new Set(have.map((v) => v.toLowerCase()));
  return [...have, ...names.filter((n) => !lower.has(n.toLowerCase()))].join(', ');
}

export function makePrivate(headers: Headers): void {
  headers.set('cache-control', privateCacheControl(headers.get('cache-control')));
  headers.set('vary', withVary(headers.get('vary'), ['Cookie', 'Authorization']));
}

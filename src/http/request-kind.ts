/**
 * Browser navigation or API call? Decides the error handler (Oathkeeper's
 * habit): a person gets a redirect or a page, a program gets JSON and
 * `WWW-Authenticate`.
 */
/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers
 * never send credentials on one (Fetch standard, CORS-preflight fetch), so it
 * cannot be authenticated; it is the app's to answer. One that does carry
 * credentials is not a browser preflight and is authenticated as usual.
 */
export function isCorsPreflight(req: Request): boolean {
  return req.method === 'OPTIONS' && req.headers.has('access-control-request-method') && !req.headers.has('authorization') && !req.headers.has('cookie');
}

export function isBrowserNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.has('authorization')) return false;
  const mode = req.headers.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (req.headers.get('accept') ?? '').includes('text/html');
}

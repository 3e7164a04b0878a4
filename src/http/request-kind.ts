/**
 * Browser navigation or API call? Decides the error handler (Oathkeeper's
 * habit): a person gets a redirect or a page, a program gets JSON and
 * `WWW-Authenticate`.
 */
/**
 * A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`. Browsers
 * never send credentials or a body on one (Fetch standard, CORS-preflight
 * fetch), so it cannot be authenticated; it is the app's to answer. One that
 * carries credentials or a body is not a browser preflight and is
 * authenticated as usual (an app may route OPTIONS to a catch-all handler).
 */
export function isCorsPreflight(req: Request): boolean {
  return req.method === 'OPTIONS' && req.headers.has('access-control-request-method') && !req.headers.has('authorization') && !req.headers.has('cookie') && !hasBody(req);
}

function hasBody(req: Request): boolean {
  const length = req.headers.get('content-length');
  return req.body !== null && length !== '0';
}

export function isBrowserNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.has('authorization')) return false;
  const mode = req.headers.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (req.headers.get('accept') ?? '').includes('text/html');
}

/**
 * Browser navigation or API call? Decides the error handler (Oathkeeper's
 * habit): a person gets a redirect or a page, a program gets JSON and
 * `WWW-Authenticate`.
 */
export function isBrowserNavigation(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.has('authorization')) return false;
  const mode = req.headers.get('sec-fetch-mode');
  if (mode) return mode === 'navigate';
  return (req.headers.get('accept') ?? '').includes('text/html');
}

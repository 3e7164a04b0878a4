/**
 * Requests a browser or a previewer makes without a person asking for the
 * page: prefetch and prerender (Sec-Purpose, or the older Purpose and
 * X-Purpose/X-Moz headers). A /login they fetch is still answered, but it is
 * no started login for the rollback rules: nobody is there to come back.
 * https://developer.mozilla.org/docs/Web/HTTP/Reference/Headers/Sec-Purpose
 */
export function isSpeculative(headers: Headers): boolean {
  const purpose = [headers.get('sec-purpose'), headers.get('purpose'), headers.get('x-purpose'), headers.get('x-moz')].filter((v): v is string => v !== null).join(',').toLowerCase();
  return /\b(prefetch|prerender|preview)\b/.test(purpose);
}

/**
 * Cross-site request refusal for browser-authenticated admin calls.
 * A browser signed in to Cloudflare Access sends its CF_Authorization cookie
 * (and Access adds Cf-Access-Jwt-Assertion) on any request to the gateway,
 * including a form another site posts: `curl -d`-style bodies are accepted
 * as JSON, so a page elsewhere could roll back or re-enable Olympus in an
 * engineer's name. Browsers say where a request comes from in
 * `Sec-Fetch-Site` (Fetch Metadata); only `same-origin` and `none` (typed
 * in, bookmarks) are let through. Bearer-token calls are not ambient
 * credentials and are not checked.
 */
export type FetchSite = 'same-origin' | 'same-site' | 'cross-site' | 'none';

const ALLOWED = { 'same-origin': true, none: true, 'same-site': false, 'cross-site': false } satisfies Record<FetchSite, boolean>;

/** True when a browser says the request was made by another origin. An absent header (not a browser, or an old one) passes. */
export function isCrossOriginBrowserRequest(secFetchSite: string | undefined): boolean {
  if (secFetchSite === undefined) return false;
  const v = secFetchSite.trim().toLowerCase();
  return !(v in ALLOWED && ALLOWED[v as FetchSite]);
}

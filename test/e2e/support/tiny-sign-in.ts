/**
 * Fetch-level sign-in through the gateway with dev/tiny-browser.ts, for e2e
 * tests that need real sessions but no Chromium: start at /login, fill the
 * IdP form, land back on the gateway, hand back the session cookie.
 */
import type { Stack } from '../../../dev/stack.ts';
import { TinyBrowser } from '../../../dev/tiny-browser.ts';

export interface SignedIn {
  browser: TinyBrowser;
  /** The sb_session cookie value, for requests made outside the browser's jar. */
  session: string;
}

export async function signInThroughGateway(stack: Stack, idp: 'auth0' | 'olympus', email: string, password: string): Promise<SignedIn> {
  const browser = new TinyBrowser();
  const login = await browser.navigate(`${stack.gatewayUrl}/login?returnTo=%2F`);
  if (!login.url.startsWith(`${stack[idp].url}/interaction/`)) throw new Error(`/login led to ${login.url}, expected the ${idp} stand-in`);
  const home = await browser.submitForm(login, { email, password });
  if (home.url !== `${stack.gatewayUrl}/` || home.status !== 200) throw new Error(`sign-in ended at ${home.url} (${home.status})`);
  const session = browser.cookiesFor(`${stack.gatewayUrl}/`)['__Host-sb_session'];
  if (!session) throw new Error('no sb_session cookie after sign-in');
  return { browser, session };
}

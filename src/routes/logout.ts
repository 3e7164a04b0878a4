/**
 * GET /logout: clear the session and end it at the provider that issued it
 * (OIDC RP-Initiated Logout, with the ID token kept in the session as
 * `id_token_hint`), coming back to the gateway's root.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { openSession } from '../verify/session.ts';
import { clearCookie, readCookie } from '../http/cookies.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { auth0LegacyLogoutUrl, endSessionUrl } from '../oidc/logout-request.ts';
import { publicBase } from '../http/public-url.ts';
import { log } from '../core/log.ts';

export const logout = new Hono<AppEnv>().get('/logout', async (c) => {
  const config = c.var.config;
  c.header('cache-control', 'no-store');
  const cookie = readCookie(c, config, 'session').value;
  clearCookie(c, config, 'session');
  const back = `${publicBase(config, c.req.raw)}/`;
  if (!cookie) return c.redirect('/', 302);
  let session;
  try {
    session = await openSession(config, cookie);
  } catch {
    return c.redirect('/', 302);
  }
  const provider = session.provider;
  const p = config.providers[provider];
  log('info', { event: 'logout', provider, id_token_hint: session.idToken !== undefined });
  try {
    const meta = await getProviderMetadata(p.issuer);
    if (meta.end_session_endpoint) return c.redirect(endSessionUrl(p, meta.end_session_endpoint, session.idToken, back), 302);
  } catch {
    // The local session is gone either way; the provider's may outlive it.
  }
  if (provider === 'auth0') return c.redirect(auth0LegacyLogoutUrl(p, back), 302);
  return c.redirect('/', 302);
});

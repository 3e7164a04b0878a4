/**
 * GET /logout: clear the session and end it at the provider that issued it
 * (OIDC RP-Initiated Logout), coming back to the gateway's root.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../src/env.ts';
import { readSession } from '../src/verify/session.ts';
import { clearCookie, readCookie } from '../src/http/cookies.ts';
import { getProviderMetadata } from '../src/providers/discovery.ts';
import { publicBase } from '../src/http/public-url.ts';
import { log } from '../src/core/log.ts';

export const logout = new Hono<AppEnv>().get('/logout', async (c) => {
  const config = c.var.config;
  c.header('cache-control', 'no-store');
  const cookie = readCookie(c, config, 'session').value;
  clearCookie(c, config, 'session');
  const back = `${publicBase(config, c.req.raw)}/`;
  if (!cookie) return c.redirect('/', 302);
  let provider;
  try {
    provider = (await readSession(config, cookie)).provider;
  } catch {
    return c.redirect('/', 302);
  }
  const p = config.providers[provider];
  log('info', { event: 'logout', provider });
  try {
    const meta = await getProviderMetadata(p.issuer);
    if (meta.end_session_endpoint) {
      const url = new URL(meta.end_session_endpoint);
      url.searchParams.set('client_id', p.clientId);
      url.searchParams.set('post_logout_redirect_uri', back);
      return c.redirect(url.toString(), 302);
    }
  } catch {
    // The local session is gone either way; the provider's may outlive it.
  }
  if (provider === 'auth0') {
    // Auth0 tenants without RP-initiated logout enabled use /v2/logout.
    const url = new URL('v2/logout', p.issuer.endsWith('/') ? p.issuer : `${p.issuer}/`);
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('returnTo', back);
    return c.redirect(url.toString(), 302);
  }
  return c.redirect('/', 302);
});

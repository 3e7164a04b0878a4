/**
 * GET /logout: clear the session and end it at the provider that issued it,
 * the way its kind does it (OIDC RP-Initiated Logout with the ID token kept in
 * the session as `id_token_hint`; Cognito's own /logout), coming back to the
 * gateway's root.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { openSession } from '../verify/session.ts';
import { clearCookie, readCookie } from '../http/cookies.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { kindOf } from '../providers/kinds/registry.ts';
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
  // The local session is gone either way; without discovery the provider's may outlive it.
  const meta = await getProviderMetadata(p.issuer).catch(() => undefined);
  const url = kindOf(p).logoutUrl(p, { meta, idToken: session.idToken, returnTo: back });
  return c.redirect(url ?? '/', 302);
});

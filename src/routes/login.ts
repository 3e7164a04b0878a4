/**
 * /login, /signup, /recovery: choose the provider from the flag and the
 * browser's cohort, open a login transaction, and send the browser there.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { loginFlag } from '../flag/controller-flag.ts';
import { clientKey, loginId } from '../telemetry/client-key.ts';
import { recordOutcome } from '../telemetry/outcome-recorder.ts';
import { isSpeculative } from '../telemetry/speculative-request.ts';
import { chooseProvider, type LoginIntent } from '../flag/routing-policy.ts';
import { isOlympusOnlyUser } from '../flag/olympus-only-lookup.ts';
import { parseLoginHint } from '../oidc/login-hint.ts';
import { COHORT_MAX_AGE_SECONDS, newCohort, parseCohort } from '../flag/cohort.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { preloadKeySet } from '../providers/key-set-cache.ts';
import { effectiveProvider } from '../providers/client-config.ts';
import { randomToken, s256Challenge } from '../oidc/pkce.ts';
import { safeReturnTo } from '../oidc/return-to.ts';
import { LOGIN_TTL_SECONDS, sealTransaction } from '../oidc/login-transaction.ts';
import { authorizationUrl } from '../oidc/authorization-request.ts';
import { readCookie, writeCookie } from '../http/cookies.ts';
import { publicBase } from '../http/public-url.ts';
import { identifierPage, page } from '../http/pages.ts';
import { log } from '../core/log.ts';
import { LEGACY } from '../core/provider-id.ts';

async function startLogin(c: Context<AppEnv>, intent: LoginIntent): Promise<Response> {
  const config = c.var.config;
  const client = await clientKey(c.req.raw, config);
  if (c.env.LOGIN_RATE_LIMITER) {
    // Fail open: a limiter error must not stop a sign-in.
    const { success } = await c.env.LOGIN_RATE_LIMITER.limit({ key: client }).catch(() => ({ success: true }));
    if (!success) {
      log('warn', { event: 'login_rate_limited', reason: 'rate_limited', client });
      return c.html(page('Too many sign-in attempts', 'Please wait a minute and try again.', { href: c.req.url, text: 'Try again' }), 429, { 'retry-after': '60' });
    }
  }
  const { flag } = await loginFlag(c.env, config.flagCacheTtlMs);
  const stored = readCookie(c, config, 'cohort');
  let cohort = parseCohort(stored.value);
  if (cohort === undefined) cohort = newCohort();
  // A new browser, or one still carrying the pre-`__Host-` name: (re)issue under the current name.
  if (cohort !== parseCohort(stored.value) || stored.legacy) writeCookie(c, config, 'cohort', String(cohort), COHORT_MAX_AGE_SECONDS);
  c.header('cache-control', 'no-store');
  const rawHint = c.req.query('login_hint');
  const loginHint = parseLoginHint(rawHint);
  let provider = chooseProvider(flag, intent, cohort);
  // The cohort says Auth0 while Olympus is on: someone who exists only in Olympus must still get there.
  if (provider === LEGACY && flag.enabled && intent !== 'signup') {
    if (loginHint !== undefined) {
      if (await isOlympusOnlyUser(c.env, loginHint)) {
        provider = chooseProvider(flag, intent, cohort, true);
        log('info', { event: 'login_routed_by_hint', provider, intent });
      }
    } else if (config.identifierFirst && intent === 'login' && rawHint === undefined) {
      return c.html(identifierPage(safeReturnTo(c.req.query('returnTo'))), 200);
    }
  }
  let p;
  try {
    p = await effectiveProvider(config, c.env, c.env.SWITCHBACK_KV, provider, flag.client_config_version);
  } catch (err) {
    log('error', { event: 'login_failed', provider, reason: 'client_config_invalid', error: String(err) });
    return c.html(page('Sign-in is temporarily unavailable', 'Sign-in is being reconfigured. Please try again in a moment.', { href: c.req.url, text: 'Try again' }), 503);
  }
  if (intent === 'recovery' && p.recoveryUrl) {
    log('info', { event: 'recovery_started', provider });
    return c.redirect(p.recoveryUrl, 302);
  }
  let meta;
  try {
    meta = await getProviderMetadata(p.issuer);
  } catch (err) {
    log('error', { event: 'login_failed', provider, reason: 'provider_unavailable', error: String(err) });
    return c.html(page('Sign-in is temporarily unavailable', 'We could not reach the sign-in service. Please try again in a moment.', { href: c.req.url, text: 'Try again' }), 503);
  }
  const state = randomToken();
  const nonce = randomToken();
  const codeVerifier = randomToken(48);
  const redirectUri = `${publicBase(config, c.req.raw)}/callback`;
  const returnTo = safeReturnTo(c.req.query('returnTo'));
  const sealed = await sealTransaction(config, { provider, state, nonce, codeVerifier, returnTo, intent, redirectUri, startedAt: Date.now(), clientConfigVersion: p.clientConfigVersion });
  writeCookie(c, config, 'login', sealed, LOGIN_TTL_SECONDS);
  c.executionCtx.waitUntil(preloadKeySet(p.issuer, meta.jwks_uri).catch(() => undefined));
  // A prefetch or a link preview starts no counted login: nobody will come back from it.
  if (!isSpeculative(c.req.raw.headers)) recordOutcome(c.env, c.executionCtx, { k: 'login_started', id: await loginId(state), provider, client, at: Date.now() });
  log('info', { event: 'login_started', provider, intent, flag_version: flag.version });
  return c.redirect(authorizationUrl(p, meta, { redirectUri, state, nonce, codeChallenge: await s256Challenge(codeVerifier), intent, loginHint }), 302);
}

export const login = new Hono<AppEnv>()
  .get('/login', (c) => startLogin(c, 'login'))
  .get('/signup', (c) => startLogin(c, 'signup'))
  .get('/recovery', (c) => startLogin(c, 'recovery'));

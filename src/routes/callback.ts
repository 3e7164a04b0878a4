/**
 * GET /callback, for both providers: open the login transaction, settle it
 * once with the controller (a replayed login cookie is refused), check the
 * response (state, RFC 9207 iss), redeem the code with the PKCE verifier,
 * validate the ID token (issuer, audience, expiry, nonce, algorithms), and
 * start the session.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { openTransaction, TransactionError } from '../oidc/login-transaction.ts';
import { checkAuthorizationResponse } from '../oidc/authorization-response.ts';
import { exchangeCode, CodeExchangeError } from '../oidc/code-exchange.ts';
import { getProviderMetadata } from '../providers/discovery.ts';
import { effectiveProvider } from '../providers/client-config.ts';
import { validateIdToken } from '../verify/id-token-validator.ts';
import { createSession } from '../verify/session.ts';
import { VerifyError } from '../verify/verify-error.ts';
import { clearCookie, readCookie, writeCookie } from '../http/cookies.ts';
import { COHORT_MAX_AGE_SECONDS, OLYMPUS_SIGNUP_COHORT } from '../flag/cohort.ts';
import { page } from '../http/pages.ts';
import { log } from '../core/log.ts';
import { clientKey, loginId } from '../telemetry/client-key.ts';
import { recordOutcome } from '../telemetry/outcome-recorder.ts';
import { settleLogin } from '../telemetry/login-settlement.ts';
import { constantTimeEqual } from '../core/bytes.ts';
import type { LoginTransaction } from '../oidc/login-transaction.ts';
import { safeReturnTo } from '../oidc/return-to.ts';
import { emailVerifiedOf } from '../verify/principal.ts';

const START_AGAIN = { href: '/login', text: 'Sign in again' };

/** One login outcome for the controller's funnel, off the hot path; only for the callback that settled the login. */
async function outcome(c: Context<AppEnv>, txn: LoginTransaction, settled: boolean, result: 'succeeded' | 'failed', reason?: string): Promise<void> {
  if (!settled) return;
  const client = await clientKey(c.req.raw, c.var.config);
  recordOutcome(c.env, c.executionCtx, { k: 'login_outcome', id: await loginId(txn.state), provider: txn.provider, client, outcome: result, reason, at: Date.now() });
}

export const callback = new Hono<AppEnv>().get('/callback', async (c) => {
  const config = c.var.config;
  c.header('cache-control', 'no-store');
  if (c.env.CALLBACK_RATE_LIMITER) {
    const client = await clientKey(c.req.raw, config);
    // Fail open: a limiter error must not stop a sign-in.
    const { success } = await c.env.CALLBACK_RATE_LIMITER.limit({ key: client }).catch(() => ({ success: true }));
    if (!success) {
      log('warn', { event: 'callback_rate_limited', reason: 'rate_limited', client });
      return c.html(page('Too many sign-in attempts', 'Please wait a minute and try again.', START_AGAIN), 429, { 'retry-after': '60' });
    }
  }
  let txn;
  try {
    txn = await openTransaction(config, readCookie(c, config, 'login').value);
  } catch (err) {
    const reason = err instanceof TransactionError ? err.message : 'login_cookie_invalid';
    log('info', { event: 'login_failed', reason });
    return c.html(page('Sign-in could not be completed', 'This sign-in link has expired or was already used. Please start again.', START_AGAIN), 400);
  }
  // A login transaction counts once. Only a response carrying its state can settle it (another one is refused
  // below, uncounted); the first settles, a replay of the cookie is refused before anything is counted or redeemed.
  // Only that response ends the transaction: a link to /callback with another state, from any site, must not
  // abort a sign-in in progress, so the login cookie is kept for the real response.
  let settled = false;
  if (constantTimeEqual(c.req.query('state') ?? '', txn.state)) {
    clearCookie(c, config, 'login');
    const s = await settleLogin(c.env, await loginId(txn.state));
    if (s.settlement === 'replayed') {
      log('warn', { event: 'login_failed', provider: txn.provider, reason: 'login_replayed' });
      return c.html(page('Sign-in could not be completed', 'This sign-in link has expired or was already used. Please start again.', START_AGAIN), 400);
    }
    settled = s.settlement === 'first';
    if (s.settlement === 'unknown') log('warn', { event: 'login_outcome_not_counted', provider: txn.provider, reason: s.reason });
  }
  let p;
  let meta;
  try {
    p = await effectiveProvider(config, c.env, c.env.SWITCHBACK_KV, txn.provider, txn.clientConfigVersion);
    meta = await getProviderMetadata(p.issuer);
  } catch {
    log('error', { event: 'login_failed', provider: txn.provider, reason: 'provider_unavailable' });
    await outcome(c, txn, settled, 'failed', 'provider_unavailable');
    return c.html(page('Sign-in is temporarily unavailable', 'We could not reach the sign-in service. Please try again in a moment.', START_AGAIN), 503);
  }
  const check = checkAuthorizationResponse(new URL(c.req.url).searchParams, txn, p, meta);
  if (!check.ok) {
    log('info', { event: 'login_failed', provider: p.id, reason: check.reason, error: check.error });
    // A bad state or iss is an attack or a stale tab, not the provider failing: only provider errors count.
    if (check.reason === 'provider_error') await outcome(c, txn, settled, 'failed', `provider_${check.error}`);
    const denied = check.reason === 'provider_error';
    return c.html(page('Sign-in failed', denied ? 'The sign-in was not completed. Please try again.' : 'This sign-in response could not be verified. Please start again.', START_AGAIN), denied ? 401 : 400);
  }
  let claims;
  let idToken: string;
  try {
    const tokens = await exchangeCode(p, meta, check.code, txn.redirectUri, txn.codeVerifier);
    claims = await validateIdToken(config, p, meta, tokens.id_token, txn.nonce);
    idToken = tokens.id_token;
  } catch (err) {
    const reason = err instanceof VerifyError ? `id_token_${err.reason}` : err instanceof CodeExchangeError ? err.reason : 'code_exchange_failed';
    log('warn', { event: 'login_failed', provider: p.id, reason, detail: err instanceof VerifyError ? err.detail : undefined });
    await outcome(c, txn, settled, 'failed', reason);
    return c.html(page('Sign-in failed', 'We could not complete your sign-in. Please try again.', START_AGAIN), 502);
  }
  const name = typeof claims.name === 'string' ? claims.name : undefined;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const expiresAt = Math.floor(Date.now() / 1000) + config.sessionTtlSeconds;
  writeCookie(c, config, 'session', await createSession(config, { provider: p.id, issuer: p.issuer, sub: claims.sub, email, emailVerified: emailVerifiedOf(claims), name, expiresAt, idToken }), config.sessionTtlSeconds);
  // An account made in Olympus exists only there: this browser's next logins must land there at any percent.
  if (txn.intent === 'signup' && p.id === 'olympus') writeCookie(c, config, 'cohort', String(OLYMPUS_SIGNUP_COHORT), COHORT_MAX_AGE_SECONDS);
  await outcome(c, txn, settled, 'succeeded');
  log('info', { event: 'login_succeeded', provider: p.id, intent: txn.intent, duration_ms: Date.now() - txn.startedAt });
  // Checked again on the value actually sent: a sealed cookie from an older release may hold one the current rules refuse.
  return c.redirect(safeReturnTo(txn.returnTo), 302);
});

/**
 * Everything else: authenticate -> forward to ORIGIN_URL with identity headers
 * (mutate), or answer with the error handler that fits the caller.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../src/env.ts';
import { authenticate } from '../src/verify/authenticator.ts';
import { clearCookie, readCookie } from '../src/http/cookies.ts';
import { readFlag } from '../src/flag/flag-store.ts';
import { loginFlag } from '../src/flag/flag-source.ts';
import { isPublicPath } from '../src/origin/public-paths.ts';
import { originRequest } from '../src/origin/origin-request.ts';
import { setIdentityHeaders } from '../src/origin/identity-headers.ts';
import { gatewayAssertion } from '../src/origin/gateway-assertion.ts';
import { isBrowserNavigation, isCorsPreflight } from '../src/http/request-kind.ts';
import { makePrivate } from '../src/origin/private-response.ts';
import { sessionExpiredPage } from '../src/http/pages.ts';
import { unauthorizedJson, wireErrorFor } from '../src/http/wire-error.ts';
import { publicBase } from '../src/http/public-url.ts';
import type { Principal } from '../src/verify/principal.ts';
import { log } from '../src/core/log.ts';
import { clientKey } from '../src/telemetry/client-key.ts';
import { recordOutcome } from '../src/telemetry/outcome-recorder.ts';
import type { CallerProvider } from '../src/controller/outcome-events.ts';
import { providerForIssuer } from '../src/verify/access-token-verifier.ts';
import { problem } from '../src/http/problem.ts';

/** Counts a proxied request for the API error rate, split by the provider of the caller's credential. */
async function countApi(c: Context<AppEnv>, provider: CallerProvider, error: boolean): Promise<void> {
  const client = await clientKey(c.req.raw, c.var.config);
  recordOutcome(c.env, c.executionCtx, { k: 'api', provider, client, error, n: 1, at: Date.now() });
}

async function forward(c: Context<AppEnv>, principal: Principal | undefined): Promise<Response> {
  const config = c.var.config;
  const req = c.req.raw;
  const { url, headers } = originRequest(req, config.originUrl);
  if (principal) {
    const assertion = await gatewayAssertion(config.signingKey, publicBase(config, req), config.originUrl, principal);
    setIdentityHeaders(headers, principal, assertion);
  }
  try {
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    // An answer for one person is never stored in Cloudflare's cache on the way back either.
    const res = await fetch(url, { method: req.method, headers, body: hasBody ? req.body : undefined, redirect: 'manual', ...(principal ? { cache: 'no-store' as const } : {}) });
    await countApi(c, principal?.provider ?? 'anonymous', res.status >= 500);
    const out = new Response(res.body, res);
    if (principal) makePrivate(out.headers);
    return out;
  } catch (err) {
    log('error', { event: 'origin_failed', reason: 'origin_unreachable', error: String(err) });
    await countApi(c, principal?.provider ?? 'anonymous', true);
    return problem(c, 'origin_unavailable', 'The application could not be reached.');
  }
}

export const proxy = new Hono<AppEnv>().all('*', async (c) => {
  const config = c.var.config;
  const req = c.req.raw;
  if (isPublicPath(new URL(req.url).pathname, config.publicPaths) || isCorsPreflight(req)) return forward(c, undefined);
  const result = await authenticate(
    config,
    { sessionCookie: readCookie(c, config, 'session').value, authorization: req.headers.get('authorization') ?? undefined },
    { current: () => readFlag(c.env.SWITCHBACK_KV, config.flagCacheTtlMs), authoritative: () => loginFlag(c.env, config.flagCacheTtlMs) },
  );
  if (result.kind === 'authenticated') {
    c.set('principal', result.principal);
    return forward(c, result.principal);
  }
  if (result.clearSession) clearCookie(c, config, 'session');
  const browser = isBrowserNavigation(req);
  const url = new URL(req.url);
  const loginHref = `/login?returnTo=${encodeURIComponent(url.pathname + url.search)}`;
  if (result.kind === 'anonymous') {
    if (browser) return c.redirect(loginHref, 302);
    return withCookies(c, unauthorizedJson(undefined));
  }
  const wire = wireErrorFor(result.reason);
  // The gateway failing to verify (IdP keys or introspection unreachable) is an API error of that provider;
  // its own flag store failing is not the provider's fault and must not count toward a rollback.
  if (wire === 'temporarily_unavailable' && result.reason !== 'flag_unavailable') await countApi(c, providerForIssuer(config, result.issuer)?.id ?? 'anonymous', true);
  if (browser && wire === 'session_expired') return c.html(sessionExpiredPage(loginHref), 401, { 'cache-control': 'no-store' });
  return withCookies(c, unauthorizedJson(wire));
});

/** Carries Set-Cookie headers Hono collected on the context onto a hand-built response. */
function withCookies(c: Context<AppEnv>, res: Response): Response {
  for (const v of c.res.headers.getSetCookie()) res.headers.append('set-cookie', v);
  return res;
}

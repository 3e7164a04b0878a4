/**
 * Everything else: authenticate -> forward to ORIGIN_URL with identity headers
 * (mutate), or answer with the error handler that fits the caller.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env.ts';
import { authenticate } from '../verify/authenticator.ts';
import { clearCookie, readCookie } from '../http/cookies.ts';
import { readFlag } from '../flag/kv-flag.ts';
import { loginFlag } from '../flag/controller-flag.ts';
import { isPublicPath } from '../origin/public-paths.ts';
import { originRequest } from '../origin/origin-request.ts';
import { providerHeaderValue, setIdentityHeaders } from '../origin/identity-headers.ts';
import { gatewayAssertion } from '../origin/gateway-assertion.ts';
import { isBrowserNavigation, isCorsPreflight } from '../http/request-kind.ts';
import { makePrivate } from '../origin/private-response.ts';
import { sessionExpiredPage } from '../http/pages.ts';
import { unauthorizedJson, wireErrorFor } from '../http/wire-error.ts';
import { publicBase } from '../http/public-url.ts';
import type { Principal } from '../verify/principal.ts';
import { log } from '../core/log.ts';
import { clientKey } from '../telemetry/client-key.ts';
import { recordOutcome } from '../telemetry/outcome-recorder.ts';
import type { CallerProvider } from '../rollback/outcome-events.ts';
import { providerForIssuer } from '../verify/access-token-verifier.ts';
import { problem } from '../http/problem.ts';

/** Counts a proxied request for the API error rate, split by the provider of the caller's credential. */
async function countApi(c: Context<AppEnv>, provider: CallerProvider, error: boolean): Promise<void> {
  const client = await clientKey(c.req.raw, c.get('config'));
  recordOutcome(c.env, c.executionCtx, { k: 'api', provider, client, error, n: 1, at: Date.now() });
}

async function forward(c: Context<AppEnv>, principal: Principal | undefined, incoming: URL): Promise<Response> {
  const config = c.get('config');
  const req = c.req.raw;
  const { url, headers } = originRequest(req, config.originUrl, incoming);
  if (principal) {
    const idp = providerHeaderValue(config, principal.provider);
    const assertion = await gatewayAssertion(config.signingKey, publicBase(config, req), config.originUrl, principal, idp);
    setIdentityHeaders(headers, principal, assertion, idp);
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

// c.get(), not c.var: Hono builds a new object of every variable on each c.var read.
export const proxy = new Hono<AppEnv>().all('*', async (c) => {
  const config = c.get('config');
  const req = c.req.raw;
  const url = new URL(req.url);
  if (isPublicPath(url.pathname, config.publicPaths) || isCorsPreflight(req)) return forward(c, undefined, url);
  const result = await authenticate(
    config,
    { sessionCookie: readCookie(c, config, 'session').value, authorization: req.headers.get('authorization') ?? undefined },
    { current: () => readFlag(c.env.SWITCHBACK_KV, config.flagCacheTtlMs), authoritative: () => loginFlag(c.env, config.flagCacheTtlMs) },
  );
  if (result.kind === 'authenticated') {
    c.set('principal', result.principal);
    return forward(c, result.principal, url);
  }
  if (result.clearSession) clearCookie(c, config, 'session');
  const browser = isBrowserNavigation(req);
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

// The demo origin's routes as a Hono app: renders the identity headers
// switchback injects and offers the JSON endpoints tests use to check header
// injection/stripping and error handling.
import { Hono } from 'hono';
import { json } from '../json-reply.ts';
import { assertionVerifier, describeAssertion } from './assertion.ts';
import { homePage, type Identity } from './page.ts';

export interface OriginAppOptions {
  /** Gateway public URL, used to verify X-Auth-Assertion (issuer + JWKS). */
  gatewayUrl?: string;
}

function identityOf(headers: Headers): Identity {
  const h = (name: string) => headers.get(name) ?? undefined;
  return { sub: h('x-auth-sub'), provider: h('x-auth-provider'), email: h('x-auth-email'), issuer: h('x-auth-issuer') };
}

/** `hits` counts requests served, by path (for tests/benchmarks). */
export function createOriginApp(options: OriginAppOptions = {}): { app: Hono; hits: Map<string, number> } {
  const verify = assertionVerifier(options.gatewayUrl?.replace(/\/$/, ''));
  const hits = new Map<string, number>();
  const app = new Hono();
  app.use(async (c, next) => {
    hits.set(c.req.path, (hits.get(c.req.path) ?? 0) + 1);
    // `?delay_ms=N` (0..2000): answer after N ms, as an app doing real work would (bench:hotpath's HOTPATH_ORIGIN_DELAY_MS).
    const delay = c.req.query('delay_ms');
    if (delay !== undefined) {
      const ms = Number(delay);
      if (!Number.isInteger(ms) || ms < 0 || ms > 2000) return json(c, 400, { error: 'delay_ms must be a whole number of milliseconds from 0 to 2000' });
      await new Promise((r) => setTimeout(r, ms));
    }
    await next();
  });
  app.all('/', async (c) => {
    const assertion = describeAssertion(await verify(c.req.header('x-auth-assertion')));
    return c.html(homePage(identityOf(c.req.raw.headers), assertion), 200, { 'cache-control': 'no-store' });
  });
  app.all('/api/whoami', async (c) => {
    const status = await verify(c.req.header('x-auth-assertion'));
    return json(c, 200, {
      ...identityOf(c.req.raw.headers),
      assertion: describeAssertion(status),
      assertionClaims: status.state === 'valid' ? status.claims : undefined,
    });
  });
  app.all('/api/health', (c) => json(c, 200, { ok: true }));
  // Not a public path: the gateway authenticates it. The same few bytes whatever the request carries, so a
  // benchmark's answer is no bigger through the gateway (identity headers) than through a bare proxy (bench:hotpath).
  app.all('/api/ok', (c) => json(c, 200, { ok: true }));
  app.all('/api/echo-headers', (c) => {
    const url = new URL(c.req.url);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, name) => (headers[name] = value));
    return json(c, 200, { method: c.req.method, url: url.pathname + url.search, headers });
  });
  app.all('/api/fail', (c) => json(c, 500, { error: 'intentional failure from the demo origin' }));
  app.notFound((c) => json(c, 404, { error: 'not found', path: c.req.path }));
  app.onError((err, c) => {
    console.error('[origin]', err);
    return json(c, 500, { error: 'origin crashed' });
  });
  return { app, hits };
}

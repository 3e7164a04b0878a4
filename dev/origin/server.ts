// A small demo app used as ORIGIN_URL behind the gateway: renders the identity
// headers switchback injects and offers JSON endpoints that tests use to check
// header injection/stripping and error handling.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, sendHtml, sendJson } from '../http-util.ts';
import { assertionVerifier, describeAssertion } from './assertion.ts';
import { homePage, type Identity } from './page.ts';

export interface OriginOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Gateway public URL, used to verify X-Auth-Assertion (issuer + JWKS). */
  gatewayUrl?: string;
}

export interface OriginHandle {
  url: string;
  port: number;
  /** Requests served, by path (for tests/benchmarks). */
  hits: Map<string, number>;
  stop(): Promise<void>;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function identityOf(req: IncomingMessage): Identity {
  return {
    sub: header(req, 'x-auth-sub'),
    provider: header(req, 'x-auth-provider'),
    email: header(req, 'x-auth-email'),
    issuer: header(req, 'x-auth-issuer'),
  };
}

export async function startOrigin(options: OriginOptions = {}): Promise<OriginHandle> {
  const verify = assertionVerifier(options.gatewayUrl?.replace(/\/$/, ''));
  const hits = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    switch (pathname) {
      case '/': {
        const assertion = describeAssertion(await verify(header(req, 'x-auth-assertion')));
        return sendHtml(res, 200, homePage(identityOf(req), assertion));
      }
      case '/api/whoami': {
        const status = await verify(header(req, 'x-auth-assertion'));
        return sendJson(res, 200, {
          ...identityOf(req),
          assertion: describeAssertion(status),
          assertionClaims: status.state === 'valid' ? status.claims : undefined,
        });
      }
      case '/api/health':
        return sendJson(res, 200, { ok: true });
      case '/api/echo-headers':
        return sendJson(res, 200, { method: req.method, url: req.url, headers: req.headers });
      case '/api/fail':
        return sendJson(res, 500, { error: 'intentional failure from the demo origin' });
      default:
        return sendJson(res, 404, { error: 'not found', path: pathname });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[origin]', err);
      if (!res.headersSent) sendJson(res, 500, { error: 'origin crashed' });
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenLocal(server, options.port ?? 0);
  return { url: `http://127.0.0.1:${port}`, port, hits, stop: () => closeServer(server) };
}

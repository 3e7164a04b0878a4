// A local stand-in for the Ory Kratos admin API (Olympus runs Kratos as SaaS,
// so there is nothing to run locally), following Kratos' published contract:
// GET /admin/identities (keyset pagination + Link header, filters,
// include_credential), GET /admin/identities/{id}, GET /admin/courier/messages,
// herodot error JSON, and Go's plain-text 404/405 for unknown routes. Tests
// drive faults (500/503, dropped connections, latency, "down") through the
// returned handle.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, sendJson } from '../http-util.ts';
import { listCourierMessages, makeCourierMessage, type CourierMessage, type CourierMessageSeed } from './courier.ts';
import { isCredentialType, type CredentialType, type KratosIdentity } from './identity-types.ts';
import { identityView } from './identity-view.ts';
import { KratosHttpError, badRequest, sendKratosError } from './kratos-error.ts';
import { MAX_PAGE_SIZE, type LinkStyle } from './keyset-page.ts';
import { listIdentities } from './list-identities.ts';
import { FaultInjector, recordCall, type FaultOptions, type RecordedCall, type RequestMatcher } from './stand-in-faults.ts';

export interface KratosAdminOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  identities?: Iterable<KratosIdentity>;
  courierMessages?: Iterable<CourierMessageSeed>;
  /** Largest page_size honoured; larger requests are capped (Kratos: 1000). */
  pageSizeMax?: number;
  failures?: FaultOptions;
  /** When set, requests need `Authorization: Bearer <apiKey>` (as on Ory Network); self-hosted Kratos has none. */
  apiKey?: string;
  /** Link header style; Kratos ≥ 1.1 emits relative links (default). */
  linkStyle?: LinkStyle;
  /** true shows courier message bodies (Kratos --dev); default redacts them like production. */
  courierDevMode?: boolean;
}

export interface KratosAdminHandle {
  url: string;
  port: number;
  /** Live store, keyed by identity id; tests may add or remove entries at any time. */
  identities: Map<string, KratosIdentity>;
  courierMessages: CourierMessage[];
  calls: RecordedCall[];
  faults: FaultInjector;
  addIdentities(list: Iterable<KratosIdentity>): void;
  addCourierMessage(seed: CourierMessageSeed): CourierMessage;
  failNext(count: number, status?: number, match?: RequestMatcher): void;
  setLatency(ms: number): void;
  /** true: stop listening and drop open connections (clients get ECONNREFUSED); false: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

function sendGoText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseDeclassify(url: URL): CredentialType[] {
  return url.searchParams.getAll('include_credential').map((v) => {
    if (!isCredentialType(v)) throw badRequest(`Invalid value \`${v}\` for parameter \`include_credential\`.`);
    return v;
  });
}

export async function startKratosAdmin(options: KratosAdminOptions = {}): Promise<KratosAdminHandle> {
  const pageSizeMax = options.pageSizeMax ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSizeMax) || pageSizeMax < 1) throw new Error(`startKratosAdmin: pageSizeMax must be a positive integer, got ${pageSizeMax}`);
  const linkStyle = options.linkStyle ?? 'relative';
  const identities = new Map<string, KratosIdentity>();
  const addIdentities = (list: Iterable<KratosIdentity>) => {
    for (const identity of list) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(identity.id)) {
        throw new Error(`startKratosAdmin: identity id must be a lowercase UUID, got ${identity.id}`);
      }
      identities.set(identity.id, identity);
    }
  };
  addIdentities(options.identities ?? []);
  const courierMessages = [...(options.courierMessages ?? [])].map(makeCourierMessage);
  const calls: RecordedCall[] = [];
  const faults = new FaultInjector(options.failures);
  let baseUrl = '';

  const route = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/admin/identities') {
      if (!isGet) return sendGoText(res, 405, 'Method Not Allowed');
      const page = listIdentities(identities, url, { baseUrl, pageSizeMax, linkStyle });
      res.setHeader('link', page.link);
      return sendJson(res, 200, page.body);
    }
    const item = /^\/admin\/identities\/([^/]+)$/.exec(path);
    if (item) {
      if (!isGet) return sendGoText(res, 405, 'Method Not Allowed');
      const identity = identities.get(safeDecode(item[1]!).toLowerCase());
      if (!identity) throw new KratosHttpError(404);
      return sendJson(res, 200, identityView(identity, baseUrl, { load: true, declassify: parseDeclassify(url) }));
    }
    if (path === '/admin/courier/messages') {
      if (!isGet) return sendGoText(res, 405, 'Method Not Allowed');
      const page = listCourierMessages(courierMessages, url, { pageSizeMax, linkStyle, devMode: options.courierDevMode ?? false });
      res.setHeader('link', page.link);
      res.setHeader('x-total-count', String(page.total));
      return sendJson(res, 200, page.body);
    }
    const message = /^\/admin\/courier\/messages\/([^/]+)$/.exec(path);
    if (message && isGet) {
      const found = courierMessages.find((m) => m.id === message[1]);
      if (!found) throw new KratosHttpError(404);
      return sendJson(res, 200, options.courierDevMode ? found : { ...found, body: '<redacted-unless-dev-mode>' });
    }
    return sendGoText(res, 404, '404 page not found');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', baseUrl);
    recordCall(calls, req, res, url);
    await faults.delay();
    const fault = faults.take(req.method ?? 'GET', url.pathname);
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault) throw new KratosHttpError(fault.status);
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      throw new KratosHttpError(401, 'The API key is missing or invalid.');
    }
    route(req, res, url);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof KratosHttpError) return sendKratosError(res, err);
      console.error('[kratos-admin]', err);
      sendKratosError(res, new KratosHttpError(500, err instanceof Error ? err.message : String(err)));
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenLocal(server, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    identities,
    courierMessages,
    calls,
    faults,
    addIdentities,
    addCourierMessage(seed) {
      const msg = makeCourierMessage(seed);
      courierMessages.push(msg);
      return msg;
    },
    failNext: (count, status, match) => faults.failNext(count, status, match),
    setLatency: (ms) => faults.setLatency(ms),
    async setDown(down) {
      if (down) return closeServer(server);
      if (!server.listening) await listenLocal(server, port);
    },
    stop: () => closeServer(server),
  };
}

// The Kratos admin API stand-in's routes as a Hono app, with its live state
// and test controls (faults, latency); server.ts serves it on 127.0.0.1.
// Kratos' published contract: GET /admin/identities (keyset pagination + Link
// header, filters, include_credential), GET /admin/identities/{id},
// GET /admin/courier/messages, herodot error JSON, and Go's plain-text
// 404/405 for unknown routes.
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { DroppedConnection, dropConnection, json } from '../json-reply.ts';
import { listCourierMessages, makeCourierMessage, type CourierMessage, type CourierMessageSeed } from './courier.ts';
import { isCredentialType, type CredentialType, type KratosIdentity } from './identity-types.ts';
import { identityView } from './identity-view.ts';
import { KratosHttpError, badRequest, kratosErrorBody } from './kratos-error.ts';
import { MAX_PAGE_SIZE, type LinkStyle } from './keyset-page.ts';
import { listIdentities } from './list-identities.ts';
import { FaultInjector, recordRequest, type FaultOptions, type RecordedCall, type RequestMatcher } from './stand-in-faults.ts';

export interface KratosAdminAppOptions {
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

export interface KratosAdmin {
  /** Live store, keyed by identity id; tests may add or remove entries at any time. */
  identities: Map<string, KratosIdentity>;
  courierMessages: CourierMessage[];
  calls: RecordedCall[];
  faults: FaultInjector;
  addIdentities(list: Iterable<KratosIdentity>): void;
  addCourierMessage(seed: CourierMessageSeed): CourierMessage;
  failNext(count: number, status?: number, match?: RequestMatcher): void;
  setLatency(ms: number): void;
}

type Env = { Bindings: Partial<HttpBindings> };

function goText(c: Context, status: number, text: string): Response {
  return c.body(`${text}\n`, status as 404 | 405, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
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

export function createKratosAdminApp(baseUrl: string, options: KratosAdminAppOptions = {}): { app: Hono<Env>; admin: KratosAdmin } {
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

  const route = (c: Context<Env>, url: URL): Response => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isGet = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (path === '/admin/identities') {
      if (!isGet) return goText(c, 405, 'Method Not Allowed');
      const page = listIdentities(identities, url, { baseUrl, pageSizeMax, linkStyle });
      c.header('link', page.link);
      return json(c, 200, page.body);
    }
    const item = /^\/admin\/identities\/([^/]+)$/.exec(path);
    if (item) {
      if (!isGet) return goText(c, 405, 'Method Not Allowed');
      const identity = identities.get(safeDecode(item[1]!).toLowerCase());
      if (!identity) throw new KratosHttpError(404);
      return json(c, 200, identityView(identity, baseUrl, { load: true, declassify: parseDeclassify(url) }));
    }
    if (path === '/admin/courier/messages') {
      if (!isGet) return goText(c, 405, 'Method Not Allowed');
      const page = listCourierMessages(courierMessages, url, { pageSizeMax, linkStyle, devMode: options.courierDevMode ?? false });
      c.header('link', page.link);
      c.header('x-total-count', String(page.total));
      return json(c, 200, page.body);
    }
    const message = /^\/admin\/courier\/messages\/([^/]+)$/.exec(path);
    if (message && isGet) {
      const found = courierMessages.find((m) => m.id === message[1]);
      if (!found) throw new KratosHttpError(404);
      return json(c, 200, options.courierDevMode ? found : { ...found, body: '<redacted-unless-dev-mode>' });
    }
    return goText(c, 404, '404 page not found');
  };

  const app = new Hono<Env>();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const call = recordRequest(calls, c.req.method, url);
    try {
      await faults.delay();
      const fault = faults.take(c.req.method, url.pathname);
      if (fault?.kind === 'drop') dropConnection(c.env);
      if (fault) throw new KratosHttpError(fault.status);
      if (options.apiKey !== undefined && c.req.header('authorization') !== `Bearer ${options.apiKey}`) {
        throw new KratosHttpError(401, 'The API key is missing or invalid.');
      }
      const res = route(c, url);
      call.status = res.status;
      return res;
    } catch (err) {
      if (err instanceof DroppedConnection) throw err;
      const known = err instanceof KratosHttpError ? err : new KratosHttpError(500, err instanceof Error ? err.message : String(err));
      if (!(err instanceof KratosHttpError)) console.error('[kratos-admin]', err);
      call.status = known.code;
      return json(c, known.code, kratosErrorBody(known.code, known.message, known.reason));
    }
  });
  app.onError((err) => {
    throw err;
  });

  const admin: KratosAdmin = {
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
  };
  return { app, admin };
}

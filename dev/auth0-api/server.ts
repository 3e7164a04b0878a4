// A local stand-in for an Auth0 tenant's Management API v2 and Authentication
// API (Auth0 is SaaS only), following Auth0's published contracts closely:
// client-credentials tokens, the user/ticket/job/connection endpoints the
// reconcile command uses, bulk import jobs with their limits, the change
// password email path, token-bucket rate limits with x-ratelimit-* headers and
// 429s, and fault injection (5xx, dropped connections, latency, down).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, sendJson } from '../http-util.ts';
import { FaultInjector, recordCall, type FaultOptions, type RecordedCall, type RequestMatcher } from '../kratos-admin/stand-in-faults.ts';
import { AuthApiError, ManagementApiError, TOO_MANY_REQUESTS, injectedManagementError, sendApiError } from './auth0-errors.ts';
import { changePassword } from './change-password.ts';
import { makeConnection, type Auth0Connection, type ConnectionOptions } from './connections.ts';
import { ImportJobs, type ImportJob, type ImportJobTiming } from './import-jobs.ts';
import { routeManagement, type ManagementContext } from './management-routes.ts';
import { DEFAULT_AUTH0_CLIENT, TokenIssuer, type Auth0Client } from './oauth-token.ts';
import { readObjectBody } from './request-body.ts';
import type { SentEmail } from './sent-emails.ts';
import type { PasswordChangeTicket } from './tickets-route.ts';
import { TokenBucket, checkRateLimitConfig, type RateLimitConfig } from './token-bucket.ts';
import { buildProfile, UserStore, type NewUserFields, type StoredCredential, type StoredUser } from './user-store.ts';

/** Free tier Management API limit (rate-limit-configurations/free-public): burst 2, 2 requests/second. */
export const FREE_TIER_MANAGEMENT_LIMIT: RateLimitConfig = { limit: 2, perSeconds: 1 };
/** Free tier POST /oauth/token: burst 30, 30/second. */
export const FREE_TIER_TOKEN_LIMIT: RateLimitConfig = { limit: 30, perSeconds: 1 };
/** Free tier /dbconnections/change_password, per email address: burst 10, 1/minute. */
export const FREE_TIER_CHANGE_PASSWORD_LIMIT: RateLimitConfig = { limit: 1, perSeconds: 60, burst: 10 };

export interface Auth0ApiOptions {
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  /** Tenant domain; tokens for https://<domain>/api/v2/ are accepted too (default "tenant.auth0.test"). */
  domain?: string;
  /** M2M clients allowed to get Management API tokens (default [DEFAULT_AUTH0_CLIENT]). */
  clients?: Auth0Client[];
  /** The tenant's database connection (default "Username-Password-Authentication", policy "good"). */
  connection?: ConnectionOptions;
  /** Management API token bucket, per tenant (default FREE_TIER_MANAGEMENT_LIMIT); false disables. */
  rateLimit?: RateLimitConfig | false;
  tokenRateLimit?: RateLimitConfig | false;
  changePasswordRateLimit?: RateLimitConfig | false;
  /** Management API token lifetime (default 86400). */
  tokenTtlSeconds?: number;
  importJobs?: ImportJobTiming & { maxConcurrent?: number };
  /** Users already in the tenant. */
  users?: Array<NewUserFields & { password?: string }>;
  failures?: FaultOptions;
}

export interface Auth0ApiHandle {
  url: string;
  port: number;
  /** `${url}/api/v2` */
  managementUrl: string;
  /** Audience to request: `${url}/api/v2/`. */
  audience: string;
  domain: string;
  connection: Auth0Connection;
  users: Map<string, StoredUser>;
  jobs: Map<string, ImportJob>;
  emails: SentEmail[];
  tickets: PasswordChangeTicket[];
  calls: RecordedCall[];
  faults: FaultInjector;
  /** Replaces the Management API bucket (full again); false disables rate limiting. */
  setRateLimit(config: RateLimitConfig | false): void;
  failNext(count: number, status?: number, match?: RequestMatcher): void;
  setLatency(ms: number): void;
  /** Makes every token issued so far expired (401 "Expired token received for JSON Web Token validation"). */
  expireTokens(): void;
  /** Adds a user directly (no API call, no email); returns it. */
  seedUser(fields: NewUserFields, credential?: StoredCredential): StoredUser;
  usersByEmail(email: string): StoredUser[];
  /** true: stop listening and drop open connections (ECONNREFUSED); false: listen again on the same port. */
  setDown(down: boolean): Promise<void>;
  stop(): Promise<void>;
}

const bucketOf = (config: RateLimitConfig | false | undefined, fallback: RateLimitConfig) =>
  config === false ? undefined : new TokenBucket(config ?? fallback);

function basicCredentials(req: IncomingMessage): Record<string, string> {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return {};
  const [id, secret] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return id && secret !== undefined ? { client_id: decodeURIComponent(id), client_secret: decodeURIComponent(secret) } : {};
}

export async function startAuth0Api(options: Auth0ApiOptions = {}): Promise<Auth0ApiHandle> {
  for (const [name, cfg] of [['rateLimit', options.rateLimit], ['tokenRateLimit', options.tokenRateLimit], ['changePasswordRateLimit', options.changePasswordRateLimit]] as const) {
    if (cfg) checkRateLimitConfig(cfg, `startAuth0Api: ${name}`);
  }
  const domain = options.domain ?? 'tenant.auth0.test';
  const connection = makeConnection(options.connection);
  const store = new UserStore();
  const emails: SentEmail[] = [];
  const tickets: PasswordChangeTicket[] = [];
  const calls: RecordedCall[] = [];
  const faults = new FaultInjector(options.failures);
  const timing = { pendingMs: options.importJobs?.pendingMs ?? 50, processingMs: options.importJobs?.processingMs ?? 100 };
  const jobs = new ImportJobs(store, emails, timing, options.importJobs?.maxConcurrent ?? 2);
  let mgmtBucket = bucketOf(options.rateLimit, FREE_TIER_MANAGEMENT_LIMIT);
  const tokenBucket = bucketOf(options.tokenRateLimit, FREE_TIER_TOKEN_LIMIT);
  const changePasswordBucket = bucketOf(options.changePasswordRateLimit, FREE_TIER_CHANGE_PASSWORD_LIMIT);
  let baseUrl = '';
  let issuer: TokenIssuer | undefined;
  let ctx: ManagementContext | undefined;

  const seedUser = (fields: NewUserFields, credential?: StoredCredential): StoredUser => {
    const user: StoredUser = { profile: buildProfile(fields, connection), connection: connection.name, source: { kind: 'seed' } };
    if (credential) user.credential = credential;
    store.add(user);
    return user;
  };
  for (const { password, ...fields } of options.users ?? []) seedUser(fields, password === undefined ? undefined : { kind: 'password', password });

  const limit = (bucket: TokenBucket | undefined, res: ServerResponse): boolean => {
    if (!bucket) return true;
    const decision = bucket.take();
    for (const [k, v] of Object.entries(decision.headers)) res.setHeader(k, v);
    return decision.allowed;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', baseUrl);
    recordCall(calls, req, res, url);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isManagement = path === '/api/v2' || path.startsWith('/api/v2/');
    await faults.delay();
    if (isManagement && !limit(mgmtBucket, res)) throw TOO_MANY_REQUESTS();
    if (path === '/oauth/token' && !limit(tokenBucket, res)) throw new AuthApiError(429, 'too_many_requests', 'Global limit has been reached');
    const fault = faults.take(req.method ?? 'GET', path);
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault) {
      throw isManagement ? injectedManagementError(fault.status) : new AuthApiError(fault.status, 'server_error', 'Internal error.');
    }

    if (isManagement) {
      const reply = await routeManagement(ctx!, req, url, path.slice('/api/v2'.length));
      if (reply.status === 204) return void res.writeHead(204).end();
      return sendJson(res, reply.status, reply.body);
    }
    if (path === '/oauth/token' && req.method === 'POST') {
      const body = await readObjectBody(req, (why) => new AuthApiError(400, 'invalid_request', why));
      const params = { ...basicCredentials(req), ...(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}) };
      return sendJson(res, 200, issuer!.issue(params));
    }
    if (path === '/dbconnections/change_password' && req.method === 'POST') {
      const body = await readObjectBody(req, (why) => new AuthApiError(400, 'invalid_request', why));
      const isClient = (id: string) => issuer!.hasClient(id);
      return changePassword({ store, connections: [connection], emails, isClient, limiter: changePasswordBucket }, body, res);
    }
    throw new ManagementApiError(404, 'Not Found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof ManagementApiError || err instanceof AuthApiError) return sendApiError(res, err);
      console.error('[auth0-api]', err);
      sendApiError(res, new ManagementApiError(500, 'Internal error.', 'internal_error'));
    });
  });
  server.keepAliveTimeout = 5_000;
  const port = await listenLocal(server, options.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;
  const audience = `${baseUrl}/api/v2/`;
  issuer = new TokenIssuer(options.clients ?? [DEFAULT_AUTH0_CLIENT], [audience, `https://${domain}/api/v2/`], `https://${domain}/`, options.tokenTtlSeconds ?? 86_400);
  ctx = { store, connections: [connection], emails, tickets, jobs, issuer, baseUrl };

  return {
    url: baseUrl,
    port,
    managementUrl: `${baseUrl}/api/v2`,
    audience,
    domain,
    connection,
    users: store.users,
    jobs: jobs.jobs,
    emails,
    tickets,
    calls,
    faults,
    setRateLimit(config) {
      if (config) checkRateLimitConfig(config, 'setRateLimit');
      mgmtBucket = config ? new TokenBucket(config) : undefined;
    },
    failNext: (count, status, match) => faults.failNext(count, status, match),
    setLatency: (ms) => faults.setLatency(ms),
    expireTokens: () => issuer!.expireAll(),
    seedUser,
    usersByEmail: (email) => store.byEmail(email.toLowerCase()),
    async setDown(down) {
      if (down) return closeServer(server);
      if (!server.listening) await listenLocal(server, port);
    },
    async stop() {
      jobs.stop();
      await closeServer(server);
    },
  };
}

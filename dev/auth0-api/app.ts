// The Auth0 stand-in as a Hono app (Management API v2 + Authentication API),
// with its state: the same handlers serve the node contract tests and the dev
// stack (dev/auth0-api/server.ts, on @hono/node-server) and the Workers
// runtime tests' fake network (test/runtime/support/fake-network.ts answers
// fetch calls to https://auth0-mgmt.test with `app.fetch`).
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { DroppedConnection, dropConnection, json } from '../json-reply.ts';
import { FaultInjector, recordRequest, type FaultOptions, type RecordedCall, type RequestMatcher } from '../kratos-admin/stand-in-faults.ts';
import { AuthApiError, ManagementApiError, TOO_MANY_REQUESTS, injectedManagementError } from './auth0-errors.ts';
import { changePassword } from './change-password.ts';
import { makeConnection, type Auth0Connection, type ConnectionOptions } from './connections.ts';
import { ImportJobs, type ImportJob, type ImportJobTiming } from './import-jobs.ts';
import { routeManagement, type ManagementContext } from './management-routes.ts';
import { DEFAULT_EMAIL_PROVIDER, type EmailProvider } from './email-provider.ts';
import { DEFAULT_AUTH0_CLIENT, TokenIssuer, type Auth0Client } from './oauth-token.ts';
import { BruteForceGuard, PASSWORD_REALM_GRANT, passwordRealmGrant, type PasswordAttempt } from './password-realm.ts';
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

export interface Auth0AppOptions {
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
  /** The tenant's email provider (GET /api/v2/emails/provider); null: none configured. Default: an SMTP provider. */
  emailProvider?: EmailProvider | null;
  /** Called with every email the tenant records (the dev stack hands them to the mail catcher). */
  onEmail?: (email: SentEmail) => void;
}

/** The tenant's state and the test controls, without the network. */
export interface Auth0Tenant {
  /** Where the app is reached (its own audience is `${baseUrl}/api/v2/`). */
  baseUrl: string;
  audience: string;
  domain: string;
  connection: Auth0Connection;
  users: Map<string, StoredUser>;
  /** Password-realm grant attempts (username, the address counted, whether auth0-forwarded-for was honoured, outcome). */
  passwordAttempts: PasswordAttempt[];
  /** Brute-force protection's unblock (the emailed link, or an admin): one user's addresses, or everyone's. */
  unblock(userId?: string): void;
  jobs: Map<string, ImportJob>;
  emails: SentEmail[];
  tickets: PasswordChangeTicket[];
  calls: RecordedCall[];
  faults: FaultInjector;
  /** Replaces the Management API bucket (full again); false disables rate limiting. */
  setRateLimit(config: RateLimitConfig | false): void;
  failNext(count: number, status?: number, match?: RequestMatcher): void;
  setLatency(ms: number): void;
  /** Configures (or, with null, removes) the tenant's email provider. */
  setEmailProvider(provider: EmailProvider | null): void;
  /** Makes every token issued so far expired (401 "Expired token received for JSON Web Token validation"). */
  expireTokens(): void;
  /** Adds a user directly (no API call, no email); returns it. */
  seedUser(fields: NewUserFields, credential?: StoredCredential): StoredUser;
  usersByEmail(email: string): StoredUser[];
  /** Stops the import jobs' timers. */
  stop(): void;
}

type Env = { Bindings: Partial<HttpBindings> };

const bucketOf = (config: RateLimitConfig | false | undefined, fallback: RateLimitConfig) =>
  config === false ? undefined : new TokenBucket(config ?? fallback);

function basicCredentials(authorization: string | undefined): Record<string, string> {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return {};
  const [id, secret] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return id && secret !== undefined ? { client_id: decodeURIComponent(id), client_secret: decodeURIComponent(secret) } : {};
}

export function createAuth0App(baseUrl: string, options: Auth0AppOptions = {}): { app: Hono<Env>; tenant: Auth0Tenant } {
  for (const [name, cfg] of [['rateLimit', options.rateLimit], ['tokenRateLimit', options.tokenRateLimit], ['changePasswordRateLimit', options.changePasswordRateLimit]] as const) {
    if (cfg) checkRateLimitConfig(cfg, `startAuth0Api: ${name}`);
  }
  const domain = options.domain ?? 'tenant.auth0.test';
  const connection = makeConnection(options.connection);
  const store = new UserStore();
  const emails: SentEmail[] = [];
  const onEmail = options.onEmail;
  if (onEmail) {
    // Every sender records through recordEmail (sent-emails.ts), i.e. a push: observed here, in one place.
    emails.push = (...items: SentEmail[]) => {
      const n = Array.prototype.push.apply(emails, items);
      for (const e of items) onEmail(e);
      return n;
    };
  }
  const tickets: PasswordChangeTicket[] = [];
  const calls: RecordedCall[] = [];
  const faults = new FaultInjector(options.failures);
  const timing = { pendingMs: options.importJobs?.pendingMs ?? 50, processingMs: options.importJobs?.processingMs ?? 100 };
  const jobs = new ImportJobs(store, emails, timing, options.importJobs?.maxConcurrent ?? 2);
  let mgmtBucket = bucketOf(options.rateLimit, FREE_TIER_MANAGEMENT_LIMIT);
  const tokenBucket = bucketOf(options.tokenRateLimit, FREE_TIER_TOKEN_LIMIT);
  const changePasswordBucket = bucketOf(options.changePasswordRateLimit, FREE_TIER_CHANGE_PASSWORD_LIMIT);
  const audience = `${baseUrl}/api/v2/`;
  const issuer = new TokenIssuer(options.clients ?? [DEFAULT_AUTH0_CLIENT], [audience, `https://${domain}/api/v2/`], `https://${domain}/`, options.tokenTtlSeconds ?? 86_400);
  const emailProvider = { current: options.emailProvider === undefined ? DEFAULT_EMAIL_PROVIDER : options.emailProvider };
  const ctx: ManagementContext = { store, connections: [connection], emails, tickets, jobs, issuer, baseUrl, emailProvider };
  const guard = new BruteForceGuard();
  const passwordAttempts: PasswordAttempt[] = [];

  const seedUser = (fields: NewUserFields, credential?: StoredCredential): StoredUser => {
    const user: StoredUser = { profile: buildProfile(fields, connection), connection: connection.name, source: { kind: 'seed' } };
    if (credential) user.credential = credential;
    store.add(user);
    return user;
  };
  for (const { password, ...fields } of options.users ?? []) seedUser(fields, password === undefined ? undefined : { kind: 'password', password });

  /** Takes a token; the x-ratelimit-* headers go on the answer, whatever it is. */
  const limit = (c: Context<Env>, bucket: TokenBucket | undefined, key?: string): boolean => {
    if (!bucket) return true;
    const decision = bucket.take(key);
    for (const [k, v] of Object.entries(decision.headers)) c.header(k, String(v));
    return decision.allowed;
  };
  const authBody = (req: Request) => readObjectBody(req, (why) => new AuthApiError(400, 'invalid_request', why));

  const app = new Hono<Env>({ strict: false });
  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    const call = recordRequest(calls, c.req.method, url);
    await next();
    if (!(c.error instanceof DroppedConnection)) call.status = c.res.status;
  });
  app.use(async (c, next) => {
    const path = c.req.path.replace(/\/+$/, '') || '/';
    const isManagement = path === '/api/v2' || path.startsWith('/api/v2/');
    await faults.delay();
    if (isManagement && !limit(c, mgmtBucket)) throw TOO_MANY_REQUESTS();
    if (path === '/oauth/token' && !limit(c, tokenBucket)) throw new AuthApiError(429, 'too_many_requests', 'Global limit has been reached');
    const fault = faults.take(c.req.method, path);
    if (fault?.kind === 'drop') dropConnection(c.env);
    if (fault) throw isManagement ? injectedManagementError(fault.status) : new AuthApiError(fault.status, 'server_error', 'Internal error.');
    await next();
  });
  app.all('/api/v2/*', async (c) => {
    const path = c.req.path.replace(/\/+$/, '');
    const reply = await routeManagement(ctx, c.req.raw, new URL(c.req.url), path.slice('/api/v2'.length));
    return reply.status === 204 ? c.body(null, 204) : json(c, reply.status, reply.body);
  });
  app.post('/oauth/token', async (c) => {
    const body = await authBody(c.req.raw);
    const params = { ...basicCredentials(c.req.header('authorization')), ...(typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}) };
    if (params.grant_type === PASSWORD_REALM_GRANT) {
      const connectingIp = c.env?.incoming?.socket.remoteAddress ?? '127.0.0.1';
      return json(c, 200, passwordRealmGrant({ store, connection, issuer, guard, attempts: passwordAttempts }, params, connectingIp, c.req.header('auth0-forwarded-for')));
    }
    return json(c, 200, issuer.issue(params));
  });
  app.post('/dbconnections/change_password', async (c) => {
    const body = await authBody(c.req.raw);
    const isClient = (id: string) => issuer.hasClient(id);
    const limiter = (email: string) => limit(c, changePasswordBucket, email);
    return c.body(changePassword({ store, connections: [connection], emails, isClient, limiter }, body), 200, { 'content-type': 'text/html; charset=utf-8' });
  });
  app.notFound(() => {
    throw new ManagementApiError(404, 'Not Found');
  });
  app.onError((err, c) => {
    if (err instanceof DroppedConnection) throw err;
    if (err instanceof ManagementApiError || err instanceof AuthApiError) return json(c, err.statusCode, err.body());
    console.error('[auth0-api]', err);
    return json(c, 500, new ManagementApiError(500, 'Internal error.', 'internal_error').body());
  });

  const tenant: Auth0Tenant = {
    baseUrl,
    audience,
    domain,
    connection,
    users: store.users,
    passwordAttempts,
    unblock: (userId) => guard.unblock(userId),
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
    setEmailProvider: (provider) => {
      emailProvider.current = provider;
    },
    expireTokens: () => issuer.expireAll(),
    seedUser,
    usersByEmail: (email) => store.byEmail(email.toLowerCase()),
    stop: () => jobs.stop(),
  };
  return { app, tenant };
}

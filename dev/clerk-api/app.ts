// A local stand-in for Clerk's Backend API (Clerk is SaaS only), following
// its published contract (https://clerk.com/docs/reference/backend-api):
// - `Authorization: Bearer sk_...` on every call (401 otherwise);
// - the user endpoints switchback uses: GET /v1/users (email_address,
//   external_id), POST /v1/users (password, or password_digest +
//   password_hasher, skip_password_checks, skip_password_requirement,
//   external_id, private_metadata, created_at), GET/PATCH/DELETE
//   /v1/users/{id}, PATCH /v1/users/{id}/metadata (deep merge),
//   POST /v1/users/{id}/verify_password (checks carried digests: instance.ts);
// - errors `{"errors": [{"code", "message", "long_message", "meta"}],
//   "clerk_trace_id"}` (https://clerk.com/docs/guides/development/errors/backend-api):
//   422 form_identifier_exists, form_password_incorrect,
//   form_password_digest_invalid, form_param_missing..., 404
//   resource_not_found;
// - rate limits (https://clerk.com/docs/guides/how-clerk-works/system-limits):
//   100 requests per 10 s on a development instance (1,000 in production,
//   `rateLimit` option), and POST /v1/users 20 per 10 s (create-user
//   reference, `createRateLimit`); 429 `too_many_requests` with Retry-After
//   in seconds.
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { TokenBucket, type RateLimitConfig } from '../auth0-api/token-bucket.ts';
import { FaultInjector, recordRequest, type RecordedCall } from '../kratos-admin/stand-in-faults.ts';
import { CLERK_HASHERS, ClerkInstance, digestWellFormed, passwordMatches, plainPassword, UnsupportedHasher, type ClerkUserRecord, type StoredPassword } from './instance.ts';

export const DEFAULT_CLERK_SECRET_KEY = 'sk_test_switchbackLocalClerkStandIn000000000000';
export const CLERK_DEV_RATE_LIMIT: RateLimitConfig = { limit: 100, perSeconds: 10, retryAfter: true };
/** A production instance's Backend API limit (system-limits). */
export const CLERK_PROD_RATE_LIMIT: RateLimitConfig = { limit: 1000, perSeconds: 10, retryAfter: true };
/** POST /v1/users: "A rate limit rule of 20 requests per 10 seconds is applied to this endpoint" (create-user). */
export const CLERK_CREATE_USER_LIMIT: RateLimitConfig = { limit: 20, perSeconds: 10, retryAfter: true };

export interface ClerkAppOptions {
  secretKey?: string;
  /** Default: a development instance's 100 requests per 10 s. */
  rateLimit?: RateLimitConfig;
  /** POST /v1/users on top of the instance's limit; default 20 per 10 s. */
  createRateLimit?: RateLimitConfig;
  /** An instance shared with the Clerk-like OIDC stand-in (directory.ts). */
  instance?: ClerkInstance;
  now?: () => number;
}

export interface ClerkApi {
  instance: ClerkInstance;
  calls: RecordedCall[];
  /** Calls of verify_password, by user id, with their answer. */
  passwordChecks: { userId: string; status: number }[];
  faults: FaultInjector;
  failNext(count: number, status?: number): void;
  setLatency(ms: number): void;
  setRateLimit(config: RateLimitConfig): void;
  setCreateRateLimit(config: RateLimitConfig): void;
}

class ClerkFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly longMessage = message,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const missing = (param: string) => new ClerkFault(422, 'form_param_missing', `${param} must be included.`, `${param} must be included.`, { param_name: param });
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function userJson(u: ClerkUserRecord) {
  return {
    id: u.id,
    object: 'user',
    external_id: u.externalId,
    primary_email_address_id: u.emails[0]?.id ?? null,
    email_addresses: u.emails.map((e) => ({ id: e.id, object: 'email_address', email_address: e.address, verification: { status: 'verified', strategy: 'admin' } })),
    password_enabled: u.password !== undefined,
    first_name: u.firstName,
    last_name: u.lastName,
    locked: u.locked,
    banned: u.banned,
    public_metadata: u.publicMetadata,
    private_metadata: u.privateMetadata,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] !== null && !Array.isArray(target[k])) deepMerge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ClerkFault(400, 'request_body_invalid', 'Request body invalid', 'The request body is invalid. Please consult the API documentation for more information.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClerkFault(400, 'request_body_invalid', 'Request body invalid');
  return body as Record<string, unknown>;
}

/** password / password_digest + password_hasher of a create or update, checked as Clerk checks them. */
function passwordOf(body: Record<string, unknown>): StoredPassword | undefined {
  if (body.password_digest !== undefined || body.password_hasher !== undefined) {
    if (typeof body.password_digest !== 'string' || body.password_digest === '') throw missing('password_digest');
    if (typeof body.password_hasher !== 'string') throw missing('password_hasher');
    if (!(CLERK_HASHERS as readonly string[]).includes(body.password_hasher)) throw new ClerkFault(422, 'form_param_value_invalid', 'password_hasher is invalid', `password_hasher must be one of ${CLERK_HASHERS.join(', ')}`, { param_name: 'password_hasher' });
    if (!digestWellFormed(body.password_hasher, body.password_digest)) throw new ClerkFault(422, 'form_password_digest_invalid', 'Password digest is invalid', `The password digest is not a valid ${body.password_hasher} digest.`, { param_name: 'password_digest' });
    return { kind: 'digest', hasher: body.password_hasher, digest: body.password_digest };
  }
  if (body.password !== undefined) {
    if (typeof body.password !== 'string') throw new ClerkFault(422, 'form_param_format_invalid', 'password must be a string', 'password must be a string', { param_name: 'password' });
    if (body.skip_password_checks !== true && body.password.length < 8) throw new ClerkFault(422, 'form_password_length_too_short', 'Passwords must be 8 characters or more.', 'Passwords must be 8 characters or more.', { param_name: 'password' });
    return plainPassword(body.password);
  }
  return undefined;
}

export function createClerkApp(options: ClerkAppOptions = {}): { app: Hono; api: ClerkApi } {
  const secretKey = options.secretKey ?? DEFAULT_CLERK_SECRET_KEY;
  const instance = options.instance ?? new ClerkInstance();
  const now = options.now ?? Date.now;
  let bucket = new TokenBucket(options.rateLimit ?? CLERK_DEV_RATE_LIMIT, now);
  let createBucket = new TokenBucket(options.createRateLimit ?? CLERK_CREATE_USER_LIMIT, now);
  const calls: RecordedCall[] = [];
  const passwordChecks: ClerkApi['passwordChecks'] = [];
  const faults = new FaultInjector();

  const error = (c: Context, f: ClerkFault) =>
    c.json({ errors: [{ code: f.code, message: f.message, long_message: f.longMessage, meta: f.meta }], clerk_trace_id: randomBytes(16).toString('hex') }, f.status as 400);
  const userById = (id: string) => {
    const u = instance.users.get(id);
    if (!u) throw new ClerkFault(404, 'resource_not_found', 'not found', 'Resource not found');
    return u;
  };

  const app = new Hono();
  app.use(async (c, next) => {
    const call = recordRequest(calls, c.req.method, new URL(c.req.url));
    await next();
    call.status = c.res.status;
  });
  app.use('/v1/*', async (c, next) => {
    await faults.delay();
    const fault = faults.take(c.req.method, c.req.path);
    if (fault?.kind === 'status') throw new ClerkFault(fault.status, fault.status === 429 ? 'too_many_requests' : 'internal_clerk_error', 'Injected failure');
    const auth = c.req.header('authorization') ?? '';
    if (auth !== `Bearer ${secretKey}`) throw new ClerkFault(401, 'authentication_invalid', 'Invalid authentication', 'Unable to authenticate the request, you need to supply an active API key');
    let decision = bucket.take(secretKey);
    if (decision.allowed && c.req.method === 'POST' && c.req.path === '/v1/users') decision = createBucket.take(secretKey);
    if (!decision.allowed) {
      c.header('retry-after', decision.headers['retry-after'] ?? '1');
      throw new ClerkFault(429, 'too_many_requests', 'Too many requests', 'Too many requests, please try again later.');
    }
    await next();
  });

  app.get('/v1/users', (c) => {
    const emails = c.req.queries('email_address') ?? c.req.queries('email_address[]') ?? [];
    const externalIds = c.req.queries('external_id') ?? c.req.queries('external_id[]') ?? [];
    let users = [...instance.users.values()];
    if (emails.length) users = users.filter((u) => u.emails.some((e) => emails.map((x) => x.trim().toLowerCase()).includes(e.address)));
    if (externalIds.length) users = users.filter((u) => u.externalId !== null && externalIds.includes(u.externalId));
    return c.json(users.slice(0, Number(c.req.query('limit') ?? 10) || 10).map(userJson));
  });
  app.post('/v1/users', async (c) => {
    const body = await jsonBody(c);
    const list = typeof body.email_address === 'string' ? [body.email_address] : body.email_address;
    if (!Array.isArray(list) || list.length === 0) throw missing('email_address');
    const email = list[0];
    if (typeof email !== 'string' || !EMAIL.test(email)) throw new ClerkFault(422, 'form_param_format_invalid', 'email_address must be a valid email address.', 'email_address must be a valid email address.', { param_name: 'email_address' });
    if (instance.byEmail(email)) throw new ClerkFault(422, 'form_identifier_exists', 'That email address is taken. Please try another.', 'That email address is taken. Please try another.', { param_name: 'email_address' });
    const externalId = typeof body.external_id === 'string' ? body.external_id : null;
    if (externalId !== null && instance.byExternalId(externalId)) throw new ClerkFault(422, 'form_identifier_exists', 'external_id is taken.', 'A user with this external_id already exists.', { param_name: 'external_id' });
    const password = passwordOf(body);
    if (password === undefined && body.skip_password_requirement !== true) throw missing('password');
    const createdAt = typeof body.created_at === 'string' ? Date.parse(body.created_at) : NaN;
    const user = instance.add({
      email,
      externalId,
      firstName: typeof body.first_name === 'string' ? body.first_name : null,
      lastName: typeof body.last_name === 'string' ? body.last_name : null,
      password,
      publicMetadata: (body.public_metadata as Record<string, unknown> | undefined) ?? {},
      privateMetadata: (body.private_metadata as Record<string, unknown> | undefined) ?? {},
      createdAt: Number.isFinite(createdAt) ? createdAt : undefined,
    }, now());
    return c.json(userJson(user));
  });
  app.get('/v1/users/:id', (c) => c.json(userJson(userById(c.req.param('id')))));
  app.patch('/v1/users/:id', async (c) => {
    const user = userById(c.req.param('id'));
    const body = await jsonBody(c);
    const password = passwordOf(body);
    if (typeof body.external_id === 'string') {
      const owner = instance.byExternalId(body.external_id);
      if (owner && owner.id !== user.id) throw new ClerkFault(422, 'form_identifier_exists', 'external_id is taken.', 'A user with this external_id already exists.', { param_name: 'external_id' });
      user.externalId = body.external_id;
    }
    if (typeof body.first_name === 'string') user.firstName = body.first_name;
    if (typeof body.last_name === 'string') user.lastName = body.last_name;
    if (password) user.password = password;
    user.updatedAt = now();
    return c.json(userJson(user));
  });
  // update-user-metadata: "deep merge"; a key set to null is removed.
  app.patch('/v1/users/:id/metadata', async (c) => {
    const user = userById(c.req.param('id'));
    const body = await jsonBody(c);
    for (const key of ['public_metadata', 'private_metadata'] as const) {
      const patch = body[key];
      if (patch === undefined) continue;
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new ClerkFault(422, 'form_param_format_invalid', `${key} must be an object`, `${key} must be an object`, { param_name: key });
      const target = key === 'public_metadata' ? user.publicMetadata : user.privateMetadata;
      deepMerge(target, patch as Record<string, unknown>);
    }
    user.updatedAt = now();
    return c.json(userJson(user));
  });
  app.delete('/v1/users/:id', (c) => {
    const user = userById(c.req.param('id'));
    instance.users.delete(user.id);
    return c.json({ id: user.id, object: 'user', deleted: true });
  });
  app.post('/v1/users/:id/verify_password', async (c) => {
    const id = c.req.param('id');
    const answer = async () => {
      const user = userById(id);
      const body = await jsonBody(c);
      if (typeof body.password !== 'string' || body.password === '') throw missing('password');
      if (user.password === undefined) throw new ClerkFault(422, 'password_not_set', 'Password not set', 'The user has no password set.');
      if (!(await passwordMatches(user.password, body.password))) throw new ClerkFault(422, 'form_password_incorrect', 'Password is incorrect. Try again, or use another method.', 'Password is incorrect. Try again, or use another method.', { param_name: 'password' });
      return c.json({ verified: true });
    };
    try {
      const res = await answer();
      passwordChecks.push({ userId: id, status: res.status });
      return res;
    } catch (err) {
      passwordChecks.push({ userId: id, status: err instanceof ClerkFault ? err.status : 500 });
      throw err;
    }
  });
  app.notFound(() => {
    throw new ClerkFault(404, 'resource_not_found', 'not found', 'Resource not found');
  });
  app.onError((err, c) => {
    if (err instanceof ClerkFault) return error(c, err);
    if (err instanceof UnsupportedHasher) return error(c, new ClerkFault(500, 'stand_in_unsupported_hasher', err.message));
    console.error('[clerk-api]', err);
    return error(c, new ClerkFault(500, 'internal_clerk_error', 'Oops, an unexpected error occurred'));
  });

  return {
    app,
    api: {
      instance,
      calls,
      passwordChecks,
      faults,
      failNext: (count, status) => faults.failNext(count, status),
      setLatency: (ms) => faults.setLatency(ms),
      setRateLimit(config) {
        bucket = new TokenBucket(config, now);
      },
      setCreateRateLimit(config) {
        createBucket = new TokenBucket(config, now);
      },
    },
  };
}

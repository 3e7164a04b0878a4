/**
 * A small Auth0 Management API v2 + Authentication API client on fetch, so
 * the same code runs in the reconcile CLI (Node) and in the gateway's durable
 * job (Workers). (The official `auth0` SDK targets Node; what we need is a
 * dozen calls with Auth0's rate-limit contract honoured exactly.)
 *
 * Rate limits: every response carries x-ratelimit-limit/-remaining/-reset;
 * a 429 is retried after `x-ratelimit-reset` (Unix seconds) with jitter, a
 * bounded number of times; when `remaining` reaches 0 the next call waits for
 * the reset instead of hitting the wall. 5xx and network errors are retried
 * with exponential backoff. Secrets never appear in errors.
 */
import { SwitchbackError } from '../core/errors.ts';
export interface Auth0ClientOptions {
  /** e.g. https://tenant.eu.auth0.com/api/v2 (AUTH0_MANAGEMENT_URL, default https://<AUTH0_DOMAIN>/api/v2). */
  managementUrl: string;
  clientId: string;
  clientSecret: string;
  maxRetries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onRateLimited?: (waitMs: number) => void;
}

export class Auth0ApiError extends SwitchbackError {
  readonly code = 'ERR_AUTH0_API';
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface Auth0User {
  user_id: string;
  email: string;
  app_metadata?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface ImportJob {
  id: string;
  status: 'pending' | 'processing' | 'completed' | 'failed';
  summary?: { failed: number; updated: number; inserted: number; total: number };
}

export interface ImportJobError {
  user: { email?: string; app_metadata?: Record<string, unknown>; [k: string]: unknown };
  errors: { code: string; message: string }[];
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Auth0ManagementClient {
  readonly base: string;
  readonly origin: string;
  private token?: { value: string; until: number };
  /** The scopes Auth0 granted the last token (its `scope` field), or undefined when it did not list them. */
  private granted?: ReadonlySet<string>;
  private waitUntil = 0;
  private readonly f: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Calls made, 429s met, time spent waiting on rate limits (for progress and benchmarks). */
  readonly stats = { calls: 0, rateLimited: 0, waitedMs: 0, retries: 0 };

  constructor(private readonly o: Auth0ClientOptions) {
    this.base = o.managementUrl.replace(/\/+$/, '');
    this.origin = new URL(this.base).origin;
    this.f = o.fetch ?? ((...a) => fetch(...a));
    this.sleep = o.sleep ?? defaultSleep;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.until > Date.now() + 30_000) return this.token.value;
    const res = await this.raw(`${this.origin}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: this.o.clientId, client_secret: this.o.clientSecret, audience: `${this.base}/` }),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; scope?: unknown };
    if (!res.ok || !body.access_token) {
      throw new Auth0ApiError(res.status, body.error, `Auth0 refused the Management API credentials (AUTH0_MGMT_CLIENT_ID/AUTH0_MGMT_CLIENT_SECRET): HTTP ${res.status} ${body.error ?? ''}`.trim(), false);
    }
    this.token = { value: body.access_token, until: Date.now() + (body.expires_in ?? 3600) * 1000 };
    this.granted = typeof body.scope === 'string' ? new Set(body.scope.split(' ').filter(Boolean)) : undefined;
    return this.token.value;
  }

  /** One HTTP exchange with retries for 429, 5xx and network errors. */
  private async raw(url: string, init: RequestInit, retryNetwork = true): Promise<Response> {
    const max = this.o.maxRetries ?? 6;
    for (let attempt = 0; ; attempt++) {
      const wait = this.waitUntil - Date.now();
      if (wait > 0) {
        this.stats.waitedMs += wait;
        await this.sleep(wait);
      }
      let res: Response;
      try {
        this.stats.calls++;
        res = await this.f(url, { ...init, signal: AbortSignal.timeout(30_000) });
      } catch (err) {
        // A non-idempotent call (an email) is not repeated when we cannot tell whether it arrived.
        if (attempt >= max || !retryNetwork) throw new Auth0ApiError(0, 'network_error', `Auth0 unreachable at ${new URL(url).origin}: ${err instanceof Error ? err.message : String(err)}`, true);
        this.stats.retries++;
        await this.sleep(Math.min(10_000, 250 * 2 ** attempt));
        continue;
      }
      this.noteRateLimit(res);
      if (res.status === 429 && attempt < max) {
        this.stats.rateLimited++;
        const reset = Number(res.headers.get('x-ratelimit-reset'));
        const retryAfter = Number(res.headers.get('retry-after'));
        const ms = Number.isFinite(reset) && reset > 0 ? reset * 1000 - Date.now() : Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 1000 * 2 ** attempt;
        const waitMs = Math.min(60_000, Math.max(50, ms)) + Math.floor(Math.random() * 100);
        this.o.onRateLimited?.(waitMs);
        this.stats.waitedMs += waitMs;
        await this.sleep(waitMs);
        continue;
      }
      if (res.status >= 500 && attempt < max) {
        this.stats.retries++;
        await res.body?.cancel();
        await this.sleep(Math.min(10_000, 250 * 2 ** attempt));
        continue;
      }
      return res;
    }
  }

  /**
   * With the bucket empty, wait for one token rather than for the full reset:
   * `x-ratelimit-reset` is when the bucket is full again (limit tokens), so
   * one token takes about (reset - now) / limit. Waiting for the full reset
   * would run at a fraction of the tier's rate.
   */
  private noteRateLimit(res: Response): void {
    const remaining = Number(res.headers.get('x-ratelimit-remaining'));
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    const limit = Number(res.headers.get('x-ratelimit-limit'));
    if (!res.headers.has('x-ratelimit-remaining') || remaining > 0 || !Number.isFinite(reset) || reset <= 0) return;
    const untilFull = Math.max(0, reset * 1000 - Date.now());
    this.waitUntil = Math.max(this.waitUntil, Date.now() + untilFull / (Number.isFinite(limit) && limit > 0 ? limit : 1));
  }

  private async call<T>(method: string, path: string, body?: unknown, okStatuses: number[] = [200, 201, 204]): Promise<{ status: number; body: T }> {
    const token = await this.accessToken();
    const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await this.raw(`${this.base}${path}`, init);
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!okStatuses.includes(res.status)) {
      const e = (parsed ?? {}) as { message?: string; errorCode?: string; error?: string };
      throw new Auth0ApiError(res.status, e.errorCode ?? e.error, `Auth0 ${method} ${path.split('?')[0]}: HTTP ${res.status} ${e.message ?? ''}`.trim(), res.status === 429 || res.status >= 500);
    }
    return { status: res.status, body: parsed as T };
  }

  /** Checks the credentials before any write (the CLI calls it first). */
  async verifyCredentials(): Promise<void> {
    await this.accessToken();
  }

  /**
   * Which of `needed` the Management API token was not granted, from the
   * token response's `scope` (Auth0 lists the granted scopes there:
   * https://auth0.com/docs/secure/tokens/access-tokens/management-api-access-tokens).
   * Empty when Auth0 did not list them: each call then says for itself (403
   * insufficient_scope).
   */
  async missingScopes(needed: readonly string[]): Promise<string[]> {
    await this.accessToken();
    const granted = this.granted;
    return granted ? needed.filter((s) => !granted.has(s)) : [];
  }

  async usersByEmail(email: string): Promise<Auth0User[]> {
    return (await this.call<Auth0User[]>('GET', `/users-by-email?email=${encodeURIComponent(email)}`)).body;
  }

  /** Creates a user; `exists` on Auth0's 409 (idempotent reruns). */
  async createUser(body: Record<string, unknown>): Promise<{ status: 'created'; user: Auth0User } | { status: 'exists' }> {
    try {
      return { status: 'created', user: (await this.call<Auth0User>('POST', '/users', body, [201])).body };
    } catch (err) {
      if (err instanceof Auth0ApiError && err.status === 409) return { status: 'exists' };
      throw err;
    }
  }

  /** PATCH /users/{id}: profile attributes (and `connection` when the email changes). */
  async patchUser(userId: string, body: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/users/${encodeURIComponent(userId)}`, body);
  }

  async updateAppMetadata(userId: string, appMetadata: Record<string, unknown>): Promise<void> {
    await this.call('PATCH', `/users/${encodeURIComponent(userId)}`, { app_metadata: appMetadata });
  }

  async getUser(userId: string): Promise<Auth0User | undefined> {
    try {
      return (await this.call<Auth0User>('GET', `/users/${encodeURIComponent(userId)}`)).body;
    } catch (err) {
      if (err instanceof Auth0ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async deleteUser(userId: string): Promise<void> {
    await this.call('DELETE', `/users/${encodeURIComponent(userId)}`, undefined, [204, 200]);
  }

  async connection(name: string): Promise<{ id: string; enabled_clients?: string[] }> {
    const list = (await this.call<{ id: string; name: string; enabled_clients?: string[] }[]>('GET', `/connections?name=${encodeURIComponent(name)}`)).body;
    const c = list.find((x) => x.name === name);
    if (!c) throw new Auth0ApiError(404, 'connection_not_found', `Auth0 connection ${JSON.stringify(name)} (AUTH0_CONNECTION) does not exist`, false);
    return c;
  }

  async connectionId(name: string): Promise<string> {
    return (await this.connection(name)).id;
  }

  /** Starts a user-import job (multipart, ≤ 500 KB per file, 2 concurrent jobs per tenant). */
  async importUsers(connectionId: string, users: unknown[]): Promise<ImportJob> {
    const form = new FormData();
    form.set('users', new Blob([JSON.stringify(users)], { type: 'application/json' }), 'users.json');
    form.set('connection_id', connectionId);
    form.set('upsert', 'false');
    form.set('send_completion_email', 'false');
    return (await this.call<ImportJob>('POST', '/jobs/users-imports', form, [200, 201, 202])).body;
  }

  async job(id: string): Promise<ImportJob> {
    return (await this.call<ImportJob>('GET', `/jobs/${encodeURIComponent(id)}`)).body;
  }

  async jobErrors(id: string): Promise<ImportJobError[]> {
    const r = await this.call<ImportJobError[] | undefined>('GET', `/jobs/${encodeURIComponent(id)}/errors`, undefined, [200, 204]);
    return r.status === 204 || !r.body ? [] : r.body;
  }

  /**
   * Sends the password-reset email through Auth0's Authentication API
   * (`/dbconnections/change_password`): Auth0's mail path, the one courier
   * the users of an Auth0 tenant expect after a rollback.
   */
  /**
   * POST /api/v2/tickets/password-change (scope create:user_tickets): a
   * single-use reset link for the user with this email in the connection,
   * sending no email (https://auth0.com/docs/api/management/v2/tickets/post-password-change:
   * `email` requires `connection_id` and excludes `user_id`; `ttl_sec` 0 or
   * absent is Auth0's five days). The link marks the email verified once
   * used: the user proved the mailbox is theirs.
   */
  async passwordChangeTicket(email: string, connectionId: string, o: { ttlSec?: number; resultUrl?: string } = {}): Promise<string> {
    const body: Record<string, unknown> = { email, connection_id: connectionId, mark_email_as_verified: true, ttl_sec: o.ttlSec ?? 0 };
    if (o.resultUrl) body.result_url = o.resultUrl;
    const res = await this.call<{ ticket?: unknown }>('POST', '/tickets/password-change', body, [200, 201]);
    if (typeof res.body?.ticket !== 'string' || !/^https?:\/\//.test(res.body.ticket)) throw new Auth0ApiError(res.status, undefined, 'Auth0 POST /tickets/password-change: no ticket URL in the answer', false);
    return res.body.ticket;
  }

  async sendPasswordChangeEmail(email: string, clientId: string, connection: string): Promise<void> {
    const res = await this.raw(`${this.origin}/dbconnections/change_password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, email, connection }),
    }, false);
    if (!res.ok) {
      const text = await res.text();
      throw new Auth0ApiError(res.status, undefined, `Auth0 change_password: HTTP ${res.status} ${text.slice(0, 200)}`, res.status >= 500);
    }
    await res.body?.cancel();
  }
}

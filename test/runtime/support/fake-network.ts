/**
 * The network around the gateway, inside the test isolate: two identity
 * providers with real keys made here with jose (discovery, JWKS, token and
 * introspection endpoints) and an origin that echoes what it received.
 *
 * The gateway's code runs unmodified; only `fetch` to these test hosts is
 * answered here (the Workers runtime runs the worker in the test's isolate,
 * so one spy on globalThis.fetch reaches it). The real oidc-provider servers
 * are exercised by the end-to-end suite.
 */
import { vi } from 'vitest';
import { base64url, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { AUTH0_AUDIENCE, CLIENTS, INTROSPECTION_URL, ISSUERS, ORIGIN } from './constants.ts';

export type Idp = Awaited<ReturnType<typeof makeIdp>>;

export async function makeIdp(issuer: string, clientId: string, opts: { issParam?: boolean } = {}) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `${new URL(issuer).hostname}-key-1`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const base = issuer.replace(/\/$/, '');
  const idp = {
    issuer,
    clientId,
    kid,
    privateKey,
    publicKey,
    publicJwk,
    jwks: { keys: [publicJwk] } as { keys: JWK[] },
    jwksAvailable: true,
    counts: { discovery: 0, jwks: 0, token: 0, introspection: 0 },
    /** code -> what the token endpoint answers for it */
    codes: new Map<string, { status?: number; body: Record<string, unknown>; expectVerifier?: string }>(),
    /** opaque access token -> introspection response */
    opaque: new Map<string, Record<string, unknown>>(),
    lastTokenRequest: undefined as URLSearchParams | undefined,
    lastIntrospectionHeaders: undefined as Headers | undefined,
    metadata: {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      end_session_endpoint: `${base}/oidc/logout`,
      authorization_response_iss_parameter_supported: opts.issParam ?? true,
    } as Record<string, unknown>,
    async sign(claims: JWTPayload, header: Partial<JWTHeaderParameters> = {}, key: CryptoKey = privateKey): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT', ...header } as JWTHeaderParameters)
        .sign(key);
    },
    async handle(req: Request): Promise<Response> {
      const url = new URL(req.url);
      if (url.pathname === '/.well-known/openid-configuration') {
        idp.counts.discovery++;
        return Response.json(idp.metadata);
      }
      if (url.pathname === '/.well-known/jwks.json') {
        idp.counts.jwks++;
        return idp.jwksAvailable ? Response.json(idp.jwks) : new Response('down', { status: 503 });
      }
      if (url.pathname === '/oauth/token' && req.method === 'POST') {
        idp.counts.token++;
        const form = new URLSearchParams(await req.text());
        idp.lastTokenRequest = form;
        const entry = idp.codes.get(form.get('code') ?? '');
        if (!entry) return Response.json({ error: 'invalid_grant' }, { status: 400 });
        if (entry.expectVerifier && entry.expectVerifier !== form.get('code_verifier')) return Response.json({ error: 'invalid_grant', error_description: 'PKCE' }, { status: 400 });
        return Response.json(entry.body, { status: entry.status ?? 200 });
      }
      return new Response('not found', { status: 404 });
    },
  };
  return idp;
}

export interface Network {
  auth0: Idp;
  olympus: Idp;
  originRequests: Request[];
  /** Override the origin's answer (default: echo JSON). */
  originHandler: ((req: Request) => Response | Promise<Response>) | undefined;
  /** Notifications received by the webhook receiver at https://hooks.test/notify. */
  notifications: Record<string, unknown>[];
  /** Make the webhook receiver fail (to test retries). */
  webhookStatus: number;
  /** The Auth0 Management + Authentication API at https://auth0-mgmt.test. */
  auth0Api: FakeAuth0Api;
}

/** A minimal in-isolate Auth0 Management API (users, 201/409) and Authentication API (change_password). */
export class FakeAuth0Api {
  users: { user_id: string; email: string; connection: string; app_metadata?: Record<string, unknown>; name?: string; given_name?: string; family_name?: string; email_verified?: boolean }[] = [];
  emails: string[] = [];
  failNext = 0;
  async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (this.failNext > 0) {
      this.failNext--;
      return Response.json({ statusCode: 503, error: 'Service Unavailable', message: 'try later' }, { status: 503 });
    }
    if (url.pathname === '/oauth/token') {
      const body = (await req.json()) as { client_id: string; client_secret: string };
      if (body.client_id !== 'mgmt-client' || body.client_secret !== 'mgmt-secret-value') return Response.json({ error: 'access_denied' }, { status: 401 });
      return Response.json({ access_token: 'mgmt-token', token_type: 'Bearer', expires_in: 86400 });
    }
    if (url.pathname === '/dbconnections/change_password') {
      const body = (await req.json()) as { email: string };
      this.emails.push(body.email);
      return new Response("We've just sent you an email to reset your password.");
    }
    if (req.headers.get('authorization') !== 'Bearer mgmt-token') return Response.json({ statusCode: 401, error: 'Unauthorized', message: 'Missing authentication' }, { status: 401 });
    if (url.pathname === '/api/v2/users' && req.method === 'POST') {
      const body = (await req.json()) as { email: string; connection: string; password?: string };
      if (!body.password) return Response.json({ statusCode: 400, error: 'Bad Request', message: 'Payload validation error: Missing required property: password' }, { status: 400 });
      if (this.users.some((u) => u.email === body.email && u.connection === body.connection)) return Response.json({ statusCode: 409, error: 'Conflict', message: 'The user already exists.', errorCode: 'auth0_idp_error' }, { status: 409 });
      const { password: _p, ...rest } = body as Record<string, unknown>;
      const user = { ...(rest as { email: string; connection: string }), user_id: `auth0|${crypto.randomUUID().slice(0, 12)}` };
      this.users.push(user);
      return Response.json(user, { status: 201 });
    }
    if (url.pathname === '/api/v2/users-by-email') return Response.json(this.users.filter((u) => u.email === url.searchParams.get('email')));
    return Response.json({ statusCode: 404, error: 'Not Found', message: 'Not found' }, { status: 404 });
  }
}

export async function echo(req: Request): Promise<Response> {
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => (headers[k] = v));
  const url = new URL(req.url);
  return Response.json({ method: req.method, path: url.pathname + url.search, headers, body: req.body ? await req.text() : null });
}

export async function installNetwork(): Promise<Network> {
  const auth0 = await makeIdp(ISSUERS.auth0, CLIENTS.auth0);
  const olympus = await makeIdp(ISSUERS.olympus, CLIENTS.olympus);
  const net: Network = { auth0, olympus, originRequests: [], originHandler: undefined, notifications: [], webhookStatus: 200, auth0Api: new FakeAuth0Api() };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    if (url.origin === new URL(ISSUERS.auth0).origin) return auth0.handle(req);
    if (url.origin === new URL(ISSUERS.olympus).origin) return olympus.handle(req);
    if (url.href === INTROSPECTION_URL) {
      olympus.counts.introspection++;
      olympus.lastIntrospectionHeaders = req.headers;
      const form = new URLSearchParams(await req.text());
      const expected = `Basic ${btoa(`${CLIENTS.olympus}:olympus-secret-value`)}`;
      if (req.headers.get('authorization') !== expected) return Response.json({ error: 'invalid_client' }, { status: 401 });
      return Response.json(olympus.opaque.get(form.get('token') ?? '') ?? { active: false });
    }
    if (url.origin === 'https://auth0-mgmt.test') return net.auth0Api.handle(req);
    if (url.href === 'https://hooks.test/notify') {
      if (net.webhookStatus !== 200) return new Response('unavailable', { status: net.webhookStatus });
      net.notifications.push((await req.json()) as Record<string, unknown>);
      return new Response('ok');
    }
    if (url.origin === ORIGIN) {
      net.originRequests.push(req.clone());
      return net.originHandler ? net.originHandler(req) : echo(req);
    }
    return realFetch(input, init);
  });
  return net;
}

/** A valid Auth0-style JWT access token (RFC 9068-ish, typ JWT as Auth0 sends). */
export function auth0AccessToken(idp: Idp, claims: JWTPayload = {}, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return idp.sign({ sub: 'auth0|alice', aud: [AUTH0_AUDIENCE, `${ISSUERS.auth0}userinfo`], scope: 'openid profile email', azp: CLIENTS.auth0, email: 'alice@example.com', ...claims }, header);
}

/** A valid Olympus (Hydra, access_token_strategy=jwt) access token: scopes as `scp`. */
export function olympusJwtAccessToken(idp: Idp, claims: JWTPayload = {}, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  return idp.sign({ sub: '7f3c2a9e-olympus-alice', aud: [], scp: ['openid', 'email'], client_id: CLIENTS.olympus, ...claims }, header);
}

export function activeIntrospection(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { active: true, sub: '7f3c2a9e-olympus-bob', client_id: CLIENTS.olympus, iss: ISSUERS.olympus, exp: now + 3600, iat: now, scope: 'openid email', token_use: 'access_token', ext: { email: 'bob@example.com' }, ...overrides };
}

/** Signs any header/payload with RS256 by hand, for headers jose refuses to produce (e.g. unknown `crit`). */
export async function signRawRs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey): Promise<string> {
  const enc = (o: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(o)));
  const input = `${enc(header)}.${enc(payload)}`;
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(sig))}`;
}

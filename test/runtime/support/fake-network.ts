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
// The Auth0 stand-in uses node:crypto and Buffer, which nodejs_compat provides in workerd.
/// <reference types="node" />
import { vi } from 'vitest';
import { base64url, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { AUTH0_AUDIENCE, CLIENTS, INTROSPECTION_URL, ISSUERS, LEGACY_CLIENTS, LEGACY_ISSUERS, ORIGIN } from './constants.ts';
import { createAuth0App, type Auth0Tenant } from '../../../dev/auth0-api/app.ts';
import { PASSWORD_REALM_GRANT } from '../../../dev/auth0-api/password-realm.ts';
import { createCognitoApp, type CognitoApi } from '../../../dev/cognito-api/app.ts';
import { createClerkApp, type ClerkApi } from '../../../dev/clerk-api/app.ts';

const AUTH0_MGMT_ORIGIN = 'https://auth0-mgmt.test';
/** The legacy kinds' admin APIs (dev/cognito-api, dev/clerk-api), answering in the isolate. */
export const COGNITO_ADMIN_ENDPOINT = 'https://cognito-admin.test/';
export const CLERK_API_URL = 'https://clerk-api.test';

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
      // Clerk's introspection of opaque `oat_` tokens (RFC 7662 shape), HTTP Basic with the OAuth app.
      if (url.pathname === '/oauth/token_info' && req.method === 'POST') {
        idp.counts.introspection++;
        if (req.headers.get('authorization') !== `Basic ${btoa(`${clientId}:${clientId}-secret`)}`) return Response.json({ error: 'invalid_client' }, { status: 401 });
        const form = new URLSearchParams(await req.text());
        return Response.json(idp.opaque.get(form.get('token') ?? '') ?? { active: false });
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
  /** The legacy stand-ins of the other kinds (their client secret is `<client id>-secret`). */
  cognito: Idp;
  clerk: Idp;
  originRequests: Request[];
  /** Override the origin's answer (default: echo JSON). */
  originHandler: ((req: Request) => Response | Promise<Response>) | undefined;
  /** Notifications received by the webhook receiver at https://hooks.test/notify. */
  notifications: Record<string, unknown>[];
  /** Make the webhook receiver fail (to test retries). */
  webhookStatus: number;
  /** The Auth0 Management + Authentication API at https://auth0-mgmt.test (the dev stand-in's tenant). */
  auth0Api: Auth0Tenant;
  /** Cognito's user-pool API for LEGACY_ISSUERS.cognito's pool (SigV4, quotas), the gateway's app client allowing ADMIN_USER_PASSWORD_AUTH. */
  cognitoApi: CognitoApi;
  /** Clerk's Backend API (secret key in kind-gateway.ts). */
  clerkApi: ClerkApi;
}

/**
 * The Auth0 Management + Authentication API: the dev stand-in's own Hono app
 * (dev/auth0-api), answering inside the isolate with the contract the node
 * tests check (tokens, 201/409, change_password, faults). The reconcile
 * workflow's client id and secret are the tenant's M2M client.
 */
export function makeAuth0Tenant(): { tenant: Auth0Tenant; fetch: (req: Request) => Promise<Response> } {
  const { app, tenant } = createAuth0App(AUTH0_MGMT_ORIGIN, {
    domain: new URL(AUTH0_MGMT_ORIGIN).host,
    // The reconcile's M2M client, and the gateway's login application (change_password names it;
    // the password migration hook checks passwords with it: Password grant, trusted auth0-forwarded-for).
    clients: [{ client_id: 'mgmt-client', client_secret: 'mgmt-secret-value' }, { client_id: CLIENTS.auth0, client_secret: 'auth0-secret-value', scopes: [], grantTypes: [PASSWORD_REALM_GRANT], trustForwardedFor: true }],
    rateLimit: false,
  });
  return { tenant, fetch: async (req) => app.fetch(req) };
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
  const cognito = await makeIdp(LEGACY_ISSUERS.cognito, LEGACY_CLIENTS.cognito);
  const clerk = await makeIdp(LEGACY_ISSUERS.clerk, LEGACY_CLIENTS.clerk);
  const auth0Api = makeAuth0Tenant();
  const poolId = new URL(LEGACY_ISSUERS.cognito).pathname.slice(1);
  const cognitoApi = createCognitoApp({ region: poolId.split('_')[0], userPoolId: poolId, clients: [{ clientId: LEGACY_CLIENTS.cognito, clientSecret: `${LEGACY_CLIENTS.cognito}-secret`, adminUserPasswordAuth: true }] });
  const clerkApi = createClerkApp({ rateLimit: { limit: 1000, perSeconds: 10, retryAfter: true } });
  const net: Network = { auth0, olympus, cognito, clerk, originRequests: [], originHandler: undefined, notifications: [], webhookStatus: 200, auth0Api: auth0Api.tenant, cognitoApi: cognitoApi.api, clerkApi: clerkApi.api };
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input as RequestInfo, init);
    const url = new URL(req.url);
    if (url.origin === new URL(ISSUERS.auth0).origin) return auth0.handle(req);
    if (url.origin === new URL(ISSUERS.olympus).origin) return olympus.handle(req);
    if (url.href.startsWith(`${LEGACY_ISSUERS.cognito}/`)) return cognito.handle(new Request(req.url.replace(LEGACY_ISSUERS.cognito, new URL(LEGACY_ISSUERS.cognito).origin), req));
    if (url.origin === new URL(LEGACY_ISSUERS.clerk).origin) return clerk.handle(req);
    if (url.href === INTROSPECTION_URL) {
      olympus.counts.introspection++;
      olympus.lastIntrospectionHeaders = req.headers;
      const form = new URLSearchParams(await req.text());
      const expected = `Basic ${btoa(`${CLIENTS.olympus}:olympus-secret-value`)}`;
      if (req.headers.get('authorization') !== expected) return Response.json({ error: 'invalid_client' }, { status: 401 });
      return Response.json(olympus.opaque.get(form.get('token') ?? '') ?? { active: false });
    }
    if (url.origin === AUTH0_MGMT_ORIGIN) return auth0Api.fetch(req);
    if (url.origin === new URL(COGNITO_ADMIN_ENDPOINT).origin) return cognitoApi.app.fetch(req);
    if (url.origin === CLERK_API_URL) return clerkApi.app.fetch(req);
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

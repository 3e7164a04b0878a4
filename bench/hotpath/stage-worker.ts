// Bench-only worker (never in the shipped bundle): runs one stage of the
// gateway's hot path N times inside one request, with the gateway's own
// modules, in the same workerd as the built worker. workerd freezes
// Date.now()/performance.now() while JavaScript runs (a Spectre mitigation),
// so nothing here times itself: the driver reads the workerd process' CPU
// from the kernel around each /run request and subtracts a `noop` run of the
// same N (stage-timing.ts).
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey as JoseKey } from 'jose';
import { configFromEnv, type GatewayConfig } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import { readFlag, type FlagRead } from '../../src/flag/kv-flag.ts';
import { loginFlag } from '../../src/flag/controller-flag.ts';
import { gatewayAssertion } from '../../src/origin/gateway-assertion.ts';
import { providerHeaderValue, setIdentityHeaders } from '../../src/origin/identity-headers.ts';
import { originRequest } from '../../src/origin/origin-request.ts';
import { publicBase } from '../../src/http/public-url.ts';
import { clientKey } from '../../src/telemetry/client-key.ts';
import { recordOutcome } from '../../src/telemetry/outcome-recorder.ts';
import { verifyAccessToken } from '../../src/verify/access-token-verifier.ts';
import { authenticate, type Credentials } from '../../src/verify/authenticator.ts';
import type { Principal } from '../../src/verify/principal.ts';
import { readSession } from '../../src/verify/session.ts';
import app from '../../src/worker.ts';

export type StageKind = 'passthrough' | 'session-auth0' | 'bearer-jwt' | 'opaque-token';

interface Fixture {
  creds: Record<Exclude<StageKind, 'passthrough'>, Credentials>;
  principals: Record<Exclude<StageKind, 'passthrough'>, Principal>;
  floor: { rs: { token: string; key: JoseKey }; es: { token: string; key: JoseKey } };
}
let fixture: Fixture | undefined;

function flags(env: Env, config: GatewayConfig) {
  return { current: (): Promise<FlagRead> => readFlag(env.SWITCHBACK_KV, config.flagCacheTtlMs), authoritative: () => loginFlag(env, config.flagCacheTtlMs) };
}

async function floorToken(alg: 'RS256' | 'ES256'): Promise<{ token: string; key: JoseKey }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const token = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg, kid: `floor-${alg}`, typ: 'at+jwt' })
    .setIssuer('https://floor.test/')
    .setAudience('https://api.floor.test')
    .setSubject('floor-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  await exportJWK(publicKey);
  return { token, key: publicKey };
}

/** One credential per kind, as the load generator sends them; verified once here (fills the JWKS and introspection caches). */
async function setup(env: Env, body: { sessionCookie: string; jwt: string; opaque: string }): Promise<Record<string, unknown>> {
  const config = configFromEnv(env);
  const creds: Fixture['creds'] = {
    'session-auth0': { sessionCookie: body.sessionCookie, authorization: undefined },
    'bearer-jwt': { sessionCookie: undefined, authorization: `Bearer ${body.jwt}` },
    'opaque-token': { sessionCookie: undefined, authorization: `Bearer ${body.opaque}` },
  };
  const principals = {} as Fixture['principals'];
  for (const kind of Object.keys(creds) as (keyof Fixture['creds'])[]) {
    const r = await authenticate(config, creds[kind], flags(env, config));
    if (r.kind !== 'authenticated') throw new Error(`${kind}: ${JSON.stringify(r)}`);
    principals[kind] = r.principal;
  }
  fixture = { creds, principals, floor: { rs: await floorToken('RS256'), es: await floorToken('ES256') } };
  return Object.fromEntries(Object.entries(principals).map(([k, p]) => [k, `${p.provider} ${p.sub} via ${p.via}`]));
}

type Stage = (env: Env, req: Request, ctx: { waitUntil(p: Promise<unknown>): void }, kind: StageKind, path: string) => unknown;

function principal(kind: StageKind): Principal {
  if (kind === 'passthrough') throw new Error('no principal on the public path');
  return fixture!.principals[kind];
}

const UNUSED = undefined;

/**
 * The origin's answer without the network: the `app` and `bare` stages run the whole request
 * (routing, middleware, verification, forwarding, the response) with this as `fetch`, so the
 * figure is the isolate's CPU alone, the same canned answer for the gateway and the bare proxy.
 */
const ORIGIN_BODY = JSON.stringify({ ok: true, note: 'canned origin answer for the stage timing' });
const realFetch = globalThis.fetch;
let cannedPrefix = '';
async function cannedOrigin(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // Anything else (an introspection refresh, a key set) goes out for real, as in the gateway.
  if (!String(input instanceof Request ? input.url : input).startsWith(cannedPrefix)) return realFetch(input, init);
  if (init?.body) await new Response(init.body).arrayBuffer();
  return new Response(ORIGIN_BODY, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
}

/** The request a load generator sends, at the gateway's public URL. */
function incoming(env: Env, req: Request, path: string): Request {
  return new Request(`${configFromEnv(env).publicUrl ?? 'http://gateway.test'}${path}`, { headers: req.headers });
}

/** bare-proxy.ts's worker, in this isolate. */
async function bareProxy(request: Request, originUrl: string): Promise<Response> {
  const url = new URL(request.url);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const res = await fetch(originUrl + url.pathname + url.search, { method: request.method, headers: request.headers, body: hasBody ? request.body : undefined, redirect: 'manual' });
  return new Response(res.body, res);
}

async function drain(res: Response, expect: number): Promise<void> {
  await res.arrayBuffer();
  if (res.status !== expect) throw new Error(`answered ${res.status}`);
}

/** Each stage as the proxy route runs it (src/routes/proxy.ts), on the request the driver sent. */
export const STAGES = {
  noop: async () => UNUSED,
  config: async (env) => configFromEnv(env),
  'session-decrypt': async (env) => readSession(configFromEnv(env), fixture!.creds['session-auth0'].sessionCookie!),
  'jwt-verify': async (env) => verifyAccessToken(configFromEnv(env), fixture!.creds['bearer-jwt'].authorization!.slice(7)),
  'introspection-hit': async (env) => verifyAccessToken(configFromEnv(env), fixture!.creds['opaque-token'].authorization!.slice(7)),
  'flag-read': async (env) => readFlag(env.SWITCHBACK_KV, configFromEnv(env).flagCacheTtlMs),
  authenticate: async (env, _req, _ctx, kind) => {
    const config = configFromEnv(env);
    return authenticate(config, fixture!.creds[kind as keyof Fixture['creds']], flags(env, config));
  },
  'origin-request': async (env, req) => originRequest(req, configFromEnv(env).originUrl),
  'gateway-assertion': async (env, req, _ctx, kind) => {
    const config = configFromEnv(env);
    return gatewayAssertion(config.signingKey, publicBase(config, req), config.originUrl, principal(kind), 'auth0');
  },
  'identity-headers': async (env, req, _ctx, kind) => setIdentityHeaders(new Headers(req.headers), principal(kind), 'x.y.z', providerHeaderValue(configFromEnv(env), principal(kind).provider)),
  'client-key': async (env, req) => clientKey(req, configFromEnv(env)),
  'telemetry-enqueue': async (env, req, ctx, kind) =>
    recordOutcome(env, ctx, { k: 'api', provider: kind === 'passthrough' ? 'anonymous' : principal(kind).provider, client: await clientKey(req, configFromEnv(env)), error: false, n: 1, at: Date.now() }),
  app: async (env, req, ctx, _kind, path) => drain(await app.fetch(incoming(env, req, path), env, ctx as Parameters<typeof app.fetch>[2]), 200),
  bare: async (env, req, _ctx, _kind, path) => drain(await bareProxy(incoming(env, req, path), configFromEnv(env).originUrl), 200),
  'floor-rs256': async () => jwtVerify(fixture!.floor.rs.token, fixture!.floor.rs.key),
  'floor-es256': async () => jwtVerify(fixture!.floor.es.token, fixture!.floor.es.key),
} satisfies Record<string, Stage>;
export type StageName = keyof typeof STAGES;

export default {
  async fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const url = new URL(req.url);
    try {
      if (url.pathname === '/setup') return Response.json(await setup(env, await req.json()));
      if (url.pathname === '/run') {
        const name = url.searchParams.get('stage') as StageName;
        const kind = (url.searchParams.get('kind') ?? 'passthrough') as StageKind;
        const n = Number(url.searchParams.get('n') ?? '1');
        const stage: Stage | undefined = STAGES[name];
        if (!stage || !fixture) return new Response(`unknown stage ${name} or no setup`, { status: 400 });
        const path = url.searchParams.get('path') ?? '/';
        const canned = name === 'app' || name === 'bare';
        cannedPrefix = configFromEnv(env).originUrl;
        if (canned) globalThis.fetch = cannedOrigin as typeof fetch;
        try {
          for (let i = 0; i < n; i++) await stage(env, req, ctx, kind, path);
        } finally {
          if (canned) globalThis.fetch = realFetch;
        }
        return new Response('ok');
      }
      return new Response('not found', { status: 404 });
    } catch (err) {
      return new Response(String((err as Error)?.stack ?? err), { status: 500 });
    }
  },
};

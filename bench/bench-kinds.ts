// The request kinds the benchmark compares, each with real credentials from
// the local stack: no credentials on a public path (the baseline), gateway
// session cookies from a sign-in through each provider, an Auth0-stand-in JWT
// and an Olympus-stand-in opaque token. Each kind is checked once against
// /api/whoami before any load, so a fast 200 can't come from a wrong identity.
import type { Stack } from '../dev/stack.ts';
import { TinyBrowser } from '../dev/tiny-browser.ts';
import type { BenchOptions, KindName } from './bench-options.ts';
import { codeFlowTokens } from './code-flow.ts';

export const PASSTHROUGH_PATH = '/api/health';
const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const AUTH0_ALICE = 'auth0|alice';
const OLYMPUS_ALICE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

export interface BenchKind {
  name: KindName;
  description: string;
  path: string;
  headers: Record<string, string>;
  /** Identity the origin must see; undefined for the public passthrough. */
  expect?: { provider: 'auth0' | 'olympus'; sub: string };
}

async function setFlag(stack: Stack, olympus: boolean): Promise<void> {
  const res = await stack.setFlag('olympus_auth', olympus);
  if (res.status !== 200) throw new Error(`setting olympus_auth=${olympus} answered ${res.status}: ${await res.text()}`);
}

/** Signs in through the gateway (provider chosen by the flag) and returns the sb_session value. */
async function gatewaySession(stack: Stack, olympus: boolean): Promise<string> {
  await setFlag(stack, olympus);
  const browser = new TinyBrowser('switchback-bench/1');
  const login = await browser.navigate(`${stack.gatewayUrl}/login`);
  const home = await browser.submitForm(login, ALICE);
  if (home.url !== `${stack.gatewayUrl}/`) throw new Error(`sign-in ended at ${home.url} (HTTP ${home.status}), not the app`);
  const cookie = browser.cookiesFor(`${stack.gatewayUrl}/`)['__Host-sb_session'];
  if (!cookie) throw new Error('no sb_session cookie after sign-in');
  return cookie;
}

async function auth0Jwt(stack: Stack): Promise<string> {
  const tokens = await codeFlowTokens({
    discoveryUrl: stack.auth0.discoveryUrl,
    clientId: stack.auth0.clientId,
    clientSecret: stack.auth0.clientSecret,
    clientAuth: 'client_secret_post',
    redirectUri: `${stack.gatewayUrl}/callback`,
    audience: stack.auth0.audience,
    ...ALICE,
  });
  if (tokens.access_token.split('.').length !== 3) throw new Error('auth0-like did not issue a JWT access token');
  return tokens.access_token;
}

async function olympusOpaque(stack: Stack): Promise<string> {
  const tokens = await codeFlowTokens({
    discoveryUrl: stack.olympus.discoveryUrl,
    clientId: stack.olympus.clientId,
    clientSecret: stack.olympus.clientSecret,
    clientAuth: 'client_secret_basic',
    redirectUri: `${stack.gatewayUrl}/callback`,
    ...ALICE,
  });
  if (tokens.access_token.split('.').length === 3) throw new Error('olympus-like issued a JWT, expected an opaque token');
  return tokens.access_token;
}

const JSON_ACCEPT = { accept: 'application/json' };

/**
 * Obtains every credential the chosen kinds need. Leaves olympus_auth on: Olympus
 * sessions and tokens are only accepted while it is (or during the overlap).
 */
export async function prepareKinds(stack: Stack, options: BenchOptions): Promise<BenchKind[]> {
  const want = new Set(options.kinds);
  const kinds = new Map<KindName, BenchKind>();
  kinds.set('passthrough', { name: 'passthrough', description: `GET ${PASSTHROUGH_PATH}, public path, no credentials`, path: PASSTHROUGH_PATH, headers: JSON_ACCEPT });
  if (want.has('session-auth0')) {
    const cookie = await gatewaySession(stack, false);
    kinds.set('session-auth0', {
      name: 'session-auth0',
      description: `GET ${options.path}, sb_session from a sign-in through the Auth0 stand-in`,
      path: options.path,
      headers: { ...JSON_ACCEPT, cookie: `__Host-sb_session=${cookie}` },
      expect: { provider: 'auth0', sub: AUTH0_ALICE },
    });
  }
  if (want.has('session-olympus')) {
    const cookie = await gatewaySession(stack, true);
    kinds.set('session-olympus', {
      name: 'session-olympus',
      description: `GET ${options.path}, sb_session from a sign-in through the Olympus stand-in`,
      path: options.path,
      headers: { ...JSON_ACCEPT, cookie: `__Host-sb_session=${cookie}` },
      expect: { provider: 'olympus', sub: OLYMPUS_ALICE },
    });
  }
  if (want.has('bearer-jwt')) {
    kinds.set('bearer-jwt', {
      name: 'bearer-jwt',
      description: `GET ${options.path}, Authorization: Bearer <Auth0-stand-in RS256 JWT>`,
      path: options.path,
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${await auth0Jwt(stack)}` },
      expect: { provider: 'auth0', sub: AUTH0_ALICE },
    });
  }
  if (want.has('opaque-token')) {
    kinds.set('opaque-token', {
      name: 'opaque-token',
      description: `GET ${options.path}, Authorization: Bearer <Olympus-stand-in opaque token> (introspected, cached)`,
      path: options.path,
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${await olympusOpaque(stack)}` },
      expect: { provider: 'olympus', sub: OLYMPUS_ALICE },
    });
  }
  await setFlag(stack, true);
  return options.kinds.map((k) => kinds.get(k)!);
}

/** One request per kind through /api/whoami: the origin must see the expected identity and a valid assertion. */
export async function checkKinds(stack: Stack, kinds: BenchKind[]): Promise<void> {
  for (const kind of kinds) {
    if (!kind.expect) {
      const res = await fetch(`${stack.gatewayUrl}${kind.path}`, { headers: kind.headers });
      if (res.status !== 200) throw new Error(`${kind.name}: ${kind.path} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      continue;
    }
    const res = await fetch(`${stack.gatewayUrl}/api/whoami`, { headers: kind.headers });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const ok = res.status === 200 && body.provider === kind.expect.provider && body.sub === kind.expect.sub && body.assertion === 'valid';
    if (!ok) throw new Error(`${kind.name}: /api/whoami answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  const verifiedPaths = new Set(kinds.filter((k) => k.expect).map((k) => k.path));
  for (const path of verifiedPaths) {
    const res = await fetch(`${stack.gatewayUrl}${path}`, { headers: JSON_ACCEPT });
    await res.arrayBuffer();
    if (res.status !== 401) throw new Error(`${path} without credentials answered ${res.status}, expected 401: is it a public path?`);
  }
}

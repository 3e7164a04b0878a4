// Local stand-in for an Amazon Cognito user pool with managed login, shaped
// after the developer guide (authorization-endpoint, token-endpoint,
// logout-endpoint, using-the-access-token, using-the-id-token) and what
// awslabs/aws-jwt-verify checks:
// - endpoints on the pool domain: /oauth2/authorize, /oauth2/token,
//   /oauth2/userInfo, /oauth2/revoke, /logout, and the managed login pages
//   /signup and /forgotPassword; PKCE optional, client_secret_basic;
// - access tokens are RS256 JWTs with no `aud`, `client_id`, `token_use:
//   "access"`, `scope`, `username`, `origin_jti` and no `typ` header; ID
//   tokens have `aud` = the app client, `token_use: "id"`, `cognito:username`;
//   1 h access and ID tokens;
// - logout is not RP-initiated logout: `GET /logout?client_id=&logout_uri=`
//   where logout_uri is an allowed sign-out URL of the app client; a request
//   with only the standard parameters (id_token_hint, post_logout_redirect_uri)
//   is refused like Cognito refuses it (no logout_uri, no redirect_uri).
// One difference, on purpose: the issuer is this server's root
// (http://127.0.0.1:<port>), where Cognito's is
// https://cognito-idp.<region>.amazonaws.com/<poolId> on another host than
// the pool domain; the gateway accepts a loopback issuer for COGNITO_ISSUER.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { randomUUID } from 'node:crypto';
import { decodeJwt, importJWK, SignJWT, type JWK } from 'jose';
import { readForm, sendHtml } from '../http-util.ts';
import type { IdpMode } from './control.ts';
import { baseConfig, type IdpClient } from './base-config.ts';
import { startIdp, type IdpHandle } from './idp-server.ts';
import { generateRs256Jwk } from './keys.ts';
import { errorPage, resetPasswordPage, type Brand } from './pages.ts';
import { uuidSubject, UserStore, type SeedUser, type UserDirectory } from './users.ts';

export const DEFAULT_COGNITO_USERS: SeedUser[] = [
  { sub: '5f1c2b7a-90d3-4e8f-b1a6-3c4d5e6f7a80', email: 'alice@example.com', password: 'alice-pass', given_name: 'Alice', family_name: 'Anderson' },
  { sub: '8a2d4c6e-1f3b-4d5a-9c7e-0b2d4f6a8c1e', email: 'carol@example.com', password: 'carol-pass', given_name: 'Carol', family_name: 'Chen' },
];

export const COGNITO_ROUTES = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userInfo',
  jwks: '/.well-known/jwks.json',
  revocation: '/oauth2/revoke',
  // oidc-provider's own RP-initiated logout is off; Cognito's /logout is served below.
  end_session: '/_oidc-provider/end-session-disabled',
};

/**
 * A resource indicator that only exists to make oidc-provider mint JWT access
 * tokens (it insists on an `aud` and `typ: at+jwt`); the token endpoint's
 * answer is rewritten to Cognito's shape (cognitoShapedTokens).
 */
const ACCESS_RESOURCE = 'urn:switchback:cognito-like:access';

export interface CognitoLikeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clients?: IdpClient[];
  users?: SeedUser[];
  extraUsers?: SeedUser[];
  /** A user store shared with the admin API stand-in (dev/cognito-api/directory.ts); replaces users/extraUsers. */
  directory?: UserDirectory;
  mode?: Partial<IdpMode>;
  logErrors?: boolean;
}

interface StructuredToken {
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Cognito's /logout (logout-endpoint.html): `client_id` plus either `logout_uri`
 * (an allowed sign-out URL) or `redirect_uri` + `response_type` (back to sign-in).
 * The session at the pool domain ends and the browser goes to logout_uri.
 */
function logoutRoute(brand: Brand, clients: IdpClient[], provider: () => Provider | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    const refuse = (description: string) => sendHtml(res, 400, errorPage(brand, { error: 'invalid_request', error_description: description }));
    const client = clients.find((c) => c.client_id === q.get('client_id'));
    if (!client) return refuse('Required String parameter client_id is invalid or missing');
    const logoutUri = q.get('logout_uri');
    if (!logoutUri) {
      // The standard RP-initiated parameters mean nothing here.
      const standard = ['id_token_hint', 'post_logout_redirect_uri'].filter((p) => q.has(p));
      return refuse(`Required String parameter logout_uri is not present${standard.length ? ` (Cognito does not take ${standard.join(', ')})` : ''}`);
    }
    if (!(client.post_logout_redirect_uris ?? []).includes(logoutUri)) return refuse('Invalid logout_uri: not an allowed sign-out URL of the app client');
    const p = provider();
    if (p) {
      // oidc-provider's Session model (not in our slim type declarations): the browser's session, by its cookie.
      const sessions = (p as unknown as { Session: { get(ctx: unknown): Promise<{ accountId?: string; destroy(): Promise<void> }> } }).Session;
      const session = await sessions.get({ req, res });
      if (session.accountId) await session.destroy();
    }
    res.writeHead(302, { location: logoutUri, 'cache-control': 'no-store' });
    res.end();
  };
}

/**
 * oidc-provider refuses to sign a JWT access token without `aud` and always
 * writes `typ: at+jwt`; Cognito's access tokens have neither. So the token
 * endpoint's JSON answer is caught on its way out and its access token signed
 * again, with the same key, without them. Everything else passes unchanged.
 */
function cognitoShapedTokens(signingKey: JWK) {
  const key = importJWK(signingKey, 'RS256');
  return (res: ServerResponse): void => {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      void (async () => {
        let out = chunk;
        try {
          const body = JSON.parse(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk)) as Record<string, unknown>;
          if (typeof body.access_token === 'string' && body.access_token.split('.').length === 3) {
            const { aud: _aud, ...claims } = decodeJwt(body.access_token);
            body.access_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid! }).sign(await key);
            out = JSON.stringify(body);
            if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out as string));
          }
        } catch {
          // Not a token answer (an error page, a redirect): as it is.
        }
        end(out);
      })();
      return res;
    }) as typeof res.end;
  };
}

function managedLoginPages(brand: Brand) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === '/signup' && req.method === 'GET') {
      // Managed login's sign-up page takes the authorization request's parameters; here it is the sign-up prompt.
      const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
      q.set('prompt', 'create');
      res.writeHead(302, { location: `${COGNITO_ROUTES.authorization}?${q}` });
      res.end();
      return true;
    }
    if (pathname === '/forgotPassword') {
      // Cognito sends a code by email or SMS; the stand-in sends nothing.
      sendHtml(res, 200, resetPasswordPage(brand, req.method === 'POST' ? ((await readForm(req)).get('email') ?? '') : undefined));
      return true;
    }
    return false;
  };
}

export async function startCognitoLike(options: CognitoLikeOptions = {}): Promise<IdpHandle> {
  const users: UserDirectory = options.directory ?? new UserStore([...(options.users ?? DEFAULT_COGNITO_USERS), ...(options.extraUsers ?? [])], uuidSubject);
  const signingKey = await generateRs256Jwk('cognito-like');
  const brand: Brand = { product: 'Cognito', color: '#dd344c' };
  const clients = options.clients ?? [];
  let provider: Provider | undefined;

  const buildConfig = (_issuer: string, mode: IdpMode): Configuration => {
    const base = baseConfig({
      brand,
      cookiePrefix: '_cognitolike',
      users,
      mode,
      signingKey,
      clients,
      clientDefaults: { token_endpoint_auth_method: 'client_secret_basic' },
      routes: COGNITO_ROUTES,
      ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 30 * 86_400 },
      pkceRequired: false,
    });
    return {
      ...base,
      async findAccount(_ctx: unknown, sub: string) {
        const user = users.findBySub(sub);
        if (!user) return undefined;
        // ID token claims of a user pool (using-the-id-token.html).
        return { accountId: sub, claims: async () => ({ ...user, token_use: 'id', 'cognito:username': user.email }) };
      },
      claims: {
        openid: ['sub', 'token_use', 'cognito:username'],
        email: ['email', 'email_verified'],
        profile: ['name', 'given_name', 'family_name'],
      },
      extraParams: { screen_hint: null },
      features: {
        ...(base.features as Record<string, unknown>),
        rpInitiatedLogout: { enabled: false },
        introspection: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => ACCESS_RESOURCE,
          useGrantedResource: async () => true,
          getResourceServerInfo: async () => ({
            scope: 'openid profile email',
            audience: ACCESS_RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 3600,
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      formats: {
        customizers: {
          // using-the-access-token.html: client_id, token_use access (aud and typ go in cognitoShapedTokens).
          async jwt(_ctx: unknown, token: { clientId: string; accountId?: string }, jwt: StructuredToken) {
            const { client_id: clientId, ...payload } = jwt.payload;
            const user = token.accountId ? users.findBySub(token.accountId) : undefined;
            jwt.payload = {
              ...payload,
              client_id: clientId ?? token.clientId,
              token_use: 'access',
              username: user?.email ?? token.accountId,
              origin_jti: randomUUID(),
              auth_time: payload.iat,
            };
          },
        },
      },
    };
  };

  const logout = logoutRoute(brand, clients, () => provider);
  const reshapeTokens = cognitoShapedTokens(signingKey);
  const pages = managedLoginPages(brand);
  const handle = await startIdp({
    brand,
    port: options.port ?? 0,
    trailingSlashIssuer: false,
    users,
    mode: { failLogins: false, delayMs: 0, unavailable: false, ...options.mode },
    routes: COGNITO_ROUTES,
    buildConfig,
    extraRoutes: async (req, res, pathname) => {
      if (pathname === COGNITO_ROUTES.token && req.method === 'POST') {
        reshapeTokens(res);
        return false;
      }
      if (pathname === '/logout' && req.method === 'GET') {
        await logout(req, res);
        return true;
      }
      return pages(req, res, pathname);
    },
    logErrors: options.logErrors,
  });
  provider = handle.provider;
  return handle;
}

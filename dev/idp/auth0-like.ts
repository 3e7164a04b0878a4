// Local stand-in for an Auth0 tenant: issuer with a trailing slash, Auth0's
// endpoint paths, the `audience` authorization parameter that yields RS256 JWT
// access tokens (Auth0 token profile by default), PKCE optional,
// client_secret_post/basic, RP-initiated logout at /oidc/logout, and the
// Universal Login password reset page (the gateway's AUTH0_RECOVERY_URL).
import { errors, type Configuration } from 'oidc-provider';
import type { IdpMode } from './control.ts';
import { baseConfig, type IdpClient } from './base-config.ts';
import { startIdp, type IdpHandle } from './idp-server.ts';
import { generateRs256Jwk } from './keys.ts';
import type { Brand } from './pages.ts';
import { passwordResetRoutes, type PasswordReset } from './password-reset.ts';
import { auth0Subject, UserStore, type SeedUser, type UserDirectory } from './users.ts';
import { AUTH0_RECOVERY_PATH } from './auth0-paths.ts';

export const DEFAULT_AUTH0_AUDIENCE = 'https://api.switchback.local/';

export const DEFAULT_AUTH0_USERS: SeedUser[] = [
  { sub: 'auth0|alice', email: 'alice@example.com', password: 'alice-pass', given_name: 'Alice', family_name: 'Anderson' },
  { sub: 'auth0|carol', email: 'carol@example.com', password: 'carol-pass', given_name: 'Carol', family_name: 'Chen' },
];

export const AUTH0_ROUTES = {
  authorization: '/authorize',
  token: '/oauth/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  end_session: '/oidc/logout',
  revocation: '/oauth/revoke',
  pushed_authorization_request: '/oauth/par',
};

export { AUTH0_RECOVERY_PATH };

export interface Auth0LikeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clients?: IdpClient[];
  /** Replaces the default seeded users (DEFAULT_AUTH0_USERS). */
  users?: SeedUser[];
  /** Added to the seeded users. */
  extraUsers?: SeedUser[];
  /** A user store shared with another stand-in; replaces users/extraUsers. */
  directory?: UserDirectory;
  /** Sends real reset emails (and serves the link's page) from the directory's tenant; without it the reset page sends nothing. */
  passwordReset?: PasswordReset;
  /** APIs (audience values) this tenant knows; others are rejected. */
  audiences?: string[];
  /**
   * "auth0" (default): access token header typ "JWT", aud [audience, <issuer>userinfo], azp claim, like
   * Auth0's default token profile. "rfc9068": typ "at+jwt", aud = audience, client_id claim.
   */
  accessTokenProfile?: 'auth0' | 'rfc9068';
  /** Seconds; default 86400 (Auth0's default API token lifetime). */
  accessTokenTtl?: number;
  mode?: Partial<IdpMode>;
  logErrors?: boolean;
}

interface JwtCustomizerToken {
  clientId: string;
  resourceServer?: { audience?: string };
}
interface StructuredToken {
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export async function startAuth0Like(options: Auth0LikeOptions = {}): Promise<IdpHandle> {
  const audiences = new Set(options.audiences ?? [DEFAULT_AUTH0_AUDIENCE]);
  const profile = options.accessTokenProfile ?? 'auth0';
  const accessTokenTtl = options.accessTokenTtl ?? 86_400;
  const users = options.directory ?? new UserStore([...(options.users ?? DEFAULT_AUTH0_USERS), ...(options.extraUsers ?? [])], auth0Subject);
  const signingKey = await generateRs256Jwk('auth0-like');
  const brand = { product: 'Auth0', color: '#eb5424' };

  const buildConfig = (issuer: string, mode: IdpMode): Configuration => {
    const base = baseConfig({
      brand,
      cookiePrefix: '_auth0like',
      users,
      mode,
      signingKey,
      clients: options.clients ?? [],
      clientDefaults: { token_endpoint_auth_method: 'client_secret_post' },
      routes: AUTH0_ROUTES,
      ttl: { AccessToken: accessTokenTtl, IdToken: 36_000, RefreshToken: 30 * 86_400 },
      pkceRequired: false,
    });
    return {
      ...base,
      // Auth0 takes the API identifier as `audience`, not RFC 8707 `resource`.
      extraParams: {
        audience(_ctx: unknown, value: unknown) {
          if (value !== undefined && (typeof value !== 'string' || !audiences.has(value))) {
            throw new errors.AccessDenied(`Service not found: ${String(value)}`);
          }
        },
        screen_hint: null,
      },
      features: {
        ...(base.features as Record<string, unknown>),
        introspection: { enabled: false },
        resourceIndicators: {
          enabled: true,
          // authorization request: map `audience` to the resource indicator;
          // token request: keep what the code was granted for.
          async defaultResource(ctx: { oidc: { params?: Record<string, unknown> } }, _client: unknown, oneOf?: string | string[]) {
            if (oneOf) return Array.isArray(oneOf) ? oneOf[0] : oneOf;
            const audience = ctx.oidc.params?.audience;
            return typeof audience === 'string' ? audience : undefined;
          },
          useGrantedResource: async () => true,
          async getResourceServerInfo(_ctx: unknown, indicator: string) {
            // Auth0 answers an unknown audience with access_denied "Service not found".
            if (!audiences.has(indicator)) throw new errors.AccessDenied(`Service not found: ${indicator}`);
            return {
              scope: 'openid profile email offline_access',
              audience: indicator,
              accessTokenFormat: 'jwt',
              accessTokenTTL: accessTokenTtl,
              jwt: { sign: { alg: 'RS256' } },
            };
          },
        },
      },
      formats: {
        customizers: {
          async jwt(_ctx: unknown, token: JwtCustomizerToken, jwt: StructuredToken) {
            if (profile !== 'auth0') return;
            jwt.header = { ...jwt.header, typ: 'JWT' };
            const { client_id: clientId, ...payload } = jwt.payload;
            const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
            const aud = token.resourceServer?.audience ?? payload.aud;
            jwt.payload = {
              ...payload,
              aud: scope.includes('openid') ? [aud, `${issuer}userinfo`] : aud,
              azp: clientId ?? token.clientId,
            };
          },
        },
      },
    };
  };

  return startIdp({
    brand,
    port: options.port ?? 0,
    trailingSlashIssuer: true,
    users,
    mode: { failLogins: false, delayMs: 0, unavailable: false, ...options.mode },
    routes: AUTH0_ROUTES,
    buildConfig,
    extraRoutes: passwordResetRoutes(brand, AUTH0_RECOVERY_PATH, options.passwordReset),
    logErrors: options.logErrors,
  });
}

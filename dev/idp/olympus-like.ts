// Local stand-in for "Olympus" (Ory Kratos + Hydra): issuer without trailing
// slash, Hydra's endpoint paths, PKCE S256 required, opaque access tokens with
// RFC 7662 introspection (client authentication required), 1 h access/ID
// tokens, 30 d refresh tokens, a Kratos-like recovery page, and Hydra's
// refusal of a logout redirect without id_token_hint.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Configuration } from 'oidc-provider';
import { readForm, sendHtml } from '../http-util.ts';
import type { IdpMode } from './control.ts';
import { baseConfig, type IdpClient } from './base-config.ts';
import { startIdp, type IdpHandle } from './idp-server.ts';
import { generateRs256Jwk } from './keys.ts';
import { errorPage, recoveryPage, type Brand } from './pages.ts';
import { uuidSubject, UserStore, type SeedUser, type UserDirectory } from './users.ts';
import { passwordMigrationVerifier, type PasswordMigrationHookOptions } from './password-migration-hook.ts';

export const DEFAULT_OLYMPUS_USERS: SeedUser[] = [
  // Migrated from Auth0 (auth0|alice): same email, new UUID subject.
  { sub: '7c9e6679-7425-40de-944b-e07fc1f90ae7', email: 'alice@example.com', password: 'alice-pass', given_name: 'Alice', family_name: 'Anderson' },
  // Signed up directly in Olympus.
  { sub: '3f2b8c1e-5d4a-4b6f-9e0d-2a1c7b8e9f30', email: 'bob@example.com', password: 'bob-pass', given_name: 'Bob', family_name: 'Brown' },
];

export const OLYMPUS_ROUTES = {
  authorization: '/oauth2/auth',
  token: '/oauth2/token',
  userinfo: '/userinfo',
  jwks: '/.well-known/jwks.json',
  end_session: '/oauth2/sessions/logout',
  introspection: '/oauth2/introspect',
  revocation: '/oauth2/revoke',
  pushed_authorization_request: '/oauth2/par',
};

export const OLYMPUS_RECOVERY_PATH = '/self-service/recovery/browser';

export interface OlympusLikeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clients?: IdpClient[];
  /** Replaces the default seeded users (DEFAULT_OLYMPUS_USERS). */
  users?: SeedUser[];
  /** Added to the seeded users. */
  extraUsers?: SeedUser[];
  /** A user store shared with another stand-in; replaces users/extraUsers. */
  directory?: UserDirectory;
  mode?: Partial<IdpMode>;
  logErrors?: boolean;
  /** Identities imported without a hash, checked by Kratos's password migration hook at first sign-in. */
  passwordMigration?: PasswordMigrationHookOptions;
}

function recoveryRoute(brand: Brand) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname !== OLYMPUS_RECOVERY_PATH) return false;
    if (req.method === 'POST') {
      const form = await readForm(req);
      sendHtml(res, 200, recoveryPage(brand, form.get('email') ?? ''));
    } else {
      sendHtml(res, 200, recoveryPage(brand));
    }
    return true;
  };
}

/**
 * Hydra's rule for RP-initiated logout, which oidc-provider does not have
 * (it accepts `client_id` instead of the hint): `post_logout_redirect_uri` or
 * `state` without `id_token_hint` is refused with invalid_request, "Logout
 * failed because query parameter post_logout_redirect_uri is set but
 * id_token_hint is missing." (ory/hydra consent/strategy_default.go,
 * issueLogoutVerifier; https://www.ory.sh/docs/hydra/guides/logout). Hydra
 * shows its error page and the browser's session at Hydra survives. Enforced
 * here on GET, the method the gateway uses.
 */
function hydraLogoutRule(brand: Brand) {
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (pathname !== OLYMPUS_ROUTES.end_session || req.method !== 'GET') return false;
    const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    if (q.get('id_token_hint')) return false;
    const param = q.get('post_logout_redirect_uri') ? 'post_logout_redirect_uri' : q.get('state') ? 'state' : undefined;
    if (!param) return false;
    sendHtml(res, 400, errorPage(brand, {
      error: 'invalid_request',
      error_description: `The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed. Logout failed because query parameter ${param} is set but id_token_hint is missing.`,
    }));
    return true;
  };
}

export async function startOlympusLike(options: OlympusLikeOptions = {}): Promise<IdpHandle> {
  const users = options.directory ?? new UserStore([...(options.users ?? DEFAULT_OLYMPUS_USERS), ...(options.extraUsers ?? [])], uuidSubject);
  const signingKey = await generateRs256Jwk('olympus-like');
  const brand: Brand = { product: 'Olympus', color: '#5528ff' };

  const buildConfig = (_issuer: string, mode: IdpMode): Configuration => {
    const base = baseConfig({
      brand,
      cookiePrefix: '_olympuslike',
      users,
      mode,
      signingKey,
      clients: options.clients ?? [],
      clientDefaults: { token_endpoint_auth_method: 'client_secret_basic' },
      routes: OLYMPUS_ROUTES,
      ttl: { AccessToken: 3600, IdToken: 3600, RefreshToken: 30 * 86_400 },
      pkceRequired: true,
    });
    return {
      ...base,
      extraParams: { screen_hint: null },
      features: {
        ...(base.features as Record<string, unknown>),
        // Opaque access tokens, validated by the gateway through introspection
        // (oidc-provider always requires client authentication there).
        introspection: {
          enabled: true,
          allowedPolicy: async (_ctx: unknown, client: { clientAuthMethod: string }) => client.clientAuthMethod !== 'none',
        },
        resourceIndicators: { enabled: false },
      },
    };
  };

  return startIdp({
    brand,
    port: options.port ?? 0,
    trailingSlashIssuer: false,
    users,
    mode: { failLogins: false, delayMs: 0, unavailable: false, ...options.mode },
    routes: OLYMPUS_ROUTES,
    buildConfig,
    extraRoutes: async (req, res, pathname) => hydraLogoutRule(brand)(req, res, pathname) || (await recoveryRoute(brand)(req, res, pathname)),
    logErrors: options.logErrors,
    verifyPassword: options.passwordMigration && passwordMigrationVerifier(users, options.passwordMigration),
  });
}

// Local stand-in for "Olympus" (Ory Kratos + Hydra): issuer without trailing
// slash, Hydra's endpoint paths, PKCE S256 required, opaque access tokens with
// RFC 7662 introspection (client authentication required), 1 h access/ID
// tokens, 30 d refresh tokens, and a Kratos-like recovery page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Configuration } from 'oidc-provider';
import { readForm, sendHtml } from '../http-util.ts';
import type { IdpMode } from './control.ts';
import { baseConfig, type IdpClient } from './base-config.ts';
import { startIdp, type IdpHandle } from './idp-server.ts';
import { generateRs256Jwk } from './keys.ts';
import { recoveryPage, type Brand } from './pages.ts';
import { uuidSubject, UserStore, type SeedUser } from './users.ts';

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
  mode?: Partial<IdpMode>;
  logErrors?: boolean;
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

export async function startOlympusLike(options: OlympusLikeOptions = {}): Promise<IdpHandle> {
  const users = new UserStore([...(options.users ?? DEFAULT_OLYMPUS_USERS), ...(options.extraUsers ?? [])], uuidSubject);
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
    extraRoutes: recoveryRoute(brand),
    logErrors: options.logErrors,
  });
}

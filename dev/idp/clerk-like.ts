// Local stand-in for Clerk as an OAuth 2.0 / OIDC provider (a Clerk "OAuth
// application"), shaped after clerk-docs how-clerk-implements-oauth:
// - the Frontend API is the issuer; /oauth/authorize, /oauth/token,
//   /oauth/userinfo, and /oauth/token_info for introspecting opaque access
//   tokens (client authentication required); PKCE S256 optional,
//   client_secret_basic;
// - user ids `user_...`; ID token `aud` = the OAuth application's client id;
//   access and ID tokens live 1 day;
// - no end-session endpoint in discovery (Clerk documents none for OAuth
//   applications): the gateway signs out locally.
// Differences, on purpose: opaque access tokens are oidc-provider's random ids,
// not `oat_...`, so the gateway would route them to Olympus's introspection;
// the demo's sign-in does not use them (the gateway's session comes from the
// ID token). Session tokens (the `__session` JWT of Clerk's frontend SDKs)
// are not minted here.
import { randomBytes } from 'node:crypto';
import type { Configuration } from 'oidc-provider';
import type { IdpMode } from './control.ts';
import { baseConfig, type IdpClient } from './base-config.ts';
import { startIdp, type IdpHandle } from './idp-server.ts';
import { generateRs256Jwk } from './keys.ts';
import type { Brand } from './pages.ts';
import { UserStore, type SeedUser, type UserDirectory } from './users.ts';

export const DEFAULT_CLERK_USERS: SeedUser[] = [
  { sub: 'user_2aliceAndersonClerk0001', email: 'alice@example.com', password: 'alice-pass', given_name: 'Alice', family_name: 'Anderson' },
  { sub: 'user_2carolChenClerk00000002', email: 'carol@example.com', password: 'carol-pass', given_name: 'Carol', family_name: 'Chen' },
];

export const CLERK_ROUTES = {
  authorization: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  jwks: '/.well-known/jwks.json',
  introspection: '/oauth/token_info',
  revocation: '/oauth/token/revoke',
  end_session: '/_oidc-provider/end-session-disabled',
};

const clerkSubject = () => `user_${randomBytes(14).toString('hex')}`;

export interface ClerkLikeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  clients?: IdpClient[];
  users?: SeedUser[];
  extraUsers?: SeedUser[];
  /** A user store shared with the admin API stand-in (dev/clerk-api/directory.ts); replaces users/extraUsers. */
  directory?: UserDirectory;
  mode?: Partial<IdpMode>;
  logErrors?: boolean;
}

export async function startClerkLike(options: ClerkLikeOptions = {}): Promise<IdpHandle> {
  const users: UserDirectory = options.directory ?? new UserStore([...(options.users ?? DEFAULT_CLERK_USERS), ...(options.extraUsers ?? [])], clerkSubject);
  const signingKey = await generateRs256Jwk('clerk-like');
  const brand: Brand = { product: 'Clerk', color: '#6c47ff' };

  const buildConfig = (_issuer: string, mode: IdpMode): Configuration => {
    const base = baseConfig({
      brand,
      cookiePrefix: '_clerklike',
      users,
      mode,
      signingKey,
      clients: options.clients ?? [],
      clientDefaults: { token_endpoint_auth_method: 'client_secret_basic' },
      routes: CLERK_ROUTES,
      ttl: { AccessToken: 86_400, IdToken: 86_400, RefreshToken: 365 * 86_400 },
      pkceRequired: false,
    });
    return {
      ...base,
      extraParams: { screen_hint: null },
      features: {
        ...(base.features as Record<string, unknown>),
        rpInitiatedLogout: { enabled: false },
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
    routes: CLERK_ROUTES,
    buildConfig,
    logErrors: options.logErrors,
  });
}

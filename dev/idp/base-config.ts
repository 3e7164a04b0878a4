// oidc-provider configuration shared by both local IdPs: accounts, claims,
// interaction policy (with failure injection and prompt=create), pages, keys,
// storage. Each IdP flavour (auth0-like, olympus-like) layers its quirks on top.
import { interactionPolicy, type Configuration } from 'oidc-provider';
import type { JWK } from 'jose';
import type { IdpMode } from './control.ts';
import { cookieKeys } from './keys.ts';
import { memoryAdapterFactory } from './memory-store.ts';
import { errorPage, loggedOutPage, logoutPage, type Brand } from './pages.ts';
import type { UserDirectory } from './users.ts';

const { Check, Prompt } = interactionPolicy;

/** A confidential OIDC client registered statically with a local IdP. */
export interface IdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  client_name?: string;
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
  [metadata: string]: unknown;
}

export interface BaseConfigInput {
  brand: Brand;
  /** Prefix for cookie names: every local server shares the 127.0.0.1 cookie jar (ports do not isolate cookies). */
  cookiePrefix: string;
  users: UserDirectory;
  mode: IdpMode;
  signingKey: JWK;
  clients: IdpClient[];
  clientDefaults: Record<string, unknown>;
  routes: Record<string, string>;
  ttl: Record<string, number>;
  /** PKCE on every authorization request (Hydra) or only when the client sends it (Auth0). */
  pkceRequired: boolean;
}

const DAY = 24 * 60 * 60;

// oidc-provider calls koa's ctx.body setter; we only need to assign HTML.
interface HtmlCtx {
  type: string;
  body: string;
}

export function baseConfig(input: BaseConfigInput): Configuration {
  const { brand, users, mode } = input;

  const policy = interactionPolicy.base();
  // Failure injection: while failLogins is on, every authorization request needs
  // the login interaction, even with an existing IdP session.
  policy.get('login')!.checks.add(
    new Check('failure_injection', 'failure injection is active', () => mode.failLogins !== false),
    0,
  );
  // prompt=create (OIDC "Initiating User Registration"): shows the sign-up form.
  policy.add(new Prompt({ name: 'create', requestable: true }), 0);

  return {
    adapter: memoryAdapterFactory(),
    jwks: { keys: [input.signingKey] },
    cookies: {
      keys: cookieKeys(),
      names: {
        session: `${input.cookiePrefix}_session`,
        interaction: `${input.cookiePrefix}_interaction`,
        resume: `${input.cookiePrefix}_interaction_resume`,
      },
    },
    clients: input.clients.map((c) => ({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...input.clientDefaults,
      ...c,
    })),
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      ...input.clientDefaults,
    },
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.findBySub(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user }) };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    // Like Auth0 and Hydra+Kratos setups, put the profile/email claims in the ID
    // token too, not only at the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => input.pkceRequired },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    routes: input.routes,
    ttl: {
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      ClientCredentials: 10 * 60,
      DeviceCode: 10 * 60,
      BackchannelAuthenticationRequest: 10 * 60,
      PreAuthorizedCode: 10 * 60,
      ...input.ttl,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: HtmlCtx, form: string) {
          ctx.type = 'html';
          ctx.body = logoutPage(brand, form);
        },
        async postLogoutSuccessSource(ctx: HtmlCtx) {
          ctx.type = 'html';
          ctx.body = loggedOutPage(brand);
        },
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
          token.clientId === client.clientId,
      },
    },
    async renderError(ctx: HtmlCtx, out: Record<string, unknown>) {
      ctx.type = 'html';
      ctx.body = errorPage(brand, out);
    },
    clientBasedCORS: () => false,
  };
}

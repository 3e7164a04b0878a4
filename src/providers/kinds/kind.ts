/**
 * What one identity provider product is to the gateway: a kind. Each kind
 * (Auth0, Amazon Cognito, Clerk, Ory for Olympus) lives in one file next to
 * this one and answers the same questions: which env prefix and defaults its
 * configuration has and what it must satisfy, what it adds to an
 * authorization request, which claims make one of its bearer tokens an access
 * token issued to this gateway, where its logout and recovery pages are.
 * The routes, the verifier and the config ask the kind of a role (legacy or
 * target, config.providers[role].kind); none of them names a product.
 * Kinds are pure: no I/O, no clock, no config parsing of their own.
 */
import type { AccessTokenFormat, ProviderOptions, TokenBinding } from '../../config.ts';
import type { LoginIntent } from '../../flag/routing-policy.ts';
import type { ProviderMetadata } from '../discovery.ts';

export const KIND_IDS = ['auth0', 'cognito', 'clerk', 'ory'] as const;
export type KindId = (typeof KIND_IDS)[number];
/** The kinds that can be the legacy side (LEGACY_PROVIDER). Ory is always the target (Olympus). */
export const LEGACY_KIND_IDS = ['auth0', 'cognito', 'clerk'] as const satisfies readonly KindId[];
export type LegacyKindId = (typeof LEGACY_KIND_IDS)[number];

/** A configuration mistake a kind found: the variable (with its prefix) and what is wrong. */
export interface KindConfigProblem {
  variable: string;
  problem: string;
}

export interface LogoutInput {
  /** The provider's discovery document; undefined when it could not be read. */
  meta: ProviderMetadata | undefined;
  /** The ID token kept in the session, for `id_token_hint`. */
  idToken: string | undefined;
  /** Where the browser comes back (the gateway's root). */
  returnTo: string;
}

export interface ProviderKind {
  id: KindId;
  /** Human name, for logs and pages. */
  label: string;
  /** Prefix of its variables: `<PREFIX>_ISSUER`, `<PREFIX>_CLIENT_ID`, ... */
  envPrefix: string;
  defaults: {
    accessTokenFormat: AccessTokenFormat;
    /** `<P>_SIGNUP_PARAMS` when unset ('' = none). */
    signupParams: string;
    /** `<P>_TOKEN_BINDING` when unset and no audience is set; undefined: an audience is required. */
    tokenBinding: TokenBinding | undefined;
  };
  /** Checks that only this kind knows (issuer shape, variables that make no sense for it). */
  validate(p: ProviderOptions): KindConfigProblem | undefined;
  /** Parameters this kind adds to every authorization request for `intent` (besides the OAuth/OIDC ones). */
  authorizationParams(p: ProviderOptions, intent: LoginIntent): [string, string][];
  /**
   * Claim rules of a verified JWT bearer token of this issuer, after signature,
   * `iss`, `exp`/`nbf` and the configured binding: throws VerifyError when the
   * token is not an access token issued to this gateway (an ID token, another
   * client's, a refresh token...).
   */
  checkAccessClaims(p: ProviderOptions, header: Record<string, unknown>, claims: Record<string, unknown>): void;
  /** Claim rules of an ID token at the callback, after OIDC Core §3.1.3.7. */
  checkIdTokenClaims(p: ProviderOptions, claims: Record<string, unknown>): void;
  /** Opaque access tokens this kind issues start with this prefix (routes them to its introspection). */
  opaqueTokenPrefix: string | undefined;
  /** The introspection endpoint when `<P>_INTROSPECTION_URL` is unset; undefined: the discovered one. */
  defaultIntrospectionUrl(issuer: string): string | undefined;
  /** Where /logout sends the browser to end the provider's session; undefined: nowhere (local sign-out only). */
  logoutUrl(p: ProviderOptions, input: LogoutInput): string | undefined;
  /**
   * The page the authorization request goes to for `intent`: the discovered
   * authorization endpoint, or the provider's own sign-up / forgot-password
   * page taking the same parameters (Cognito's managed login). `<P>_RECOVERY_URL`
   * still wins for recovery.
   */
  authorizationEndpoint(meta: ProviderMetadata, intent: LoginIntent): string;
}

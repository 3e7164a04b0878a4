/**
 * Builds the RP-initiated logout request (OpenID Connect RP-Initiated Logout
 * 1.0 §2) for the provider that issued the session.
 *
 * `id_token_hint` is what tells the provider whose session to end and lets it
 * check `post_logout_redirect_uri` against that client. Ory Hydra refuses
 * `post_logout_redirect_uri` (and `state`) without it: "Logout failed because
 * query parameter post_logout_redirect_uri is set but id_token_hint is
 * missing" (ory/hydra consent/strategy_default.go, issueLogoutVerifier; docs:
 * https://www.ory.sh/docs/hydra/guides/logout). An expired ID token is a valid
 * hint there. So without a hint we ask Olympus for a plain logout (its default
 * landing page) rather than an error page that leaves its session alive.
 * Auth0's OIDC logout takes `client_id` instead of the hint
 * (https://auth0.com/docs/api/authentication/logout/oidc-logout): with
 * `client_id`, the redirect must be one of that application's Allowed Logout
 * URLs; the hint is accepted too.
 */
import type { ProviderOptions } from '../config.ts';

/** `redirectWithoutHint`: the provider checks the redirect against `client_id` alone (Auth0), so it may be sent without a hint. */
export function endSessionUrl(p: Pick<ProviderOptions, 'clientId'>, endSessionEndpoint: string, idToken: string | undefined, postLogoutRedirectUri: string, redirectWithoutHint: boolean): string {
  const url = new URL(endSessionEndpoint);
  const q = url.searchParams;
  q.set('client_id', p.clientId);
  if (idToken) q.set('id_token_hint', idToken);
  if (idToken || redirectWithoutHint) q.set('post_logout_redirect_uri', postLogoutRedirectUri);
  return url.toString();
}

/** Auth0 tenants without RP-initiated logout enabled: /v2/logout with `returnTo`. */
export function auth0LegacyLogoutUrl(p: Pick<ProviderOptions, 'issuer' | 'clientId'>, returnTo: string): string {
  const url = new URL('v2/logout', p.issuer.endsWith('/') ? p.issuer : `${p.issuer}/`);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('returnTo', returnTo);
  return url.toString();
}

/**
 * Auth0 (legacy kind, the default). Variables AUTH0_*.
 *
 * - `audience` selects the API, and so a JWT access token whose `aud` holds it
 *   (https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens).
 * - `screen_hint=signup` opens the Universal Login sign-up screen.
 * - Logout: OIDC RP-initiated logout at the discovered `end_session_endpoint`
 *   with `client_id` and `post_logout_redirect_uri` (an Allowed Logout URL of
 *   the application: https://auth0.com/docs/api/authentication/logout/oidc-logout);
 *   tenants without it enabled take `/v2/logout?client_id=&returnTo=`.
 */
import { auth0LegacyLogoutUrl, endSessionUrl } from '../../oidc/logout-request.ts';
import { checkTokenBinding } from '../../verify/token-binding.ts';
import type { ProviderKind } from './kind.ts';

export const auth0Kind: ProviderKind = {
  id: 'auth0',
  label: 'Auth0',
  envPrefix: 'AUTH0',
  defaults: { accessTokenFormat: 'jwt', signupParams: 'screen_hint=signup', tokenBinding: undefined },
  validate: () => undefined,
  authorizationParams(p, intent) {
    const params: [string, string][] = [];
    if (p.audience) params.push(['audience', p.audience]);
    if (intent === 'recovery') params.push(['prompt', 'login']);
    return params;
  },
  checkAccessClaims: (p, _header, claims) => checkTokenBinding(p, claims),
  checkIdTokenClaims: () => undefined,
  opaqueTokenPrefix: undefined,
  defaultIntrospectionUrl: () => undefined,
  logoutUrl(p, { meta, idToken, returnTo }) {
    if (meta?.end_session_endpoint) return endSessionUrl(p, meta.end_session_endpoint, idToken, returnTo, true);
    return auth0LegacyLogoutUrl(p, returnTo);
  },
  authorizationEndpoint: (meta) => meta.authorization_endpoint,
};

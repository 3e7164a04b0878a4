/**
 * Ory (Olympus: Hydra for OAuth2/OIDC, Kratos for identities), the target
 * kind. Variables OLYMPUS_*.
 *
 * - Hydra v2.2+ opens the registration screen for `prompt=registration`
 *   (`prompt=create` is refused: fosite handler/openid/validator.go).
 * - Access tokens are opaque `ory_at_...` by default (introspected on the
 *   admin port) or JWTs with `client_id`, `scp` and an `aud` list
 *   (https://www.ory.sh/docs/hydra/jwks#json-web-token-jwt-access-tokens).
 * - Logout: RP-initiated, but Hydra refuses `post_logout_redirect_uri`
 *   without `id_token_hint` (https://www.ory.sh/docs/hydra/guides/logout).
 */
import { endSessionUrl } from '../../oidc/logout-request.ts';
import { checkTokenBinding } from '../../verify/token-binding.ts';
import type { ProviderKind } from './kind.ts';

export const oryKind: ProviderKind = {
  id: 'ory',
  label: 'Olympus (Ory)',
  envPrefix: 'OLYMPUS',
  defaults: { accessTokenFormat: 'auto', signupParams: 'prompt=registration', tokenBinding: undefined },
  validate: () => undefined,
  authorizationParams: (_p, intent) => (intent === 'recovery' ? [['prompt', 'login']] : []),
  checkAccessClaims: (p, _header, claims) => checkTokenBinding(p, claims),
  checkIdTokenClaims: () => undefined,
  // The catch-all for opaque tokens: Hydra's prefix is configurable.
  opaqueTokenPrefix: undefined,
  defaultIntrospectionUrl: () => undefined,
  logoutUrl: (p, { meta, idToken, returnTo }) => (meta?.end_session_endpoint ? endSessionUrl(p, meta.end_session_endpoint, idToken, returnTo, false) : undefined),
  authorizationEndpoint: (meta) => meta.authorization_endpoint,
};

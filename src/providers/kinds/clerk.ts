/**
 * Clerk (legacy kind). Variables CLERK_*; the issuer is the Frontend API URL
 * (`https://clerk.<domain>`, in development `https://<slug>.clerk.accounts.dev`).
 *
 * Two kinds of bearer token reach the gateway:
 * - session tokens (https://clerk.com/docs/guides/sessions/session-tokens,
 *   .../manual-jwt-verification): RS256, about 60 s, no `aud`; `azp` is the
 *   origin of the page that minted it and must be one of
 *   CLERK_AUTHORIZED_PARTIES (Clerk's `authorizedParties`, against subdomain
 *   cookie leaks); `sid` names the session. A JWT-template token of the same
 *   instance has no `sid` and is refused.
 * - OAuth access tokens of Clerk as an OAuth/OIDC provider
 *   (https://clerk.com/docs/guides/configure/auth-strategies/oauth/how-clerk-implements-oauth):
 *   JWTs with `typ: at+jwt` (RFC 9068: `client_id`), bound to the gateway's
 *   OAuth application, or opaque `oat_...` tokens introspected at the
 *   Frontend API's `/oauth/token_info` (RFC 7662 shape).
 * Logout: Clerk documents no end-session endpoint for OAuth applications;
 * when discovery advertises one, RP-initiated logout is used, else the
 * gateway signs out locally only.
 */
import { endSessionUrl } from '../../oidc/logout-request.ts';
import { checkTokenBinding } from '../../verify/token-binding.ts';
import { VerifyError } from '../../verify/verify-error.ts';
import type { ProviderKind } from './kind.ts';

const isAtJwt = (typ: unknown) => typeof typ === 'string' && /^(application\/)?at\+jwt$/i.test(typ);

export const clerkKind: ProviderKind = {
  id: 'clerk',
  label: 'Clerk',
  envPrefix: 'CLERK',
  defaults: { accessTokenFormat: 'auto', signupParams: '', tokenBinding: 'client' },
  validate(p) {
    if (p.audience !== undefined) return { variable: 'CLERK_AUDIENCE', problem: 'must be unset: Clerk session tokens carry no aud (they are bound by azp, OAuth tokens by client_id)' };
    if (p.tokenBinding !== 'client') return { variable: 'CLERK_TOKEN_BINDING', problem: 'must be "client"' };
    return undefined;
  },
  authorizationParams: (_p, intent) => (intent === 'recovery' ? [['prompt', 'login']] : []),
  checkAccessClaims(p, header, claims) {
    if (isAtJwt(header.typ)) {
      // RFC 9068 §2.2: an at+jwt names its client in client_id; an azp alone is not enough.
      if (claims.client_id !== p.clientId) throw new VerifyError('client_mismatch', 'at+jwt not issued to CLERK_CLIENT_ID', p.issuer);
      return checkTokenBinding(p, claims);
    }
    if (typeof claims.sid !== 'string' || claims.sid === '') throw new VerifyError('typ_not_access_token', 'neither a session token (sid) nor an OAuth access token (at+jwt)', p.issuer);
    if (claims.aud !== undefined) throw new VerifyError('audience_mismatch', 'aud in a Clerk session token', p.issuer);
    if (typeof claims.azp !== 'string' || !p.authorizedParties.includes(claims.azp)) throw new VerifyError('client_mismatch', 'azp not in CLERK_AUTHORIZED_PARTIES', p.issuer);
  },
  checkIdTokenClaims: () => undefined,
  opaqueTokenPrefix: 'oat_',
  defaultIntrospectionUrl: (issuer) => `${issuer.replace(/\/+$/, '')}/oauth/token_info`,
  logoutUrl: (p, { meta, idToken, returnTo }) => (meta?.end_session_endpoint ? endSessionUrl(p, meta.end_session_endpoint, idToken, returnTo, false) : undefined),
  authorizationEndpoint: (meta) => meta.authorization_endpoint,
};

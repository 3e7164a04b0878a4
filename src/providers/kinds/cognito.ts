/**
 * Amazon Cognito user pools (legacy kind). Variables COGNITO_*.
 *
 * Token rules, as awslabs/aws-jwt-verify checks them (src/cognito-verifier.ts)
 * and the developer guide describes them
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html,
 * .../amazon-cognito-user-pools-using-the-id-token.html):
 * - issuer `https://cognito-idp.<region>.amazonaws.com/<poolId>`, the region
 *   being the pool id's prefix (`eu-west-1_AbC123`);
 * - access tokens carry no `aud`: they name the app client in `client_id`
 *   and say `token_use: "access"`; ID tokens carry `aud` = the app client
 *   and `token_use: "id"`. An ID token is never accepted as an access token,
 *   whatever else it holds, and a token of another app client of the same
 *   pool is refused.
 * Browser endpoints live on the pool's domain (managed login), which is the
 * origin of the discovered authorization endpoint:
 * - logout is not RP-initiated logout: `GET /logout?client_id=&logout_uri=`,
 *   `logout_uri` being an allowed sign-out URL of the app client; Cognito
 *   takes no `id_token_hint` or `post_logout_redirect_uri`
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html);
 * - sign-up and password reset are pages of managed login (`/signup`,
 *   `/forgotPassword`) taking the authorization request's parameters; OIDC
 *   has no recovery entry.
 */
import { checkTokenBinding } from '../../verify/token-binding.ts';
import { VerifyError } from '../../verify/verify-error.ts';
import type { ProviderMetadata } from '../discovery.ts';
import type { ProviderKind } from './kind.ts';

const AWS_ISSUER = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9-]+)_[A-Za-z0-9]+$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The pool domain: where managed login serves /logout, /signup, /forgotPassword. */
function poolDomainPath(meta: ProviderMetadata, path: string): string {
  return new URL(path, meta.authorization_endpoint).href;
}

export const cognitoKind: ProviderKind = {
  id: 'cognito',
  label: 'Amazon Cognito',
  envPrefix: 'COGNITO',
  // Cognito access tokens are always JWTs; they name the client, not an audience.
  defaults: { accessTokenFormat: 'jwt', signupParams: '', tokenBinding: 'client' },
  validate(p) {
    const aws = AWS_ISSUER.exec(p.issuer);
    if (aws) {
      if (aws[1] !== aws[2]) return { variable: 'COGNITO_ISSUER', problem: `names region ${aws[1]} but the user pool id is of region ${aws[2]}` };
    } else if (!LOOPBACK.has(new URL(p.issuer).hostname)) {
      return { variable: 'COGNITO_ISSUER', problem: 'must be https://cognito-idp.<region>.amazonaws.com/<region>_<pool id> (a loopback URL only for a local stand-in)' };
    }
    if (p.audience !== undefined) return { variable: 'COGNITO_AUDIENCE', problem: 'must be unset: Cognito access tokens carry no aud (they are bound by client_id)' };
    if (p.tokenBinding !== 'client') return { variable: 'COGNITO_TOKEN_BINDING', problem: 'must be "client" (Cognito access tokens carry no aud)' };
    if (p.accessTokenFormat !== 'jwt') return { variable: 'COGNITO_ACCESS_TOKEN_FORMAT', problem: 'must be "jwt": Cognito has no introspection endpoint' };
    return undefined;
  },
  authorizationParams: () => [],
  checkAccessClaims(p, _header, claims) {
    if (claims.token_use === 'id') throw new VerifyError('id_token_as_access_token', 'token_use id', p.issuer);
    if (claims.token_use !== 'access') throw new VerifyError('typ_not_access_token', `token_use ${String(claims.token_use).slice(0, 20)}`, p.issuer);
    if (claims.aud !== undefined) throw new VerifyError('claim_invalid', 'aud in a Cognito access token', p.issuer);
    if (claims.client_id !== p.clientId) throw new VerifyError('client_mismatch', 'issued to another app client', p.issuer);
    checkTokenBinding(p, claims);
  },
  checkIdTokenClaims(p, claims) {
    if (claims.token_use !== 'id') throw new VerifyError('claim_invalid', 'token_use', p.issuer);
  },
  opaqueTokenPrefix: undefined,
  defaultIntrospectionUrl: () => undefined,
  logoutUrl(p, { meta, returnTo }) {
    if (!meta) return undefined;
    const url = new URL(poolDomainPath(meta, '/logout'));
    url.searchParams.set('client_id', p.clientId);
    url.searchParams.set('logout_uri', returnTo);
    return url.href;
  },
  authorizationEndpoint(meta, intent) {
    if (intent === 'signup') return poolDomainPath(meta, '/signup');
    if (intent === 'recovery') return poolDomainPath(meta, '/forgotPassword');
    return meta.authorization_endpoint;
  },
};

/**
 * Builds the authorization request (code flow + PKCE S256 + state + nonce)
 * for the chosen provider, from its discovered metadata.
 */
import type { ProviderOptions } from '../config.ts';
import type { LoginIntent } from '../flag/routing-policy.ts';
import type { ProviderMetadata } from '../providers/discovery.ts';

export interface AuthorizationParams {
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  intent: LoginIntent;
  /** A normalised email the person already gave: the provider pre-fills its form (OIDC Core §3.1.2.1). */
  loginHint?: string | undefined;
}

export function authorizationUrl(p: ProviderOptions, meta: ProviderMetadata, a: AuthorizationParams): string {
  const url = new URL(meta.authorization_endpoint);
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', p.clientId);
  q.set('redirect_uri', a.redirectUri);
  q.set('scope', p.scopes);
  q.set('state', a.state);
  q.set('nonce', a.nonce);
  q.set('code_challenge', a.codeChallenge);
  q.set('code_challenge_method', 'S256');
  // Auth0 selects the API (and so a JWT access token) by `audience`.
  if (p.id === 'auth0' && p.audience) q.set('audience', p.audience);
  // The signup screen: Auth0 takes `screen_hint=signup`, Hydra v2.2+ `prompt=registration` (<P>_SIGNUP_PARAMS).
  if (a.intent === 'signup') for (const [k, v] of p.signupParams) q.set(k, v);
  if (a.intent === 'recovery') q.set('prompt', 'login');
  if (a.loginHint) q.set('login_hint', a.loginHint);
  return url.toString();
}

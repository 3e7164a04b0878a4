/**
 * Builds the authorization request (code flow + PKCE S256 + state + nonce)
 * for the chosen provider, from its discovered metadata.
 */
import type { ProviderOptions } from '../config.ts';
import type { LoginIntent } from '../flag/routing-policy.ts';
import type { ProviderMetadata } from '../providers/discovery.ts';
import { kindOf } from '../providers/kinds/registry.ts';

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
  const kind = kindOf(p);
  const url = new URL(kind.authorizationEndpoint(meta, a.intent));
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', p.clientId);
  q.set('redirect_uri', a.redirectUri);
  q.set('scope', p.scopes);
  q.set('state', a.state);
  q.set('nonce', a.nonce);
  q.set('code_challenge', a.codeChallenge);
  q.set('code_challenge_method', 'S256');
  // The kind's own parameters (Auth0's `audience`, `prompt=login` for recovery...).
  for (const [k, v] of kind.authorizationParams(p, a.intent)) q.set(k, v);
  // The signup screen: Auth0 takes `screen_hint=signup`, Hydra v2.2+ `prompt=registration` (<P>_SIGNUP_PARAMS).
  if (a.intent === 'signup') for (const [k, v] of p.signupParams) q.set(k, v);
  if (a.loginHint) q.set('login_hint', a.loginHint);
  return url.toString();
}

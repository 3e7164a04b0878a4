/**
 * Each provider kind's pure behaviour: the authorization request it adds to,
 * the page each intent goes to, and its logout URL (Cognito's /logout takes
 * client_id + logout_uri and never the RP-initiated parameters).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ProviderOptions } from '../../src/config.ts';
import { authorizationUrl } from '../../src/oidc/authorization-request.ts';
import { PROVIDER_KINDS } from '../../src/providers/kinds/registry.ts';
import { KIND_IDS } from '../../src/providers/kinds/kind.ts';
import type { ProviderMetadata } from '../../src/providers/discovery.ts';

const COMMON = {
  OLYMPUS_ISSUER: 'https://olympus.test', OLYMPUS_CLIENT_ID: 'oc', OLYMPUS_CLIENT_SECRET: 's', OLYMPUS_TOKEN_BINDING: 'client',
  ORIGIN_URL: 'https://origin.test', SESSION_SECRET: 'x'.repeat(40),
  GATEWAY_SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', d: 'd', x: 'x', y: 'y', kid: 'k' }),
};
const LEGACY = {
  auth0: { AUTH0_ISSUER: 'https://tenant.auth0.test/', AUTH0_CLIENT_ID: 'ac', AUTH0_CLIENT_SECRET: 's', AUTH0_AUDIENCE: 'https://api.test/' },
  cognito: { LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'cc', COGNITO_CLIENT_SECRET: 's' },
  clerk: { LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'kc', CLERK_CLIENT_SECRET: 's' },
};
const legacy = (k: keyof typeof LEGACY): ProviderOptions => parseConfig({ ...COMMON, ...LEGACY[k] }).providers.auth0;

const COGNITO_META: ProviderMetadata = {
  issuer: LEGACY.cognito.COGNITO_ISSUER,
  authorization_endpoint: 'https://pool.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
  token_endpoint: 'https://pool.auth.eu-west-1.amazoncognito.com/oauth2/token',
  jwks_uri: `${LEGACY.cognito.COGNITO_ISSUER}/.well-known/jwks.json`,
  end_session_endpoint: 'https://pool.auth.eu-west-1.amazoncognito.com/logout',
};
const request = { redirectUri: 'https://gw.test/callback', state: 'st', nonce: 'no', codeChallenge: 'cc' };

describe('registry', () => {
  it('has every kind, each under its own id', () => {
    for (const id of KIND_IDS) expect(PROVIDER_KINDS[id].id).toBe(id);
  });
});

describe('Cognito', () => {
  const p = legacy('cognito');
  const kind = PROVIDER_KINDS.cognito;

  it('logout: /logout on the pool domain with client_id and logout_uri, no RP-initiated parameters, even with an ID token', () => {
    const url = new URL(kind.logoutUrl(p, { meta: COGNITO_META, idToken: 'eyJ.id.token', returnTo: 'https://gw.test/' })!);
    expect(`${url.origin}${url.pathname}`).toBe('https://pool.auth.eu-west-1.amazoncognito.com/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'cc', logout_uri: 'https://gw.test/' });
  });

  it('sign-up and recovery go to managed login\'s /signup and /forgotPassword with the whole authorization request', () => {
    const signup = new URL(authorizationUrl(p, COGNITO_META, { ...request, intent: 'signup' }));
    expect(signup.pathname).toBe('/signup');
    const recovery = new URL(authorizationUrl(p, COGNITO_META, { ...request, intent: 'recovery' }));
    expect(recovery.pathname).toBe('/forgotPassword');
    for (const u of [signup, recovery]) {
      expect(u.searchParams.get('state')).toBe('st');
      expect(u.searchParams.get('code_challenge_method')).toBe('S256');
      expect(u.searchParams.get('client_id')).toBe('cc');
      expect(u.searchParams.has('audience')).toBe(false);
      expect(u.searchParams.has('prompt')).toBe(false);
    }
    expect(new URL(authorizationUrl(p, COGNITO_META, { ...request, intent: 'login' })).pathname).toBe('/oauth2/authorize');
  });

  it('no discovery: no logout URL (the local session is cleared anyway)', () => {
    expect(kind.logoutUrl(p, { meta: undefined, idToken: undefined, returnTo: 'https://gw.test/' })).toBeUndefined();
  });
});

describe('Auth0', () => {
  const p = legacy('auth0');
  const meta = { ...COGNITO_META, issuer: 'https://tenant.auth0.test/', authorization_endpoint: 'https://tenant.auth0.test/authorize', end_session_endpoint: undefined };

  it('sends its audience, screen_hint=signup for sign-up, prompt=login for recovery', () => {
    const signup = new URL(authorizationUrl(p, meta, { ...request, intent: 'signup' })).searchParams;
    expect(signup.get('audience')).toBe('https://api.test/');
    expect(signup.get('screen_hint')).toBe('signup');
    expect(new URL(authorizationUrl(p, meta, { ...request, intent: 'recovery' })).searchParams.get('prompt')).toBe('login');
  });

  it('logout without RP-initiated logout enabled: /v2/logout with returnTo', () => {
    const url = new URL(PROVIDER_KINDS.auth0.logoutUrl(p, { meta, idToken: undefined, returnTo: 'https://gw.test/' })!);
    expect(url.pathname).toBe('/v2/logout');
    expect(url.searchParams.get('returnTo')).toBe('https://gw.test/');
  });
});

describe('Clerk', () => {
  const p = legacy('clerk');
  it('without a discovered end-session endpoint: no provider logout (Clerk documents none for OAuth apps)', () => {
    const meta = { ...COGNITO_META, issuer: p.issuer, end_session_endpoint: undefined };
    expect(PROVIDER_KINDS.clerk.logoutUrl(p, { meta, idToken: 'x', returnTo: 'https://gw.test/' })).toBeUndefined();
  });
  it('no azp origins configured: every session token is refused (fail closed)', () => {
    expect(p.authorizedParties).toEqual([]);
    expect(() => PROVIDER_KINDS.clerk.checkAccessClaims(p, { alg: 'RS256' }, { sub: 'u', sid: 's', azp: 'https://app.test' })).toThrow(/client_mismatch/);
  });
});

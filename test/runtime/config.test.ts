/** Missing or invalid configuration: every request gets a 503 naming the variable, never a secret. */
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';

const base = { ...(env as unknown as Record<string, unknown>) };
/** Another legacy kind, without the password migration hook (which needs the kind's admin access: password-migration-parts.test.ts). */
const { PASSWORD_HOOK_API_KEY: _hook, ...baseWithoutHook } = base;

async function withEnv(overrides: Record<string, unknown>, path = '/api/x') {
  const e = { ...base, ...overrides };
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete e[k];
  return app.fetch(new Request(`https://gateway.test${path}`), e, createExecutionContext());
}

const cases: [string, Record<string, unknown>, string][] = [
  ['missing AUTH0_ISSUER', { AUTH0_ISSUER: undefined }, 'AUTH0_ISSUER'],
  ['missing OLYMPUS_CLIENT_SECRET', { OLYMPUS_CLIENT_SECRET: undefined }, 'OLYMPUS_CLIENT_SECRET'],
  ['blank AUTH0_CLIENT_ID', { AUTH0_CLIENT_ID: '   ' }, 'AUTH0_CLIENT_ID'],
  ['ORIGIN_URL not a URL', { ORIGIN_URL: 'origin.internal' }, 'ORIGIN_URL'],
  ['ORIGIN_URL with another scheme', { ORIGIN_URL: 'ftp://origin.test' }, 'ORIGIN_URL'],
  ['OLYMPUS_ISSUER with credentials', { OLYMPUS_ISSUER: 'https://user:pw@olympus.test' }, 'OLYMPUS_ISSUER'],
  ['short SESSION_SECRET', { SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
  ['TOKEN_OVERLAP_SECONDS not a number', { TOKEN_OVERLAP_SECONDS: 'thirty minutes' }, 'TOKEN_OVERLAP_SECONDS'],
  ['TOKEN_OVERLAP_SECONDS negative', { TOKEN_OVERLAP_SECONDS: '-5' }, 'TOKEN_OVERLAP_SECONDS'],
  ['GATEWAY_SIGNING_KEY not JSON', { GATEWAY_SIGNING_KEY: '{nope' }, 'GATEWAY_SIGNING_KEY'],
  ['GATEWAY_SIGNING_KEY a public key', { GATEWAY_SIGNING_KEY: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'k' }) }, 'GATEWAY_SIGNING_KEY'],
  ['HS256 in the allow-list', { AUTH0_ALGORITHMS: 'RS256,HS256' }, 'AUTH0_ALGORITHMS'],
  ['none in the allow-list', { OLYMPUS_ALGORITHMS: 'none' }, 'OLYMPUS_ALGORITHMS'],
  ['unknown token format', { OLYMPUS_ACCESS_TOKEN_FORMAT: 'paseto' }, 'OLYMPUS_ACCESS_TOKEN_FORMAT'],
  ['same issuer twice', { OLYMPUS_ISSUER: 'https://auth0.test/' }, 'OLYMPUS_ISSUER'],
  ['ADMIN_TOKENS with a plain token', { ADMIN_TOKENS: JSON.stringify([{ name: 'x', role: 'oncall', token: 'plain' }]) }, 'ADMIN_TOKENS'],
  ['ADMIN_TOKENS unknown role', { ADMIN_TOKENS: JSON.stringify([{ name: 'x', role: 'root', sha256: 'a'.repeat(64) }]) }, 'ADMIN_TOKENS'],
  ['PUBLIC_PATHS relative', { PUBLIC_PATHS: 'health' }, 'PUBLIC_PATHS'],
  ['INTROSPECTION_HEADERS not an object', { OLYMPUS_INTROSPECTION_HEADERS: '["a"]' }, 'OLYMPUS_INTROSPECTION_HEADERS'],
  ['no audience and no token binding (any client token would pass)', { OLYMPUS_TOKEN_BINDING: undefined }, 'OLYMPUS_AUDIENCE'],
  ['AUTH0_AUDIENCE missing', { AUTH0_AUDIENCE: undefined }, 'AUTH0_AUDIENCE'],
  ['audience binding without an audience', { OLYMPUS_TOKEN_BINDING: 'audience' }, 'OLYMPUS_AUDIENCE'],
  ['unknown token binding', { AUTH0_TOKEN_BINDING: 'none' }, 'AUTH0_TOKEN_BINDING'],
  ['COOKIE_SECURE not boolean', { COOKIE_SECURE: 'maybe' }, 'COOKIE_SECURE'],
  ['unknown LEGACY_PROVIDER', { LEGACY_PROVIDER: 'okta' }, 'LEGACY_PROVIDER'],
  ['Ory as the legacy provider', { LEGACY_PROVIDER: 'ory' }, 'LEGACY_PROVIDER'],
  ['LEGACY_PROVIDER=cognito without COGNITO_ISSUER (AUTH0_* are not read)', { LEGACY_PROVIDER: 'cognito' }, 'COGNITO_ISSUER'],
  ['Cognito issuer of another host', { LEGACY_PROVIDER: 'cognito', COGNITO_CLIENT_ID: 'app', COGNITO_CLIENT_SECRET: 's', COGNITO_ISSUER: 'https://evil.example.com/eu-west-1_Pool1' }, 'COGNITO_ISSUER'],
  ['Cognito issuer region and pool region differ', { LEGACY_PROVIDER: 'cognito', COGNITO_CLIENT_ID: 'app', COGNITO_CLIENT_SECRET: 's', COGNITO_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/eu-west-1_Pool1' }, 'COGNITO_ISSUER'],
  ['COGNITO_AUDIENCE set (Cognito access tokens have no aud)', { LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'app', COGNITO_CLIENT_SECRET: 's', COGNITO_AUDIENCE: 'api' }, 'COGNITO_AUDIENCE'],
  ['Cognito with opaque tokens (no introspection)', { LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'app', COGNITO_CLIENT_SECRET: 's', COGNITO_ACCESS_TOKEN_FORMAT: 'opaque' }, 'COGNITO_ACCESS_TOKEN_FORMAT'],
  ['CLERK_AUDIENCE set (session tokens have no aud)', { LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'app', CLERK_CLIENT_SECRET: 's', CLERK_AUDIENCE: 'api' }, 'CLERK_AUDIENCE'],
  ['CLERK_AUTHORIZED_PARTIES with a path', { LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'app', CLERK_CLIENT_SECRET: 's', CLERK_AUTHORIZED_PARTIES: 'https://app.example.com/home' }, 'CLERK_AUTHORIZED_PARTIES'],
];

describe('invalid configuration', () => {
  it.each(cases)('%s: 503 naming the variable', async (_n, overrides, variable) => {
    for (const path of ['/api/x', '/login', '/callback', '/_switchback/health']) {
      const res = await withEnv(overrides, path);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string; variable: string; error_description: string };
      expect(body.error).toBe('misconfigured');
      expect(body.variable).toBe(variable);
      expect(body.error_description).toContain(variable);
    }
  });

  it('never echoes a secret value', async () => {
    const res = await withEnv({ SESSION_SECRET: 'sekrit' });
    expect(await res.text()).not.toContain('sekrit');
    let thrown: unknown;
    try {
      parseConfig({ ...base, GATEWAY_SIGNING_KEY: '{"kty":"EC","d":"PRIVATE-D-VALUE"}' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe('GATEWAY_SIGNING_KEY');
    expect((thrown as Error).message).not.toContain('PRIVATE-D-VALUE');
  });

  it('the valid test configuration parses, with defaults', () => {
    const c = parseConfig(base);
    expect(c.tokenOverlapSeconds).toBe(1800);
    expect(c.providers.auth0.accessTokenFormat).toBe('jwt');
    expect(c.providers.olympus.algorithms).toEqual(['RS256']);
    expect(c.cookieSecure).toBe(true);
    expect(c.providers.auth0.introspectionClientId).toBe(c.providers.auth0.clientId);
    // No LEGACY_PROVIDER: the legacy role is Auth0, read from AUTH0_* as before kinds existed.
    expect(c.providers.auth0.kind).toBe('auth0');
    expect(c.providers.olympus.kind).toBe('ory');
  });

  it('LEGACY_PROVIDER=cognito: COGNITO_* fill the legacy role, bound by client_id, JWT only', () => {
    const c = parseConfig({ ...baseWithoutHook, LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'app', COGNITO_CLIENT_SECRET: 's' });
    expect(c.providers.auth0).toMatchObject({ kind: 'cognito', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', clientId: 'app', tokenBinding: 'client', accessTokenFormat: 'jwt', audience: undefined, signupParams: [] });
  });

  it('LEGACY_PROVIDER=clerk: CLERK_* with the azp allow-list and token_info introspection', () => {
    const c = parseConfig({ ...baseWithoutHook, LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'app', CLERK_CLIENT_SECRET: 's', CLERK_AUTHORIZED_PARTIES: 'https://a.example.com, http://127.0.0.1:8787' });
    expect(c.providers.auth0).toMatchObject({ kind: 'clerk', tokenBinding: 'client', accessTokenFormat: 'auto', authorizedParties: ['https://a.example.com', 'http://127.0.0.1:8787'], introspectionUrl: 'https://clerk.example.test/oauth/token_info' });
  });
});

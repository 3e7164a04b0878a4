/**
 * The password migration hook's pure parts: how each Auth0 answer is read
 * (a wrong password is never an upstream error, throttling is never a wrong
 * password, MFA means the password was right), the body Kratos sends (the end
 * user's address from `client_ip` or `request_headers`, nothing echoed), and
 * the configuration (closed by default, fails closed on a short key or
 * another legacy kind). Through the gateway: test/runtime/password-migration-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { auth0ResultOf } from '../../src/password-migration/auth0-password-check.ts';
import { isRefusal, parsePasswordHookRequest } from '../../src/password-migration/hook-request.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('Auth0 answers', () => {
  it.each([
    [200, undefined, 'match', 'accepted'],
    [403, 'invalid_grant', 'mismatch', 'invalid_grant'],
    [403, 'mfa_required', 'match', 'accepted_mfa_required'],
    [401, 'unauthorized', 'mismatch', 'user_blocked'],
    [429, 'too_many_attempts', 'rate_limited', 'too_many_attempts'],
    [403, 'too_many_attempts', 'rate_limited', 'too_many_attempts'],
    [429, 'too_many_requests', 'rate_limited', 'upstream_throttled'],
    [429, undefined, 'rate_limited', 'upstream_throttled'],
    [401, 'access_denied', 'upstream_error', 'client_rejected'],
    [403, 'unauthorized_client', 'upstream_error', 'client_rejected'],
    [400, 'invalid_request', 'upstream_error', 'client_rejected'],
    [403, undefined, 'upstream_error', 'client_rejected'],
    [500, 'server_error', 'upstream_error', 'upstream_status'],
    [502, undefined, 'upstream_error', 'upstream_status'],
    [302, undefined, 'upstream_error', 'upstream_status'],
  ] as const)('%s %s -> %s (%s)', (status, code, outcome, reason) => {
    expect(auth0ResultOf(status, code)).toEqual({ outcome, reason });
  });
});

describe('the body Kratos sends', () => {
  it.each([
    [{ identifier: 'a@b.c', password: 'p', client_ip: '203.0.113.7' }, '203.0.113.7'],
    [{ identifier: 'a@b.c', password: 'p', client_ip: ' 2001:DB8::1 ' }, '2001:db8::1'],
    [{ identifier: 'a@b.c', password: 'p', client_ip: '::ffff:203.0.113.7' }, '203.0.113.7'],
    [{ identifier: 'a@b.c', password: 'p', request_headers: { 'True-Client-Ip': ['198.51.100.2'] } }, '198.51.100.2'],
    [{ identifier: 'a@b.c', password: 'p', request_headers: { 'true-client-ip': '198.51.100.2' } }, '198.51.100.2'],
    [{ identifier: 'a@b.c', password: 'p', client_ip: 'nope', request_headers: { 'True-Client-Ip': ['198.51.100.2'] } }, '198.51.100.2'],
    [{ identifier: 'a@b.c', password: 'p', client_ip: '203.0.113.1, 10.0.0.1' }, undefined],
    [{ identifier: 'a@b.c', password: 'p', client_ip: '0x7f.1' }, undefined],
    [{ identifier: 'a@b.c', password: 'p', client_ip: 2130706433 }, undefined],
    [{ identifier: 'a@b.c', password: 'p', request_headers: { 'X-Forwarded-For': ['198.51.100.2'] } }, undefined],
    [{ identifier: 'a@b.c', password: 'p' }, undefined],
  ])('%j -> address %s', (body, address) => {
    const r = parsePasswordHookRequest(enc(body), 'true-client-ip');
    expect(isRefusal(r)).toBe(false);
    expect(!isRefusal(r) && r.clientAddress).toBe(address ?? undefined);
  });

  it.each([
    ['{"identifier":"a@b.c","password":"hunter2-secret"', 'invalid_json'],
    [[], 'invalid_request'],
    [{ identifier: 'a@b.c' }, 'invalid_request'],
    [{ identifier: '   ', password: 'hunter2-secret' }, 'invalid_request'],
    [{ identifier: 'a@b.c', password: '' }, 'invalid_request'],
    [{ identifier: 'x'.repeat(321), password: 'hunter2-secret' }, 'invalid_request'],
    [{ identifier: 'a@b.c', password: 'h'.repeat(1025) }, 'invalid_request'],
    [{ identifier: ['a@b.c'], password: 'hunter2-secret' }, 'invalid_request'],
  ])('%j is refused (%s) without echoing it', (body, code) => {
    const r = parsePasswordHookRequest(enc(body), 'true-client-ip');
    expect(isRefusal(r) && r.code).toBe(code);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(JSON.stringify(r)).not.toContain('a@b.c');
  });

  it('not UTF-8 is invalid JSON', () => {
    expect(parsePasswordHookRequest(new Uint8Array([0x7b, 0xff, 0x7d]), 'true-client-ip')).toMatchObject({ code: 'invalid_json' });
  });
});

describe('configuration', () => {
  const { privateKey } = { privateKey: { kty: 'EC', crv: 'P-256', d: 'd', x: 'x', y: 'y', kid: 'k' } };
  const base = {
    AUTH0_ISSUER: 'https://tenant.auth0.test/',
    AUTH0_CLIENT_ID: 'login-client',
    AUTH0_CLIENT_SECRET: 'login-secret',
    AUTH0_AUDIENCE: 'https://api.test',
    OLYMPUS_ISSUER: 'https://olympus.test',
    OLYMPUS_CLIENT_ID: 'o',
    OLYMPUS_CLIENT_SECRET: 'os',
    OLYMPUS_TOKEN_BINDING: 'client',
    ORIGIN_URL: 'https://origin.test',
    SESSION_SECRET: 's'.repeat(32),
    GATEWAY_SIGNING_KEY: JSON.stringify(privateKey),
  };
  const KEY = 'k'.repeat(32);

  it('is closed unless PASSWORD_HOOK_API_KEY is set', () => {
    expect(parseConfig(base).passwordMigration).toBeUndefined();
  });

  it("defaults to the gateway's own Auth0 client, the issuer's token endpoint and the default connection", () => {
    expect(parseConfig({ ...base, PASSWORD_HOOK_API_KEY: KEY }).passwordMigration).toEqual({
      apiKey: KEY,
      legacy: 'auth0',
      tokenUrl: 'https://tenant.auth0.test/oauth/token',
      clientId: 'login-client',
      clientSecret: 'login-secret',
      realm: 'Username-Password-Authentication',
      timeoutMs: 2500,
      forwardClientIp: true,
      clientIpHeader: 'true-client-ip',
    });
    expect(parseConfig({ ...base, PASSWORD_HOOK_API_KEY: KEY, PASSWORD_HOOK_AUTH0_REALM: 'legacy-db' }).passwordMigration).toMatchObject({ legacy: 'auth0', realm: 'legacy-db' });
  });

  const COGNITO = { LEGACY_PROVIDER: 'cognito', COGNITO_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool1', COGNITO_CLIENT_ID: 'cc', COGNITO_CLIENT_SECRET: 'cs' };
  const COGNITO_KEYS = { COGNITO_ACCESS_KEY_ID: 'AKIAEXAMPLE', COGNITO_SECRET_ACCESS_KEY: 'aws-secret-value' };
  const CLERK = { LEGACY_PROVIDER: 'clerk', CLERK_ISSUER: 'https://clerk.example.test', CLERK_CLIENT_ID: 'app', CLERK_CLIENT_SECRET: 's' };

  it('Cognito: the pool and region from COGNITO_ISSUER, the gateway\'s app client, the IAM keys', () => {
    expect(parseConfig({ ...base, ...COGNITO, ...COGNITO_KEYS, PASSWORD_HOOK_API_KEY: KEY }).passwordMigration).toEqual({
      apiKey: KEY,
      legacy: 'cognito',
      cognito: { region: 'eu-west-1', userPoolId: 'eu-west-1_Pool1', endpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'aws-secret-value' },
      clientId: 'cc',
      clientSecret: 'cs',
      timeoutMs: 2500,
      forwardClientIp: true,
      clientIpHeader: 'true-client-ip',
    });
    // Another app client (one allowing ADMIN_USER_PASSWORD_AUTH), without a secret.
    expect(parseConfig({ ...base, ...COGNITO, ...COGNITO_KEYS, PASSWORD_HOOK_API_KEY: KEY, PASSWORD_HOOK_COGNITO_CLIENT_ID: 'admin-auth-client' }).passwordMigration).toMatchObject({ clientId: 'admin-auth-client', clientSecret: undefined });
  });

  it('Clerk: the secret key and the Backend API URL', () => {
    expect(parseConfig({ ...base, ...CLERK, CLERK_SECRET_KEY: 'sk_live_abc123', PASSWORD_HOOK_API_KEY: KEY }).passwordMigration).toMatchObject({ legacy: 'clerk', clerk: { secretKey: 'sk_live_abc123', apiUrl: 'https://api.clerk.com' } });
  });

  it.each([
    [{ PASSWORD_HOOK_API_KEY: 'short-key' }, 'PASSWORD_HOOK_API_KEY'],
    // A complete Cognito or Clerk legacy configuration: the hook needs the kind's admin access on top.
    [{ PASSWORD_HOOK_API_KEY: KEY, ...COGNITO }, 'COGNITO_ACCESS_KEY_ID'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...COGNITO, COGNITO_ACCESS_KEY_ID: 'AKIA1', COGNITO_SECRET_ACCESS_KEY: undefined }, 'COGNITO_SECRET_ACCESS_KEY'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...COGNITO, ...COGNITO_KEYS, COGNITO_REGION: 'us-east-1' }, 'COGNITO_REGION'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...COGNITO, ...COGNITO_KEYS, COGNITO_ISSUER: 'http://127.0.0.1:9000' }, 'COGNITO_USER_POOL_ID'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...COGNITO, ...COGNITO_KEYS, COGNITO_ADMIN_ENDPOINT: 'cognito.local' }, 'COGNITO_ADMIN_ENDPOINT'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...CLERK }, 'CLERK_SECRET_KEY'],
    [{ PASSWORD_HOOK_API_KEY: KEY, ...CLERK, CLERK_SECRET_KEY: 'pk_test_publishable' }, 'CLERK_SECRET_KEY'],
    [{ PASSWORD_HOOK_API_KEY: KEY, PASSWORD_HOOK_TIMEOUT_MS: '60000' }, 'PASSWORD_HOOK_TIMEOUT_MS'],
    [{ PASSWORD_HOOK_API_KEY: KEY, PASSWORD_HOOK_AUTH0_TOKEN_URL: 'tenant/oauth/token' }, 'PASSWORD_HOOK_AUTH0_TOKEN_URL'],
    [{ PASSWORD_HOOK_API_KEY: KEY, PASSWORD_HOOK_CLIENT_IP_HEADER: 'bad header' }, 'PASSWORD_HOOK_CLIENT_IP_HEADER'],
  ])('%j fails closed naming %s, never echoing the key', (vars, variable) => {
    try {
      parseConfig(Object.fromEntries(Object.entries({ ...base, ...vars }).filter(([, v]) => v !== undefined)));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as Error).message).not.toContain('short-key');
      expect((err as Error).message).not.toContain('aws-secret-value');
      expect((err as Error).message).not.toContain('pk_test_publishable');
    }
  });
});

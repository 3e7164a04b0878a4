/**
 * Runtime tests: run inside workerd through Cloudflare's vitest plugin, with
 * real KV (and later Durable Object) bindings from miniflare. Test-only key
 * material is generated here, per run, and passed in as bindings.
 */
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { ADMIN, AUTH0_AUDIENCE, CLIENTS, GATEWAY, INTROSPECTION_URL, ISSUERS, ORIGIN } from './test/runtime/support/constants.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const gatewayKey = { ...(await exportJWK(privateKey)), kid: 'test-gateway-key' };

const TEST_VARS = {
  AUTH0_ISSUER: ISSUERS.auth0,
  AUTH0_CLIENT_ID: CLIENTS.auth0,
  AUTH0_CLIENT_SECRET: 'auth0-secret-value',
  AUTH0_AUDIENCE: AUTH0_AUDIENCE,
  OLYMPUS_ISSUER: ISSUERS.olympus,
  OLYMPUS_CLIENT_ID: CLIENTS.olympus,
  OLYMPUS_CLIENT_SECRET: 'olympus-secret-value',
  OLYMPUS_ACCESS_TOKEN_FORMAT: 'auto',
  // No Olympus audience in the tests: bearer tokens are bound to the gateway's Hydra client instead.
  OLYMPUS_TOKEN_BINDING: 'client',
  OLYMPUS_INTROSPECTION_URL: INTROSPECTION_URL,
  OLYMPUS_INTROSPECTION_HEADERS: JSON.stringify({ 'CF-Access-Client-Id': 'svc-id', 'CF-Access-Client-Secret': 'svc-secret' }),
  ORIGIN_URL: ORIGIN,
  PUBLIC_URL: GATEWAY,
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123456789',
  GATEWAY_SIGNING_KEY: JSON.stringify(gatewayKey),
  PUBLIC_PATHS: '/public/*,/healthz',
  FLAG_CACHE_TTL_MS: '1000',
  ADMIN_TOKENS: JSON.stringify([
    { name: 'lead', role: 'eng-lead', sha256: sha256(ADMIN.engLead) },
    { name: 'pager', role: 'oncall', sha256: sha256(ADMIN.oncall) },
    { name: 'watcher', role: 'viewer', sha256: sha256(ADMIN.viewer) },
    { name: 'mirror-7', role: 'mirror', sha256: sha256(ADMIN.mirror) },
  ]),
  SUPPORT_HOOK_SECRET: 'support-hook-secret-for-tests',
  AUTH0_LOG_STREAM_TOKEN: 'auth0-log-stream-token-for-tests',
  KRATOS_HOOK_TOKEN: 'kratos-hook-token-for-tests',
  // Checked at the Auth0 stand-in of the fake network (its login client has the Password grant).
  PASSWORD_HOOK_API_KEY: 'password-hook-key-for-tests-0123456789abcdef',
  PASSWORD_HOOK_AUTH0_TOKEN_URL: 'https://auth0-mgmt.test/oauth/token',
  PASSWORD_HOOK_TIMEOUT_MS: '800',
  NOTIFY_WEBHOOK_URL: 'https://hooks.test/notify',
  AUTH0_MANAGEMENT_URL: 'https://auth0-mgmt.test/api/v2',
  AUTH0_MGMT_CLIENT_ID: 'mgmt-client',
  AUTH0_MGMT_CLIENT_SECRET: 'mgmt-secret-value',
  AUTH0_CONNECTION: 'Username-Password-Authentication',
  // Communication after a rollback: the Statuspage stand-in's app answers https://statuspage.test in the tests that use it.
  STATUSPAGE_PAGE_ID: 'pagetest01',
  STATUSPAGE_API_KEY: 'statuspage-key-for-tests',
  STATUSPAGE_API_URL: 'https://statuspage.test',
  STATUS_PAGE_URL: 'https://status.example.test/',
  STATUS_PRODUCT_NAME: 'The Example team',
};

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: TEST_VARS },
    }),
  ],
  test: {
    include: ['test/runtime/**/*.test.ts'],
    // The gateway logs every rejection as a JSON line; show them only for failing tests.
    silent: 'passed-only',
    // The property tests send thousands of requests through the worker; on a 2-core CI machine
    // under load that can take longer than vitest's 5 s default. A hung test still fails.
    testTimeout: 30_000,
  },
});

/**
 * Plain Node tests (no Cloudflare plugin, no browser): contract tests for the
 * local SaaS stand-ins in dev/kratos-admin and dev/auth0-api, and whatever
 * else runs in-process against local HTTP servers bound to 127.0.0.1:0.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});

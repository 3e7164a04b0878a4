/**
 * End-to-end tests: plain Node vitest (not the Cloudflare plugin), because
 * these tests start the real local stack (two OIDC providers, the demo origin
 * and the gateway under `wrangler dev`) and drive it with headless Chromium or
 * fetch. One file at a time: each file owns a whole stack and the machine has
 * two cores.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
    maxConcurrency: 1,
    env: { WRANGLER_SEND_METRICS: 'false' },
  },
});

/**
 * The fast lane: pure modules (policies, parsers, caches) tested in plain
 * Node, no workerd, no network, in seconds. Anything that goes through the
 * worker's `fetch` or a binding belongs in the runtime suite instead.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
  },
});

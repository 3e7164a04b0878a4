/**
 * The per-test setup most runtime files share, as a vitest fixture instead of
 * a copied beforeEach: empty storage (KV, controller), a fresh fake network
 * (IdPs, origin, Auth0 API, webhook) in front of `fetch`, optionally a flag,
 * and the fetch spy removed afterwards. `net` is set up for every test of a
 * file that uses `gatewayTest` (auto), whether or not the test reads it.
 */
import { test as base, vi } from 'vitest';
import type { FlagRecord } from '../../../src/flag/flag-record.ts';
import { installNetwork, type Network } from './fake-network.ts';
import { putFlag, resetState } from './gateway.ts';

export function gatewayTest(flag?: Partial<FlagRecord> & { enabled: boolean }) {
  return base.extend<{ net: Network }>({
    net: [
      // eslint-disable-next-line no-empty-pattern -- vitest reads the fixtures a function asks for from its first parameter
      async ({}, use) => {
        await resetState();
        const net = await installNetwork();
        if (flag) await putFlag(flag);
        await use(net);
        vi.restoreAllMocks();
      },
      { auto: true },
    ],
  });
}

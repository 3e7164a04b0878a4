/** Every outcome is also written to the Analytics Engine dataset, and a failing dataset never fails a request. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installNetwork } from './support/fake-network.ts';
import { gw, putFlag, resetState, testEnv } from './support/gateway.ts';

beforeEach(async () => {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

describe('Workers Analytics Engine', () => {
  it('gets a data point per outcome', async () => {
    expect(testEnv().ANALYTICS).toBeDefined();
    const spy = vi.spyOn(testEnv().ANALYTICS!, 'writeDataPoint');
    await gw('/public/a');
    await gw('/login');
    const points = spy.mock.calls.map((c) => c[0]!.blobs);
    expect(points).toContainEqual(['api', 'anonymous', 'ok', '']);
    expect(points).toContainEqual(['login_started', 'olympus', 'login_started', '']);
  });

  it('a throwing dataset does not fail the request', async () => {
    vi.spyOn(testEnv().ANALYTICS!, 'writeDataPoint').mockImplementation(() => {
      throw new Error('dataset unavailable');
    });
    expect((await gw('/public/a')).status).toBe(200);
    expect((await gw('/login')).status).toBe(302);
  });
});

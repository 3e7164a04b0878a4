/** Every outcome is also written to the Analytics Engine dataset, and a failing dataset never fails a request. */
import { describe, expect, vi } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, testEnv } from './support/gateway.ts';

const it = gatewayTest({ enabled: true });

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

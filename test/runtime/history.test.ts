/** GET /_switchback/api/history: what the controller counted, per minute, by signal, provider and outcome; ranges validated. */
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { ingest, logins } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';

const it = gatewayTest({ enabled: true });
const auth = { authorization: `Bearer ${ADMIN.viewer}` };

interface HistoryBody {
  range: string;
  step_seconds: number;
  t: number[];
  series: Record<string, Record<string, Record<string, number[]>>>;
}

it('counts in the minute they arrived, per provider and outcome, with no client dimension', async () => {
  await ingest([...logins('olympus', 'succeeded', 12, 6), ...logins('olympus', 'failed', 3, 3), ...logins('auth0', 'succeeded', 4, 4)]);
  const res = await gw('/_switchback/api/history?range=15m', { headers: auth });
  expect(res.status).toBe(200);
  const h = (await res.json()) as HistoryBody;
  expect(h.step_seconds).toBe(60);
  expect(h.t).toHaveLength(15);
  const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
  expect(sum(h.series.login?.olympus?.succeeded)).toBe(12);
  expect(sum(h.series.login?.olympus?.failed)).toBe(3);
  expect(sum(h.series.login?.auth0?.succeeded)).toBe(4);
  // The counts sit in the current minute (or the one before, across a minute boundary).
  const failed = h.series.login!.olympus!.failed!;
  expect(failed.at(-1)! + failed.at(-2)!).toBe(3);
});

it('the default range is 1h; 24h is 288 steps of 5 minutes', async () => {
  const one = (await (await gw('/_switchback/api/history', { headers: auth })).json()) as HistoryBody;
  expect(one.range).toBe('1h');
  expect(one.t).toHaveLength(60);
  const day = (await (await gw('/_switchback/api/history?range=24h', { headers: auth })).json()) as HistoryBody;
  expect(day.step_seconds).toBe(300);
  expect(day.t).toHaveLength(288);
});

it('an unknown range is a 400 naming the ranges; no token is a 401', async () => {
  for (const range of ['2h', '', '__proto__', '1h%00']) {
    const res = await gw(`/_switchback/api/history?range=${range}`, { headers: auth });
    expect(res.status, range).toBe(400);
    expect(((await res.json()) as { error_description: string }).error_description).toContain('15m, 1h, 6h, 24h');
  }
  expect((await gw('/_switchback/api/history')).status).toBe(401);
});

/** GET /_switchback/api/history (per minute, by signal, provider and outcome; ranges validated) and /events (the live feed). */
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

it('keeps the password migration hook wrong passwords apart from right ones, next to the legacy provider own sign-ins (what the console compares)', async () => {
  const at = Date.now();
  const hook = (outcome: 'match' | 'mismatch' | 'upstream_error', n: number) => Array.from({ length: n }, (_, i) => ({ k: 'password_migration' as const, outcome, client: `h${i}`, n: 1, at }));
  await ingest([...hook('match', 20), ...hook('mismatch', 7), ...hook('upstream_error', 2), { k: 'provider_login', provider: 'auth0', outcome: 'succeeded', source: 'auth0-log-stream', n: 40, at }, { k: 'provider_login', provider: 'auth0', outcome: 'failed', source: 'auth0-log-stream', n: 9, at }]);
  const h = (await (await gw('/_switchback/api/history?range=15m', { headers: auth })).json()) as HistoryBody;
  const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
  expect(sum(h.series.password_migration_outcome?.olympus?.match)).toBe(20);
  expect(sum(h.series.password_migration_outcome?.olympus?.mismatch)).toBe(7);
  expect(sum(h.series.password_migration_outcome?.olympus?.upstream_error)).toBe(2);
  // The rule's own signal still reads a wrong password as an answer (`ok`).
  expect(sum(h.series.password_migration?.olympus?.ok)).toBe(27);
  expect(sum(h.series.provider_login?.auth0?.succeeded)).toBe(40);
  expect(sum(h.series.provider_login?.auth0?.failed)).toBe(9);
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

it('GET /events streams status snapshots as server-sent events, starting at once', async () => {
  const res = await gw('/_switchback/api/events', { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  const text = new TextDecoder().decode(value);
  expect(text.startsWith('event: status\ndata: ')).toBe(true);
  const snap = JSON.parse(text.slice('event: status\ndata: '.length).trim()) as { status: { flag: { enabled: boolean } }; audit_head: number };
  expect(snap.status.flag.enabled).toBe(true);
  expect(typeof snap.audit_head).toBe('number');
  expect((await gw('/_switchback/api/events')).status).toBe(401);
});

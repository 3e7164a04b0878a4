/** Where and when a recorded drill ran (src/rollback/drill-origin.ts): pure, table-driven. */
import { expect, it } from 'vitest';
import { drillOrigin } from '../../src/rollback/drill-origin.ts';

const NOW = Date.parse('2026-11-30T05:00:00.000Z');
const SELF = ['https://gateway.example.test', 'https://auth.example.com/'];

it.each([
  ['this gateway (request origin)', 'https://gateway.example.test', false],
  ['this gateway (PUBLIC_URL, with a path)', 'https://auth.example.com/some/path', false],
  ['staging', 'https://staging.example.test', true],
  ['same host, other port', 'https://gateway.example.test:8443', true],
  ['free text, not a URL', 'staging', true],
])('%s: elsewhere %s', (_name, environment, elsewhere) => {
  const r = drillOrigin({ environment, started_at: '2026-11-30T04:00:00.000Z', finished_at: '2026-11-30T04:02:00.000Z' }, SELF, NOW);
  expect(r).toEqual({ ok: true, origin: { environment, elsewhere, finishedAt: '2026-11-30T04:02:00.000Z' } });
});

it('without finished_at: from elsewhere it counts from its start, here from when it is recorded (null)', () => {
  expect(drillOrigin({ environment: 'https://staging.example.test', started_at: '2026-11-30T04:00:00Z' }, SELF, NOW)).toMatchObject({ ok: true, origin: { finishedAt: '2026-11-30T04:00:00.000Z', elsewhere: true } });
  expect(drillOrigin({ environment: 'https://gateway.example.test', started_at: '2026-11-30T04:00:00Z' }, SELF, NOW)).toMatchObject({ ok: true, origin: { finishedAt: null, elsewhere: false } });
});

it.each([
  ['finishing before it started', { started_at: '2026-11-30T04:00:00Z', finished_at: '2026-11-30T03:59:59Z' }, /before started_at/],
  ['finishing in the future', { started_at: '2026-11-30T04:00:00Z', finished_at: '2026-11-30T05:06:00Z' }, /future/],
  ['starting in the future', { started_at: '2026-11-30T06:00:00Z' }, /future/],
])('refuses a drill %s', (_name, times, why) => {
  const r = drillOrigin({ environment: 'https://staging.example.test', ...times }, SELF, NOW);
  expect(r.ok).toBe(false);
  expect(!r.ok && r.why).toMatch(why);
});

/**
 * Drill mode (a staging gateway's rehearsal): synthetic outcomes are refused
 * unless an eng-lead has enabled it, never reach the real windows, history,
 * detector feed or totals, roll back by the login rule on drill counters,
 * and drill mode ends by itself when its time box runs out.
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, testEnv } from './support/gateway.ts';
import { FAST_RULES, setRules, status, stub } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';

const it = gatewayTest({ enabled: true });

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await gw(`/_switchback/api${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
/** `clients` synthetic clients failing `each` logins each. */
const failures = (clients: number, each: number, prefix = 'drill') => ({ outcomes: Array.from({ length: clients }, (_, i) => ({ client: `${prefix}-${i}`, outcome: 'failed', n: each })) });
const audit = async () => ((await controller(testEnv()).audit(500)) as unknown as { type: string; actor: string; data: Record<string, any> }[]).reverse();
const tableCount = (table: string) => runInDurableObject(stub(), (_i, state) => state.storage.sql.exec<{ c: number }>(`SELECT COUNT(*) AS c FROM ${table}`).one().c);

it('refused unless an eng-lead enabled drill mode', async () => {
  const refused = await call('POST', '/drill-mode/outcomes', ADMIN.engLead, failures(20, 3));
  expect(refused.status).toBe(409);
  expect(refused.body.error).toBe('drill_mode_off');
  expect((await call('POST', '/drill-mode', ADMIN.oncall, { minutes: 10, reason: 'drill' })).status).toBe(403);
  expect((await call('POST', '/drill-mode/outcomes', ADMIN.viewer, failures(1, 1))).status).toBe(403);
  expect((await call('POST', '/drill-mode', ADMIN.engLead, { minutes: 121, reason: 'drill' })).status).toBe(400);
  expect((await call('GET', '/drill-mode', ADMIN.viewer)).body).toEqual({ active: false, state: null });
  expect((await status()).flag.enabled).toBe(true);
});

it('synthetic outcomes never reach the real windows; the login rule on drill counters rolls back, audited as drill traffic', async () => {
  await setRules(FAST_RULES);
  const on = await call('POST', '/drill-mode', ADMIN.engLead, { minutes: 15, reason: 'staging drill' });
  expect(on.status).toBe(200);
  const first = await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(20, 3));
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ counters: { failed: 60, clients: 20, batches: 1 }, verdict: 'breach', streak: 1, rolled_back: false });

  // Nothing of it in the real windows: no samples, no history, no detector feed, no totals, rules see nothing.
  expect(await tableCount('samples')).toBe(0);
  expect(await tableCount('history_minutes')).toBe(0);
  expect(await tableCount('detector_feed')).toBe(0);
  const s = await status();
  expect(s.last_5_minutes.logins).toEqual({});
  expect(s.rules.find((r: { metric: string }) => r.metric === 'login_success_rate').samples).toBe(0);
  expect(await runInDurableObject(stub(), (_i, state) => new ControllerStore(state.storage.sql).get('totals') ?? {})).toEqual({});
  const history = (await call('GET', '/history?range=15m', ADMIN.viewer)).body;
  expect(history.series.login).toBeUndefined();

  const second = await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(20, 3, 'drill-b'));
  expect(second.body).toMatchObject({ streak: 2, rolled_back: true });
  const after = await status();
  expect(after.flag.enabled).toBe(false);
  const rollback = (await audit()).find((e) => e.type === 'rollback')!;
  expect(rollback.data.reason).toMatch(/^drill: rule login_success_rate < 95% breached on drill traffic \(drill mode enabled by lead \(eng-lead\)/);
  expect(await tableCount('samples')).toBe(0);

  // The drill's own counters, for its report.
  const read = (await call('GET', '/drill-mode', ADMIN.viewer)).body;
  expect(read).toMatchObject({ active: true, state: { counters: { failed: 120, clients: 40, batches: 2 }, rolled_back_at: expect.any(String) } });
  expect((await call('POST', '/drill-mode/end', ADMIN.oncall, { reason: 'drill over' })).body).toEqual({ ended: true });
  expect((await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(1, 1))).status).toBe(409);
  const types = (await audit()).map((e) => e.type);
  expect(types.filter((t) => t.startsWith('drill_mode.'))).toEqual(['drill_mode.enabled', 'drill_mode.ended']);
});

it('rules as a dry run: drill traffic breaches, nothing flips', async () => {
  await setRules(`${FAST_RULES}\ndry_run: true\n`);
  await call('POST', '/drill-mode', ADMIN.engLead, { minutes: 5, reason: 'drill' });
  for (let i = 0; i < 3; i++) expect((await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(20, 3, `c${i}`))).body.rolled_back).toBe(false);
  expect((await status()).flag.enabled).toBe(true);
});

it('drill mode expires: after its time box, outcomes are refused and the end is audited', async () => {
  await call('POST', '/drill-mode', ADMIN.engLead, { minutes: 1, reason: 'short drill' });
  expect((await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(2, 1))).status).toBe(200);
  // A minute later (the stored time box moved into the past rather than waiting).
  await runInDurableObject(stub(), (_i, state) => {
    const store = new ControllerStore(state.storage.sql);
    const s = store.get('drill_mode')!;
    store.set('drill_mode', { ...s, until: Date.now() - 1 });
  });
  expect((await call('POST', '/drill-mode/outcomes', ADMIN.oncall, failures(2, 1))).status).toBe(409);
  const ended = (await audit()).find((e) => e.type === 'drill_mode.ended')!;
  expect(ended).toMatchObject({ actor: 'switchback-controller', data: { reason: 'the time box ran out', counters: { failed: 2 } } });
  expect((await call('GET', '/drill-mode', ADMIN.viewer)).body).toMatchObject({ active: false, state: { ended: { reason: 'the time box ran out' } } });
});

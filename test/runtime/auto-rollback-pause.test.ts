/**
 * Pausing automatic rollback: eng-lead only, bounded, audited and announced;
 * while paused an outage is measured and reported as a dry run and nothing
 * flips; resuming (oncall too) or the pause running out brings the flip back;
 * a manual rollback is never paused.
 */
import { expect } from 'vitest';
import { runInDurableObject } from 'cloudflare:test';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { alarm, auditTypes, FAST_RULES, ingest, logins, setRules, sleep, status, stub } from './support/controller.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { ADMIN } from './support/constants.ts';

const it = gatewayTest({ enabled: true });

const post = (path: string, token: string, body: unknown) =>
  gw(`/_switchback/api/automatic-rollback/${path}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

async function outage() {
  await ingest(logins('olympus', 'failed', 60, 40).concat(logins('olympus', 'succeeded', 40, 40, 'ok')));
  await sleep(1050);
  await ingest([]);
  await sleep(1050);
  await ingest([]);
}

it('only an eng-lead pauses; oncall gets 403 naming the role', async () => {
  const res = await post('pause', ADMIN.oncall, { minutes: 30, reason: 'maintenance' });
  expect(res.status).toBe(403);
  expect(((await res.json()) as { error_description: string }).error_description).toContain('eng-lead');
  expect((await status()).automatic_rollback_paused).toBeNull();
});

it('while paused an outage is a dry run: measured, audited, announced, not flipped; a manual rollback still works', async () => {
  await setRules(FAST_RULES);
  const res = await post('pause', ADMIN.engLead, { minutes: 30, reason: 'app maintenance 14:00-14:30' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { paused: { until: string; by: string; reason: string } };
  expect(Date.parse(body.paused.until) - Date.now()).toBeGreaterThan(29 * 60_000);
  expect(body.paused.by).toBe('lead (eng-lead)');
  const st = await status();
  expect(st.dry_run).toBe(true);
  expect(st.automatic_rollback_paused).toMatchObject({ by: 'lead (eng-lead)', reason: 'app maintenance 14:00-14:30' });
  // The written rules are not changed by a pause.
  expect(((await (await gw('/_switchback/api/rules', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).json()) as { rules: { dryRun: boolean } }).rules.dryRun).toBe(false);

  await outage();
  expect((await status()).flag.enabled).toBe(true);
  const types = await auditTypes();
  expect(types).toContain('automatic_rollback.paused');
  expect(types).toContain('notification.rollback.paused');
  expect(types).toContain('rollback.dry_run');
  expect(types).not.toContain('rollback');

  const manual = await gw('/_switchback/api/rollback', { method: 'POST', body: JSON.stringify({ reason: 'by hand' }), headers: { authorization: `Bearer ${ADMIN.oncall}`, 'content-type': 'application/json' } });
  expect(manual.status).toBe(200);
  expect((await status()).flag.enabled).toBe(false);
});

it('oncall resumes; the next breach flips', async () => {
  await setRules(FAST_RULES);
  expect((await post('pause', ADMIN.engLead, { minutes: 30, reason: 'maintenance' })).status).toBe(200);
  const res = await post('resume', ADMIN.oncall, { reason: 'maintenance over' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ resumed: true });
  expect((await status()).dry_run).toBe(false);
  await outage();
  expect((await status()).flag.enabled).toBe(false);
  const types = await auditTypes();
  expect(types).toContain('automatic_rollback.resumed');
  expect(types).toContain('notification.rollback.resumed');
  // Resuming when nothing is paused is harmless.
  expect(await (await post('resume', ADMIN.oncall, { reason: 'again' })).json()).toEqual({ resumed: false });
});

it('a pause runs out by itself: the alarm records it once and automatic rollback acts again', async () => {
  await setRules(FAST_RULES);
  expect((await post('pause', ADMIN.engLead, { minutes: 5, reason: 'short' })).status).toBe(200);
  await runInDurableObject(stub(), (_i, state) => {
    const s = new ControllerStore(state.storage.sql);
    const p = s.get('auto_rollback_pause')!;
    s.set('auto_rollback_pause', { ...p, until: Date.now() - 1 });
  });
  expect((await status()).automatic_rollback_paused).toBeNull();
  await alarm();
  await alarm();
  const resumed = (await auditTypes()).filter((t) => t === 'automatic_rollback.resumed');
  expect(resumed).toHaveLength(1);
  await outage();
  expect((await status()).flag.enabled).toBe(false);
});

it('bad pause bodies: 400 with the field named, never 500', async () => {
  for (const body of [{ minutes: 0, reason: 'x' }, { minutes: 24 * 60 + 1, reason: 'x' }, { minutes: 1.5, reason: 'x' }, { minutes: 10 }, { minutes: 10, reason: '   ' }, { minutes: 10, reason: 'x', until: 'forever' }, 'not json']) {
    const res = await gw('/_switchback/api/automatic-rollback/pause', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN.engLead}`, 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(body)).toBe(400);
  }
  expect((await status()).automatic_rollback_paused).toBeNull();
});

it('each change of a rule\'s verdict while Olympus is on is one audit entry with what was measured (the console\'s timeline)', async () => {
  await setRules(FAST_RULES);
  await ingest(logins('olympus', 'succeeded', 10, 10));
  await sleep(1050);
  await ingest([]);
  await ingest(logins('olympus', 'succeeded', 60, 30, 'more'));
  await sleep(1050);
  await ingest([]);
  await sleep(1050);
  await ingest([]);
  const entries = (await stub().audit(100)) as unknown as Array<{ type: string; data: { rule: string; from: string; to: string; samples: number } }>;
  const login = entries.filter((e) => e.type === 'rule.verdict' && e.data.rule === 'login_success_rate < 95%').reverse();
  expect(login.map((e) => `${e.data.from}->${e.data.to}`)).toEqual(['ok->inconclusive', 'inconclusive->ok']);
  expect(login[1]!.data.samples).toBeGreaterThanOrEqual(50);
});

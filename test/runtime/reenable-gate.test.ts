/**
 * The re-enable gate after a rollback: 409 naming each missing requirement
 * (postmortem link, a passing drill since the rollback, the cooldown), then
 * 200 once met; an eng-lead's override is audited and announced; a permanent
 * decision closes the path (no override) until reopened with a reason.
 */
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, putFlag } from './support/gateway.ts';
import { alarm, status } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { testEnv } from './support/gateway.ts';

const it = gatewayTest({ enabled: true });

const call = async (path: string, token: string, body: unknown) => {
  const res = await gw(`/_switchback/api${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const enable = (body: Record<string, unknown> = {}, token: string = ADMIN.engLead) => call(`/flags/${FLAG_KEY}`, token, { enabled: true, reason: 'fixed', ...body });
const missingCodes = (r: { body: Record<string, any> }) => (r.body.missing as { code: string }[]).map((m) => m.code);
const drill = (verdict: 'pass' | 'fail') =>
  call('/drills', ADMIN.oncall, {
    verdict,
    started_at: new Date().toISOString(),
    mode: 'automatic',
    environment: 'staging',
    durations_ms: { injected_to_decision: 1200 },
    criteria: [{ name: 'rollback within the target', pass: verdict === 'pass', measured: '1.2 s', target: '<= 60 s' }],
    failed_logins: 16,
  });
const audit = async () => ((await controller(testEnv()).audit(500)) as unknown as { type: string; actor: string; data: Record<string, any> }[]).reverse();

it('right after a rollback: 409 naming the postmortem, the drill and the cooldown; the flag stays off', async () => {
  expect((await call('/rollback', ADMIN.oncall, { reason: 'logins failing' })).status).toBe(200);
  const refused = await enable();
  expect(refused.status).toBe(409);
  expect(refused.body.error).toBe('reenable_blocked');
  expect(missingCodes(refused)).toEqual(['postmortem_missing', 'drill_missing', 'cooldown_running']);
  expect(refused.body.overridable).toBe(true);
  expect(refused.body.error_description).toMatch(/override_reason/);
  const s = await status();
  expect(s.flag.enabled).toBe(false);
  expect(s.reenable_gate).toMatchObject({ applies: true, rollback_at: s.flag.rollback_at, postmortem_url: null, passing_drill: null });
  expect(s.reenable_gate.missing.map((m: { code: string }) => m.code)).toEqual(['postmortem_missing', 'drill_missing', 'cooldown_running']);
  expect(Date.parse(s.reenable_gate.cooldown_ends_at) - Date.parse(s.flag.rollback_at)).toBe(24 * 3600 * 1000);
});

it('each requirement met in turn lifts its code; with all met, 200', async () => {
  // A rollback 25 h ago (past the default 24 h cooldown), Olympus off since.
  const rollbackAt = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
  await putFlag({ enabled: false, version: 4, rollback_at: rollbackAt, reason: 'manual decision: logins failing' });
  expect(missingCodes(await enable())).toEqual(['postmortem_missing', 'drill_missing']);

  expect((await call('/rollback/postmortem', ADMIN.viewer, { url: 'https://wiki.example.com/pm/42' })).status).toBe(403);
  expect((await call('/rollback/postmortem', ADMIN.oncall, { url: 'javascript:alert(1)' })).status).toBe(400);
  expect((await call('/rollback/postmortem', ADMIN.oncall, { url: 'https://user:pw@wiki.example.com/pm/42' })).status).toBe(400);
  expect((await call('/rollback/postmortem', ADMIN.oncall, { url: 'https://wiki.example.com/pm/42' })).status).toBe(200);
  expect(missingCodes(await enable())).toEqual(['drill_missing']);

  expect((await drill('fail')).status).toBe(201);
  expect(missingCodes(await enable())).toEqual(['drill_missing']);
  expect((await drill('pass')).status).toBe(201);
  expect((await status()).reenable_gate).toMatchObject({ postmortem_url: 'https://wiki.example.com/pm/42', missing: [] });

  const ok = await enable();
  expect(ok.status).toBe(200);
  expect(ok.body.enabled).toBe(true);
  const types = (await audit()).map((e) => e.type);
  expect(types).toContain('postmortem.linked');
  expect(types).not.toContain('reenable.overridden');
  expect((await status()).reenable_gate.applies).toBe(false);
});

it('a drill or postmortem of an earlier rollback does not count for the next one', async () => {
  const rollbackAt = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
  await putFlag({ enabled: false, version: 4, rollback_at: rollbackAt });
  await call('/rollback/postmortem', ADMIN.oncall, { url: 'https://wiki.example.com/pm/1' });
  await drill('pass');
  expect((await enable()).status).toBe(200);
  expect((await call('/rollback', ADMIN.oncall, { reason: 'failing again' })).status).toBe(200);
  expect(missingCodes(await enable())).toEqual(['postmortem_missing', 'drill_missing', 'cooldown_running']);
});

it('an eng-lead override lifts the gate: audited with the reason and what it lifted, announced', async ({ net }) => {
  await call('/rollback', ADMIN.oncall, { reason: 'logins failing' });
  // Oncall cannot enable at all; the override is an eng-lead's.
  expect((await enable({ override_reason: 'I say so' }, ADMIN.oncall)).status).toBe(403);
  const ok = await enable({ override_reason: 'the fix is a config typo, verified in staging' });
  expect(ok.status).toBe(200);
  const entries = await audit();
  const override = entries.find((e) => e.type === 'reenable.overridden')!;
  expect(override).toMatchObject({ actor: 'lead (eng-lead)', data: { reason: 'the fix is a config typo, verified in staging', overridden: ['postmortem_missing', 'drill_missing', 'cooldown_running'] } });
  const types = entries.map((e) => e.type);
  expect(types.indexOf('reenable.overridden')).toBeLessThan(types.lastIndexOf('flag.changed'));
  expect(types).toContain('notification.reenable.overridden');
  await alarm();
  const note = net.notifications.find((n) => (n as { type: string }).type === 'reenable.overridden') as { text: string } | undefined;
  expect(note?.text).toContain('the fix is a config typo');
});

it('permanent closes the path, even to an override, until reopened with a reason', async () => {
  expect((await call('/rollback/decision', ADMIN.engLead, { kind: 'temporary', why: 'no rollback yet' })).status).toBe(409);
  await call('/rollback', ADMIN.oncall, { reason: 'logins failing' });
  expect((await call('/rollback/decision', ADMIN.oncall, { kind: 'permanent', why: 'x' })).status).toBe(403);
  expect((await call('/rollback/decision', ADMIN.engLead, { kind: 'forever', why: 'x' })).status).toBe(400);
  expect((await call('/rollback/decision', ADMIN.engLead, { kind: 'permanent', why: '' })).status).toBe(400);
  const decided = await call('/rollback/decision', ADMIN.engLead, { kind: 'permanent', why: 'Olympus lacks the SAML features we need' });
  expect(decided.status).toBe(200);
  expect(decided.body.decision).toMatchObject({ kind: 'permanent', by: 'lead (eng-lead)' });

  const refused = await enable({ override_reason: 'try anyway' });
  expect(refused.status).toBe(409);
  expect(missingCodes(refused)[0]).toBe('rollback_permanent');
  expect(refused.body.overridable).toBe(false);
  expect((await status()).flag.enabled).toBe(false);

  const reopened = await call('/rollback/decision', ADMIN.engLead, { kind: 'temporary', why: 'the SAML bridge shipped' });
  expect(reopened.body.reopened).toBe(true);
  expect(missingCodes(await enable())).not.toContain('rollback_permanent');
  expect((await enable({ override_reason: 'reopened; staging verified' })).status).toBe(200);
  const types = (await audit()).map((e) => e.type);
  expect(types.filter((t) => t === 'rollback.decision' || t === 'rollback.reopened')).toEqual(['rollback.decision', 'rollback.reopened']);
});

it('enabling with no rollback behind it, or while on, needs nothing', async () => {
  expect((await enable({ percent: 50 })).status).toBe(200);
  expect((await status()).reenable_gate).toMatchObject({ applies: false, missing: [] });
});

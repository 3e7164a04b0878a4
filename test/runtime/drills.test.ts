/** POST/GET /_switchback/api/drills: what `switchback drill` records, validated, audited, newest first. */
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { auditTypes } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';

const it = gatewayTest();

const report = (verdict: 'pass' | 'fail', decisionMs: number) => ({
  verdict,
  started_at: new Date().toISOString(),
  mode: 'automatic',
  environment: 'http://127.0.0.1:8787',
  durations_ms: { injected_to_decision: decisionMs, injected_to_legacy_sign_in: null },
  criteria: [{ name: 'rollback within the target', pass: verdict === 'pass', measured: `${decisionMs / 1000} s`, target: '<= 60 s' }],
  failed_logins: 16,
});
const post = (token: string, body: unknown) =>
  gw('/_switchback/api/drills', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

it('oncall records; everyone with a token reads, newest first; audited', async () => {
  expect((await post(ADMIN.oncall, report('pass', 1900))).status).toBe(201);
  expect((await post(ADMIN.engLead, report('fail', 70_000))).status).toBe(201);
  const res = await gw('/_switchback/api/drills', { headers: { authorization: `Bearer ${ADMIN.viewer}` } });
  const { drills } = (await res.json()) as { drills: Array<{ seq: number; verdict: string; actor: string; report: { durations_ms: Record<string, number | null> } }> };
  expect(drills.map((d) => d.verdict)).toEqual(['fail', 'pass']);
  expect(drills[1]!.actor).toBe('pager (oncall)');
  expect(drills[1]!.report.durations_ms.injected_to_decision).toBe(1900);
  expect((await auditTypes()).filter((t) => t === 'drill.recorded')).toHaveLength(2);
});

it('a viewer cannot record; bad reports are 400 with the field named', async () => {
  expect((await post(ADMIN.viewer, report('pass', 1))).status).toBe(403);
  const bad: unknown[] = [
    { ...report('pass', 1), verdict: 'maybe' },
    { ...report('pass', 1), durations_ms: { 'Not A Key': 1 } },
    { ...report('pass', 1), durations_ms: { injected_to_decision: -1 } },
    { ...report('pass', 1), criteria: Array.from({ length: 51 }, () => report('pass', 1).criteria[0]) },
    { ...report('pass', 1), environment: 'x'.repeat(201) },
    { ...report('pass', 1), extra: true },
    'not json',
  ];
  for (const body of bad) {
    const res = await post(ADMIN.oncall, body);
    expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
  }
  const { drills } = (await (await gw('/_switchback/api/drills', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).json()) as { drills: unknown[] };
  expect(drills).toEqual([]);
});

/**
 * A drill rehearsed on staging and recorded on prod (`npm run drill --
 * --gateway <staging> --record-to <prod>`): recorded as a drill from another
 * environment (its gateway URL kept), and the re-enable gate takes it only if
 * it passed and finished after the rollback, however late it was sent. A
 * "pass" contradicting its own criteria, or times that cannot be true, are
 * refused; drills recorded before the table had these columns still count
 * from when they were recorded.
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, putFlag, testEnv } from './support/gateway.ts';
import { status, stub } from './support/controller.ts';
import { ADMIN, GATEWAY } from './support/constants.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { DrillLedger } from '../../src/rollback/drill-ledger.ts';

const it = gatewayTest({ enabled: true });
const STAGING = 'https://staging.example.test';

const summary = (o: { environment?: string; started: number; finished?: number; pass?: boolean; criteriaPass?: boolean }) => ({
  verdict: o.pass === false ? 'fail' : 'pass',
  started_at: new Date(o.started).toISOString(),
  ...(o.finished !== undefined ? { finished_at: new Date(o.finished).toISOString() } : {}),
  mode: 'automatic',
  environment: o.environment ?? STAGING,
  durations_ms: { injected_to_decision: 1500 },
  criteria: [{ name: 'rollback within the target', pass: o.criteriaPass ?? o.pass !== false, measured: '1.5 s', target: '<= 60 s' }],
  failed_logins: 12,
});
const post = async (body: unknown) => {
  const res = await gw('/_switchback/api/drills', { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN.oncall}`, 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const drillCodes = async () => ((await status()).reenable_gate.missing as { code: string }[]).map((m) => m.code);

it('a staging drill that finished before the rollback does not count, though sent after it; one that finished after does, marked as from elsewhere', async () => {
  const rollbackAt = Date.now() - 3 * 3600_000;
  await putFlag({ enabled: false, version: 5, rollback_at: new Date(rollbackAt).toISOString(), reason: 'manual decision: logins failing' });
  expect(await drillCodes()).toContain('drill_missing');

  // Rehearsed on staging the day before the incident, sent to prod now.
  const early = await post(summary({ started: rollbackAt - 86_400_000, finished: rollbackAt - 86_000_000 }));
  expect(early).toMatchObject({ status: 201, body: { elsewhere: true } });
  expect(await drillCodes()).toContain('drill_missing');
  // Started before the rollback, finished after it: counts from its finish.
  const late = await post(summary({ started: rollbackAt - 60_000, finished: rollbackAt + 120_000 }));
  expect(late.status).toBe(201);
  const s = await status();
  expect(s.reenable_gate.missing.map((m: { code: string }) => m.code)).not.toContain('drill_missing');
  expect(s.reenable_gate.passing_drill).toMatchObject({ seq: late.body.seq, environment: STAGING, elsewhere: true, finished_at: new Date(rollbackAt + 120_000).toISOString() });

  const listed = (await (await gw('/_switchback/api/drills', { headers: { authorization: `Bearer ${ADMIN.viewer}` } })).json()) as { drills: { seq: number; elsewhere: boolean; environment: string; finished_at: string }[] };
  expect(listed.drills.map((d) => [d.seq, d.elsewhere, d.environment])).toEqual([[late.body.seq, true, STAGING], [early.body.seq, true, STAGING]]);
  const audit = (await controller(testEnv()).audit(50)) as unknown as { type: string; data: Record<string, unknown> }[];
  expect(audit.find((e) => e.type === 'drill.recorded')?.data).toMatchObject({ seq: late.body.seq, environment: STAGING, elsewhere: true });
});

it('a failed staging drill never counts; a drill on this gateway is not from elsewhere; a staging drill without a finish time counts from its start', async () => {
  const rollbackAt = Date.now() - 3 * 3600_000;
  await putFlag({ enabled: false, version: 5, rollback_at: new Date(rollbackAt).toISOString(), reason: 'manual decision: logins failing' });
  expect((await post(summary({ started: rollbackAt + 60_000, finished: rollbackAt + 120_000, pass: false }))).status).toBe(201);
  expect(await drillCodes()).toContain('drill_missing');
  // An older CLI (no finished_at), from staging, started before the rollback: not counted.
  expect((await post(summary({ started: rollbackAt - 1000 }))).body.elsewhere).toBe(true);
  expect(await drillCodes()).toContain('drill_missing');
  const here = await post(summary({ environment: `${GATEWAY}/`, started: rollbackAt + 1000, finished: rollbackAt + 60_000 }));
  expect(here.body.elsewhere).toBe(false);
  expect((await status()).reenable_gate.passing_drill).toMatchObject({ seq: here.body.seq, elsewhere: false });
});

it('refuses a pass that contradicts its criteria, and times that cannot be true', async () => {
  const now = Date.now();
  const contradiction = await post(summary({ started: now - 60_000, finished: now, criteriaPass: false }));
  expect(contradiction.status).toBe(400);
  expect(contradiction.body.error_description).toMatch(/failed criterion/);
  expect((await post({ ...summary({ started: now - 60_000, finished: now }), criteria: [] })).status).toBe(400);
  expect((await post(summary({ started: now - 60_000, finished: now - 120_000 }))).body.error_description).toMatch(/finished_at is before started_at/);
  expect((await post(summary({ started: now, finished: now + 3600_000 }))).body.error_description).toMatch(/future/);
  expect((await post({ ...summary({ started: now - 60_000 }), finished_at: 'yesterday' })).status).toBe(400);
  expect(await stub().drills(10)).toEqual([]);
});

it('a drills table from before (v1: no finished_at, environment, elsewhere) is migrated; its drills count from when they were recorded', async () => {
  const rows = await runInDurableObject(stub(), async (_i, state) => {
    const sql = state.storage.sql;
    sql.exec('DROP TABLE drills');
    sql.exec('CREATE TABLE drills (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, verdict TEXT NOT NULL, report TEXT NOT NULL)');
    sql.exec("INSERT INTO drills (at, actor, verdict, report) VALUES ('2026-11-30T02:00:00.000Z', 'pager (oncall)', 'pass', '{}')");
    const ledger = new DrillLedger(sql);
    new DrillLedger(sql); // twice: the migration is idempotent
    return { passing: ledger.passing(), list: ledger.list(5) };
  });
  expect(rows.passing).toEqual([{ seq: 1, at: '2026-11-30T02:00:00.000Z', finished_at: '2026-11-30T02:00:00.000Z', environment: null, elsewhere: false }]);
  expect(rows.list[0]).toMatchObject({ seq: 1, finished_at: null, environment: null, elsewhere: false });
});

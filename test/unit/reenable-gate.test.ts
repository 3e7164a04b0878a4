/** The re-enable gate as a pure policy: what counts for which rollback, and what an override can lift. */
import { describe, expect, it } from 'vitest';
import { admit, gateView } from '../../src/rollback/reenable-gate.ts';
import type { FlagRecord } from '../../src/flag/flag-record.ts';

const RB = '2026-11-30T01:00:00.000Z';
const T = Date.parse(RB);
const off: FlagRecord = { enabled: false, version: 3, updated_at: RB, updated_by: 'x', reason: 'r', rollback_at: RB };
const codes = (v: ReturnType<typeof gateView>) => v.missing.map((m) => m.code);
/** A drill run here: it counts from when it finished (recorded then). */
const local = (seq: number, at: string) => ({ seq, at, finished_at: at, environment: 'https://gateway.example.test', elsewhere: false });

describe('gateView', () => {
  it('applies only while off after a rollback', () => {
    expect(gateView({ flag: { ...off, enabled: true, rollback_at: null }, aftermath: undefined, passingDrills: [], cooldownSeconds: 86400 }, T).applies).toBe(false);
    expect(gateView({ flag: { ...off, rollback_at: null }, aftermath: undefined, passingDrills: [], cooldownSeconds: 86400 }, T).applies).toBe(false);
  });

  it('a drill counts only when recorded after the rollback; a postmortem only for its own rollback; the cooldown ends exactly', () => {
    const base = { flag: off, cooldownSeconds: 3600 };
    expect(codes(gateView({ ...base, aftermath: { rollback_at: '2026-11-29T00:00:00.000Z', postmortem: { url: 'https://x', by: 'a', at: RB } }, passingDrills: [local(1, RB)] }, T))).toEqual(['postmortem_missing', 'drill_missing', 'cooldown_running']);
    const met = gateView({ ...base, aftermath: { rollback_at: RB, postmortem: { url: 'https://x', by: 'a', at: RB } }, passingDrills: [local(2, '2026-11-30T01:00:00.001Z')] }, T + 3600_000);
    expect(met.missing).toEqual([]);
    expect(met.passing_drill).toEqual(local(2, '2026-11-30T01:00:00.001Z'));
    expect(codes(gateView({ ...base, aftermath: { rollback_at: RB, postmortem: { url: 'https://x', by: 'a', at: RB } }, passingDrills: [local(2, '2026-11-30T01:00:00.001Z')] }, T + 3600_000 - 1))).toEqual(['cooldown_running']);
  });

  it('a drill from another environment (staging) counts from when it finished, not when it was sent here', () => {
    const base = { flag: off, cooldownSeconds: 0, aftermath: { rollback_at: RB, postmortem: { url: 'https://x', by: 'a', at: RB } } };
    const staging = (seq: number, finished: string) => ({ seq, at: '2026-11-30T05:00:00.000Z', finished_at: finished, environment: 'https://staging.example.test', elsewhere: true });
    // Ran (and finished) before the rollback, sent afterwards: does not count.
    expect(codes(gateView({ ...base, passingDrills: [staging(3, '2026-11-30T00:59:59.999Z')] }, T + 5))).toEqual(['drill_missing']);
    const ok = gateView({ ...base, passingDrills: [staging(3, '2026-11-30T00:59:59.999Z'), staging(4, '2026-11-30T02:00:00.000Z')] }, T + 5);
    expect(ok.missing).toEqual([]);
    expect(ok.passing_drill).toEqual(staging(4, '2026-11-30T02:00:00.000Z'));
  });

  it('an override lifts all but a permanent decision; it is needed only when something is missing', () => {
    const open = gateView({ flag: off, aftermath: undefined, passingDrills: [], cooldownSeconds: 0 }, T);
    expect(admit(open, { enabled: true }, undefined)).toMatchObject({ ok: false, overridable: true });
    expect(admit(open, { enabled: true }, 'because')).toMatchObject({ ok: true, overridden: [{ code: 'postmortem_missing' }, { code: 'drill_missing' }] });
    expect(admit(open, { enabled: false }, undefined)).toEqual({ ok: true, overridden: [] });
    const permanent = gateView({ flag: off, aftermath: { rollback_at: RB, decision: { kind: 'permanent', why: 'w', by: 'b', at: RB } }, passingDrills: [], cooldownSeconds: 0 }, T);
    expect(admit(permanent, { enabled: true }, 'because')).toMatchObject({ ok: false, overridable: false });
  });
});

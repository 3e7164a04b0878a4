/** The drill's verdict: each criterion from what was measured, the logs compared with the plan's trail, trends against earlier passes. */
import { describe, expect, it } from 'vitest';
import { compareLogs, type DrillRun } from '../../scripts/drill/drill-run.ts';
import { summarize, trendLines, markdown, html } from '../../scripts/drill/drill-report.ts';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const entry = (seq: number, type: string) => ({ seq, at: new Date(T0 + seq).toISOString(), type, actor: 'x', data: {} });

function run(over: Partial<DrillRun> = {}): DrillRun {
  return {
    startedAt: T0,
    hypothesis: 'h',
    mode: 'automatic',
    events: [{ step: 'pretend it broke', at: T0 + 1000, detail: '<b>8 clients</b>' }],
    t: { injected: T0 + 1000, firstBreach: T0 + 1500, decision: T0 + 3000, loginOnLegacy: T0 + 3100, legacySignIn: T0 + 3300 },
    steadyState: { ok: true, detail: 'healthy' },
    rolledBackBy: 'switchback-controller',
    legacySignInOk: true,
    sessionKept: { ok: true, detail: 'kept' },
    logs: { ok: true, missing: [], duplicated: [], outOfOrder: false, notificationsFailed: 0, receivers: [] },
    failedLogins: 16,
    injection: { how: 'stand-in' },
    restored: { ok: true, detail: 'ok' },
    ...over,
  };
}

describe('compareLogs', () => {
  it('the plan\'s trail in order, once each, passes', () => {
    const r = compareLogs([entry(1, 'flag.changed'), entry(2, 'notification.flag.changed'), entry(3, 'rollback'), entry(4, 'notification.rollback.triggered'), entry(5, 'notification.rollback.completed')], true, ['webhook']);
    expect(r.ok).toBe(true);
  });
  it('a missing, a repeated or a misordered event fails, and says which', () => {
    expect(compareLogs([entry(1, 'flag.changed'), entry(3, 'rollback'), entry(4, 'notification.rollback.triggered')], true, []).missing).toEqual(['notification.rollback.completed']);
    expect(compareLogs([entry(3, 'rollback'), entry(4, 'rollback'), entry(5, 'notification.rollback.triggered'), entry(6, 'notification.rollback.completed')], false, []).duplicated).toEqual(['rollback']);
    expect(compareLogs([entry(3, 'notification.rollback.triggered'), entry(4, 'rollback'), entry(6, 'notification.rollback.completed')], false, []).outOfOrder).toBe(true);
    const failed = compareLogs([entry(3, 'rollback'), entry(4, 'notification.rollback.triggered'), entry(5, 'notification.rollback.completed'), entry(6, 'notification.failed')], false, ['webhook']);
    expect(failed).toMatchObject({ ok: false, notificationsFailed: 1 });
  });
});

describe('summarize', () => {
  it('passes when every criterion holds; durations from the injected failure', () => {
    const s = summarize(run(), 60_000, 'http://gw');
    expect(s.verdict).toBe('pass');
    expect(s.durations_ms).toEqual({ injected_to_first_breach: 500, injected_to_decision: 2000, decision_to_login_on_legacy: 100, injected_to_legacy_sign_in: 2300 });
  });
  it('a rollback slower than the target fails that criterion only', () => {
    const s = summarize(run(), 1_000, 'http://gw');
    expect(s.verdict).toBe('fail');
    expect(s.criteria.filter((c) => !c.pass).map((c) => c.name)).toEqual(['rollback within the target']);
  });
  it('no rollback: the target, the legacy sign-in and the durations say so', () => {
    const s = summarize(run({ rolledBackBy: null, legacySignInOk: false, t: { injected: T0, firstBreach: null, decision: null, loginOnLegacy: null, legacySignIn: null } }), 60_000, 'gw');
    expect(s.criteria.find((c) => c.name === 'rollback within the target')).toMatchObject({ pass: false, measured: 'no rollback' });
    expect(s.durations_ms.injected_to_decision).toBeNull();
  });
  it('the reports escape what they print', () => {
    const s = summarize(run(), 60_000, 'gw');
    expect(html(run(), s, [])).toContain('&lt;b&gt;8 clients');
    expect(html(run(), s, [])).not.toContain('<b>8 clients');
    expect(markdown(run(), s, [])).toContain('# Rollback drill: PASS');
  });
});

describe('trendLines', () => {
  it('compares each duration with the median of earlier passing drills only', () => {
    const now = summarize(run(), 60_000, 'gw');
    const slow = { ...now, durations_ms: { ...now.durations_ms, injected_to_decision: 9000 } };
    const failed = { ...now, verdict: 'fail' as const, durations_ms: { ...now.durations_ms, injected_to_decision: 99_000 } };
    const lines = trendLines(now, [slow, slow, failed]);
    expect(lines.find((l) => l.startsWith('injected to decision'))).toBe('injected to decision: 2.0 s now, median 9.0 s over 2 earlier passing drills');
    expect(trendLines(now, [failed])).toEqual([]);
  });
});

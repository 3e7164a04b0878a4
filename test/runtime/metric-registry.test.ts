/** The metric registry: one definition per metric, used by the rule parser, the evaluator, /metrics and notifications. */
import { describe, expect, it } from 'vitest';
import { crosses, formatValue } from '../../src/rollback/metrics/metric-definition.ts';
import { METRIC_IDS, METRICS, counterFor } from '../../src/rollback/metrics/registry.ts';
import { notification } from '../../src/rollback/notifications.ts';
import { prometheusText } from '../../src/rollback/prometheus.ts';
import { parseRules, RulesError } from '../../src/rollback/rules.ts';
import { SAFE_DEFAULT_FLAG } from '../../src/flag/flag-record.ts';

describe('metric registry', () => {
  it.each(METRIC_IDS)("%s: its example parses to a rule with the definition's direction and defaults", (id) => {
    const def = METRICS[id];
    const [rule] = parseRules(`rollback_if:\n  - ${def.example}`).rules;
    expect(rule).toMatchObject({ id: def.example, metric: id, op: def.op, ...def.defaults });
  });

  it.each(METRIC_IDS)('%s: the opposite direction is refused', (id) => {
    const def = METRICS[id];
    const wrong = def.example.replace(def.op, def.op === '<' ? '>' : '<');
    expect(() => parseRules(`rollback_if:\n  - ${wrong}`)).toThrow(RulesError);
  });

  it('an unknown metric name lists the known ones, from the registry', () => {
    try {
      parseRules('rollback_if:\n  - login_rate < 95%');
      expect.unreachable();
    } catch (err) {
      for (const id of METRIC_IDS) expect((err as Error).message).toContain(METRICS[id].example);
    }
  });

  it.each([
    ['percent', 0.95, '95.0%'],
    ['percent', 1, '100.0%'],
    ['per_hour', 0.5, '0.5/h'],
    ['per_hour', 120, '120.0/h'],
    ['percent', null, 'n/a'],
  ] as const)('formats %s %s as %s (a count per hour below 1 is not a percentage)', (unit, v, text) => {
    expect(formatValue(unit, v)).toBe(text);
  });

  it('a notification prints the measured value in the metric unit', () => {
    const fields = { reason: 'r', rule: 'support_tickets_per_hour > 50', value: 0.8, threshold: 50, window: 900, samples: 1, actor: 'a', dry_run: false, flag: { enabled: true, version: 1, rollback_at: null } };
    const text = notification('trigger.inconclusive', fields, new Date(0), (v) => formatValue(METRICS.support_tickets_per_hour.unit, v)).text;
    expect(text).toContain('measured 0.8/h');
    expect(text).not.toContain('80.0%');
  });

  it.each([
    ['<', 0.9, 0.95, true],
    ['<', 0.95, 0.95, false],
    ['>', 0.06, 0.05, true],
    ['>', 0.05, 0.05, false],
  ] as const)('crosses(%s, %s, %s) = %s', (op, v, t, expected) => {
    expect(crosses(op, v, t)).toBe(expected);
  });

  it('api and ticket events are counted by their metric definitions; login events are not (ingest owns them)', () => {
    expect(counterFor('api')?.signal).toBe('api');
    expect(counterFor('api')?.counter.sample({ k: 'api', provider: 'olympus', client: 'c1', error: true, n: 3.7, at: 0 })).toEqual({ provider: 'olympus', outcome: 'error', client: 'c1', n: 3, total: 'api_olympus_error' });
    expect(counterFor('ticket')?.counter.sample({ k: 'ticket', n: 0, at: 0 })).toEqual({ provider: 'all', outcome: 'ticket', client: 'hook', n: 1, total: 'tickets' });
    expect(counterFor('login_outcome')).toBeUndefined();
    expect(counterFor('provider_login')).toBeUndefined();
  });

  it("each metric's counter series reads its totals keys; tickets print 0 before the first one", () => {
    const text = prometheusText({ flag: SAFE_DEFAULT_FLAG, totals: { login_olympus_failed: 2, api_anonymous_ok: 5, provider_login_auth0_succeeded: 1 }, evaluations: [], pendingLogins: 0, outbox: 0 });
    expect(text).toMatch(/^switchback_login_outcomes_total\{provider="olympus",outcome="failed"\} 2$/m);
    expect(text).toMatch(/^switchback_api_requests_total\{provider="anonymous",result="ok"\} 5$/m);
    expect(text).toMatch(/^switchback_support_tickets_total 0$/m);
    expect(text).toMatch(/^switchback_provider_login_events_total\{provider="auth0",outcome="succeeded"\} 1$/m);
    for (const id of METRIC_IDS) expect(text).toContain(`# TYPE ${METRICS[id].series.name} counter`);
  });
});

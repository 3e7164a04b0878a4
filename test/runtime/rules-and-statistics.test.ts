/** Rules parsing, confidence bounds, window arithmetic and per-client caps: pure functions with explicit data. */
import { describe, expect, it } from 'vitest';
import { parseRules, RulesError, DEFAULT_RULES_YAML } from '../../src/rollback/rules.ts';
import { differenceInterval, poisson, wilson, zFor } from '../../src/rollback/statistics.ts';
import { evaluateRule, nextStreak, type WindowCounts } from '../../src/rollback/rule-evaluator.ts';
import { bucketOf, cohortCounts, windowStartBucket, BUCKET_SECONDS } from '../../src/rollback/window-aggregation.ts';

const defaults = parseRules(DEFAULT_RULES_YAML);
const login = defaults.rules.find((r) => r.metric === 'login_success_rate')!;
const api = defaults.rules.find((r) => r.metric === 'api_error_rate')!;
const tickets = defaults.rules.find((r) => r.metric === 'support_tickets_per_hour')!;

describe('parseRules', () => {
  it("reads the plan's YAML as written", () => {
    expect(defaults.rules.map((r) => r.id)).toEqual(['login_success_rate < 95%', 'api_error_rate > 5%', 'support_tickets_per_hour > 50']);
    expect(login).toMatchObject({ op: '<', threshold: 0.95, windowSeconds: 300, minSamples: 50, minClients: 10, consecutive: 3, confidence: 0.999 });
    expect(api.threshold).toBeCloseTo(0.05);
    expect(tickets).toMatchObject({ threshold: 50, windowSeconds: 900 });
    expect(defaults.abandonAfterSeconds).toBe(300);
    expect(defaults.manualRoles).toEqual(['oncall', 'eng-lead']);
    expect(defaults.dryRun).toBe(false);
  });

  it('reads JSON and the long form with overrides', () => {
    const r = parseRules(JSON.stringify({ dry_run: true, evaluate_every: '2s', abandon_after: '3m', rollback_if: [{ rule: 'login_success_rate < 90%', window: '1m', min_samples: 20, min_clients: 5, consecutive: 2, confidence: 0.95, max_per_client: 2, tolerance: '3%', compare_cohorts: false }] }));
    expect(r).toMatchObject({ dryRun: true, evaluateEverySeconds: 2, abandonAfterSeconds: 180, manualRoles: [] });
    expect(r.rules[0]).toMatchObject({ threshold: 0.9, windowSeconds: 60, minSamples: 20, minClients: 5, consecutive: 2, confidence: 0.95, maxPerClient: 2, tolerance: 0.03, compareCohorts: false });
  });

  it.each([
    ['not YAML', 'rollback_if: [', '(document)'],
    ['not a mapping', '- a', '(document)'],
    ['missing list', 'dry_run: true', 'rollback_if'],
    ['unknown top key', 'rollback_iff: []', 'rollback_iff'],
    ['unknown metric', 'rollback_if:\n  - login_rate < 95%', 'rollback_if[0]'],
    ['rate without %', 'rollback_if:\n  - api_error_rate > 5', 'rollback_if[0]'],
    ['tickets with %', 'rollback_if:\n  - support_tickets_per_hour > 5%', 'rollback_if[0]'],
    ['wrong direction', 'rollback_if:\n  - login_success_rate > 95%', 'rollback_if[0]'],
    ['over 100%', 'rollback_if:\n  - api_error_rate > 150%', 'rollback_if[0]'],
    ['bad window', 'rollback_if:\n  - rule: api_error_rate > 5%\n    window: soon', 'rollback_if[0].window'],
    ['unknown rule key', 'rollback_if:\n  - rule: api_error_rate > 5%\n    windw: 5m', 'rollback_if[0].windw'],
    ['bad consecutive', 'rollback_if:\n  - rule: api_error_rate > 5%\n    consecutive: 0', 'rollback_if[0].consecutive'],
    ['bad confidence', 'rollback_if:\n  - rule: api_error_rate > 5%\n    confidence: 1.5', 'rollback_if[0].confidence'],
    ['bad role', 'rollback_if:\n  - manual_decision_by: [ceo]', 'rollback_if[0].manual_decision_by'],
    ['duplicate', 'rollback_if:\n  - api_error_rate > 5%\n  - api_error_rate > 5%', 'rollback_if'],
    ['dry_run not boolean', 'dry_run: yes please\nrollback_if: []', 'dry_run'],
  ])('%s: RulesError naming %s', (_n, text, path) => {
    try {
      parseRules(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RulesError);
      expect((err as RulesError).path).toBe(path);
      expect((err as Error).message).toContain(path);
    }
  });
});

describe('statistics', () => {
  it('z for common confidences', () => {
    expect(zFor(0.95)).toBeCloseTo(1.96, 2);
    expect(zFor(0.99)).toBeCloseTo(2.576, 2);
  });
  it('Wilson bounds contain the estimate and narrow with n', () => {
    const small = wilson(48, 50, 0.99);
    const big = wilson(4800, 5000, 0.99);
    expect(small.lower).toBeLessThan(0.96);
    expect(small.upper).toBeGreaterThan(0.96);
    expect(big.upper - big.lower).toBeLessThan(small.upper - small.lower);
    expect(wilson(0, 0, 0.99)).toMatchObject({ lower: 0, upper: 1 });
  });
  it('Wilson agrees with a known value (40/50 at 95%: 0.670-0.888)', () => {
    const w = wilson(40, 50, 0.95);
    expect(w.lower).toBeCloseTo(0.67, 2);
    expect(w.upper).toBeCloseTo(0.888, 2);
  });
  it('difference interval and Poisson bounds', () => {
    const d = differenceInterval(70, 100, 97, 100, 0.99);
    expect(d.upper).toBeLessThan(-0.1);
    const p = poisson(100, 0.95);
    expect(p.lower).toBeCloseTo(81.4, 0);
    expect(p.upper).toBeCloseTo(121.6, 0);
  });
});

const counts = (o: [number, number, number], a: [number, number, number] = [0, 0, 0], t = 0): WindowCounts => ({
  olympus: { good: o[0], bad: o[1], clients: o[2] },
  auth0: { good: a[0], bad: a[1], clients: a[2] },
  tickets: t,
});

describe('evaluateRule', () => {
  it('inconclusive below min_samples, whatever the rate', () => {
    const e = evaluateRule(login, counts([1, 3, 4]), false);
    expect(e.verdict).toBe('inconclusive');
    expect(e.note).toContain('min_samples');
    expect(e.value).toBe(0.25);
  });
  it('inconclusive with too few distinct clients', () => {
    expect(evaluateRule(login, counts([10, 90, 3]), false)).toMatchObject({ verdict: 'inconclusive' });
  });
  it('a true 97% at 50 logins is not a breach; a 70% outage is', () => {
    expect(evaluateRule(login, counts([47, 3, 30]), false).verdict).toBe('ok');
    expect(evaluateRule(login, counts([45, 5, 30]), false).verdict).toBe('ok'); // 90% observed, not enough evidence
    expect(evaluateRule(login, counts([35, 15, 30]), false).verdict).toBe('breach');
  });
  it('API error rate above 5% with evidence', () => {
    expect(evaluateRule(api, counts([190, 10, 20]), false).verdict).toBe('ok');
    expect(evaluateRule(api, counts([160, 40, 20]), false).verdict).toBe('breach');
  });
  it('with a split running, Olympus is compared with the Auth0 cohort', () => {
    // Both cohorts at 88%: the app or the network is bad, not Olympus: no rollback.
    expect(evaluateRule(login, counts([88, 12, 40], [88, 12, 40]), true)).toMatchObject({ verdict: 'ok', mode: 'cohort' });
    // Olympus far below Auth0: rollback.
    expect(evaluateRule(login, counts([60, 40, 40], [97, 3, 40]), true)).toMatchObject({ verdict: 'breach', mode: 'cohort' });
    // Without enough Auth0 samples there is nothing to compare with: inconclusive, not the absolute threshold.
    expect(evaluateRule(login, counts([60, 40, 40], [5, 0, 5]), true)).toMatchObject({ verdict: 'inconclusive', mode: 'cohort' });
    // Without a split, the absolute threshold.
    expect(evaluateRule(login, counts([60, 40, 40], [5, 0, 5]), false)).toMatchObject({ verdict: 'breach', mode: 'absolute' });
  });
  it('support tickets per hour use a Poisson lower bound', () => {
    // 15 minute window, read per hour: 10 tickets = 40/h; 16 = 64/h observed but not beyond doubt; 30 = 120/h.
    expect(evaluateRule(tickets, counts([0, 0, 0], undefined, 10), false).verdict).toBe('ok');
    expect(evaluateRule(tickets, counts([0, 0, 0], undefined, 16), false).verdict).toBe('ok');
    expect(evaluateRule(tickets, counts([0, 0, 0], undefined, 30), false).verdict).toBe('breach');
  });
  it('streaks count consecutive breaches only', () => {
    expect(nextStreak(2, 'breach')).toBe(3);
    expect(nextStreak(2, 'inconclusive')).toBe(2);
    expect(nextStreak(2, 'ok')).toBe(0);
  });
});

describe('windows and caps', () => {
  it('bucket arithmetic', () => {
    expect(BUCKET_SECONDS).toBe(10);
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(9_999)).toBe(0);
    expect(bucketOf(10_000)).toBe(1);
    const now = 1_000_000_000_000;
    // A 300 s window spans 30 buckets, the current one included.
    expect(bucketOf(now) - windowStartBucket(now, 300) + 1).toBe(30);
  });
  it('caps each client per outcome and counts distinct clients', () => {
    const rows = [
      { provider: 'olympus', outcome: 'failed', client: 'attacker', n: 500 },
      { provider: 'olympus', outcome: 'succeeded', client: 'a', n: 2 },
      { provider: 'olympus', outcome: 'abandoned', client: 'b', n: 1 },
      { provider: 'olympus', outcome: 'started', client: 'c', n: 9 },
      { provider: 'auth0', outcome: 'failed', client: 'd', n: 1 },
    ];
    expect(cohortCounts(rows, 'olympus', 3)).toEqual({ good: 2, bad: 4, clients: 3 });
    expect(cohortCounts(rows, 'auth0', 3)).toEqual({ good: 0, bad: 1, clients: 1 });
  });
  it("caps a client's total in its own ratio: a busy healthy client is not read as failing", () => {
    // An office NAT: 970 successes, 30 failures. Capping per outcome would read 3/3 = 50%.
    const rows = [
      { provider: 'olympus', outcome: 'succeeded', client: 'nat', n: 970 },
      { provider: 'olympus', outcome: 'failed', client: 'nat', n: 30 },
    ];
    const c = cohortCounts(rows, 'olympus', 3);
    expect(c.good + c.bad).toBeCloseTo(3);
    expect(c.good / (c.good + c.bad)).toBeCloseTo(0.97);
  });
  it('failed and abandoned share one cap per client', () => {
    const rows = [
      { provider: 'olympus', outcome: 'failed', client: 'bot', n: 400 },
      { provider: 'olympus', outcome: 'abandoned', client: 'bot', n: 400 },
    ];
    expect(cohortCounts(rows, 'olympus', 3)).toEqual({ good: 0, bad: 3, clients: 1 });
  });
});

/**
 * Evaluates one rule against one window of counts. Pure: counts in, verdict
 * out, so the simulation script and the tests run it without a runtime.
 *
 * Verdicts (as in Argo Rollouts / Flagger analysis): `breach`, `ok`, or
 * `inconclusive` when there are too few samples or distinct clients; an
 * inconclusive result is shown as such and never counts toward a rollback.
 * A breach needs the confidence bound, not the point estimate, to cross the
 * threshold; while a percentage split runs, the Olympus cohort is compared
 * with the Auth0 cohort (same traffic, same hour, same app) instead.
 */
import type { MetricRule } from './rules.ts';
import { differenceInterval, poisson, wilson } from './statistics.ts';

/** Capped counts for one cohort over the window. */
export interface CohortCounts {
  /** Successful logins, or proxied requests answered without error. */
  good: number;
  /** Failed + abandoned logins, or errored requests. */
  bad: number;
  /** Distinct clients that contributed. */
  clients: number;
}

export interface WindowCounts {
  olympus: CohortCounts;
  auth0: CohortCounts;
  tickets: number;
}

export type Verdict = 'breach' | 'ok' | 'inconclusive';

export interface Evaluation {
  rule: string;
  metric: MetricRule['metric'];
  verdict: Verdict;
  /** The observed value: a rate (0-1) or tickets per hour. */
  value: number | null;
  /** The confidence bound compared with the threshold (or the cohort difference bound). */
  bound: number | null;
  threshold: number;
  mode: 'absolute' | 'cohort';
  samples: number;
  clients: number;
  windowSeconds: number;
  /** Why inconclusive, for people reading /status. */
  note?: string;
}

function enough(rule: MetricRule, c: CohortCounts): string | undefined {
  const n = c.good + c.bad;
  if (n < rule.minSamples) return `${n} samples < min_samples ${rule.minSamples}`;
  if (c.clients < rule.minClients) return `${c.clients} clients < min_clients ${rule.minClients}`;
  return undefined;
}

export function evaluateRule(rule: MetricRule, w: WindowCounts, splitRunning: boolean): Evaluation {
  const base = { rule: rule.id, metric: rule.metric, threshold: rule.threshold, windowSeconds: rule.windowSeconds };
  if (rule.metric === 'support_tickets_per_hour') {
    const perHour = 3600 / rule.windowSeconds;
    const b = poisson(w.tickets, rule.confidence);
    return { ...base, verdict: b.lower * perHour > rule.threshold ? 'breach' : 'ok', value: w.tickets * perHour, bound: b.lower * perHour, mode: 'absolute', samples: w.tickets, clients: 0 };
  }
  const o = w.olympus;
  const n = o.good + o.bad;
  // For success rates the "event" is good; for error rates it is bad.
  const hits = rule.metric === 'login_success_rate' ? o.good : o.bad;
  const value = n > 0 ? hits / n : null;
  const short = enough(rule, o);
  if (short) return { ...base, verdict: 'inconclusive', value, bound: null, mode: 'absolute', samples: n, clients: o.clients, note: short };
  const a = w.auth0;
  const na = a.good + a.bad;
  if (splitRunning && rule.compareCohorts) {
    // While a split runs, a fixed threshold would roll Olympus back for an app-wide bad hour:
    // without enough Auth0 traffic to compare with, there is no evidence about Olympus itself.
    const shortA = enough(rule, a);
    if (shortA) return { ...base, threshold: rule.op === '<' ? -rule.tolerance : rule.tolerance, verdict: 'inconclusive', value, bound: null, mode: 'cohort', samples: n, clients: o.clients, note: `Auth0 cohort: ${shortA}` };
    const hitsA = rule.metric === 'login_success_rate' ? a.good : a.bad;
    const d = differenceInterval(hits, n, hitsA, na, rule.confidence);
    const breach = rule.op === '<' ? d.upper < -rule.tolerance : d.lower > rule.tolerance;
    return { ...base, threshold: rule.op === '<' ? -rule.tolerance : rule.tolerance, verdict: breach ? 'breach' : 'ok', value, bound: rule.op === '<' ? d.upper : d.lower, mode: 'cohort', samples: n, clients: o.clients };
  }
  const ci = wilson(hits, n, rule.confidence);
  const breach = rule.op === '<' ? ci.upper < rule.threshold : ci.lower > rule.threshold;
  return { ...base, verdict: breach ? 'breach' : 'ok', value, bound: rule.op === '<' ? ci.upper : ci.lower, mode: 'absolute', samples: n, clients: o.clients };
}

/**
 * Consecutive breaching evaluations. An `ok` starts over; an `inconclusive`
 * holds the streak (it is no evidence either way, and never adds to it), so a
 * low-traffic outage that flickers around min_samples is still caught.
 */
export function nextStreak(previous: number, verdict: Verdict): number {
  if (verdict === 'breach') return previous + 1;
  return verdict === 'inconclusive' ? previous : 0;
}

/**
 * Evaluates one rule against one window of counts. Pure: counts in, verdict
 * out, so the simulation script and the tests run it without a runtime. The
 * statistic itself is the metric's (metrics/: Wilson or cohort comparison
 * for rates, Poisson for counts per hour).
 *
 * Verdicts (as in Argo Rollouts / Flagger analysis): `breach`, `ok`, or
 * `inconclusive` when there are too few samples or distinct clients; an
 * inconclusive result is shown as such and never counts toward a rollback.
 * A breach needs the confidence bound, not the point estimate, to cross the
 * threshold; while a percentage split runs, the Olympus cohort is compared
 * with the Auth0 cohort (same traffic, same hour, same app) instead.
 */
import { metric } from './metrics/registry.ts';
import type { MetricRule } from './rules.ts';
import type { DetectorView } from './sequential-detector.ts';

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
  /** The sequential detector's evidence, for rules it decides (rule-loop.ts). */
  detector?: DetectorView;
}

/** The rule's metric's statistic (metrics/registry.ts) on one window. */
export function evaluateRule(rule: MetricRule, w: WindowCounts, splitRunning: boolean): Evaluation {
  return metric(rule.metric).evaluate(rule, w, splitRunning);
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

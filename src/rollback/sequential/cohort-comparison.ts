/**
 * The sequential comparison of the Olympus cohort with the legacy cohort
 * during a percentage split: an app-wide bad hour hits both cohorts and must
 * not roll Olympus back; Olympus alone failing more than the rule's
 * `tolerance` must, and as fast as the evidence allows.
 *
 * The conditional test. Every login is in the Olympus cohort with
 * probability s (its share of the outcomes) and fails with probability pO or
 * pL. Given that a login failed, it was an Olympus login with probability
 *   q = s r / (s r + 1 - s),   r = pO / pL,
 * exactly, whatever the common level of failures: an app-wide outage moves
 * pO and pL alike and leaves q at s. So each failure, from either cohort, is
 * one Bernoulli observation (x = 1: an Olympus failure) and the comparison is
 * a one-sample test on q (the conditional binomial of Przyborowski &
 * Wilenski 1940 for two rates; as a sequential test against a concurrent
 * control, Kulldorff et al. 2011, "A maximized sequential probability ratio
 * test for drug and vaccine safety surveillance", Sequential Analysis 30,
 * the binomial MaxSPRT). The null is the tolerance: r0 = (pL + tolerance)/pL
 * at the legacy cohort's rate (floored at 0.5%). Odds(q) = s r / (1 - s), so
 * an alternative r1 = m r0 multiplies the odds of q by m at every share s:
 * the charts are Bernoulli CUSUMs (bernoulli-cusum.ts) for q0 against the odds
 * multiples m = 1.6, 3, 6 and 20, their steps computed at the share and
 * legacy rate of the moment.
 *
 * The error budget. Under the null every step's likelihood ratio has mean 1
 * whatever s and pL are at that moment, so e^S from each restart is a
 * nonnegative martingale and, by Ville's inequality and a union over the
 * restart points and the K charts, false alarms among N failures stay below
 * K N e^-h: h = ln(K N / B) for B false rollbacks per 30 days, N the failures
 * of both cohorts in 30 days (Lorden's bound in its martingale form; no
 * approximation spent here). The attack floor applies as for the absolute
 * charts: no chart crosses on fewer Olympus failures than F, from distinct
 * clients (one per client per window, detector-feed.ts).
 * Pure functions, plain data.
 */
import { attackFloor, budgetThreshold, chart, chartThreshold, step, type Chart } from './bernoulli-cusum.ts';

/** Odds multiples of the alternatives: a close one (an Olympus-only dip) to a far one (an Olympus outage). */
export const COHORT_ODDS_MULTIPLES = [1.6, 3, 6, 20] as const;
/** Below this the legacy cohort's rate is taken as this (r0 stays finite: 0.5% + a 2-point tolerance = 5x). */
export const LEGACY_RATE_FLOOR = 0.005;
/** The share of outcomes in the Olympus cohort is clamped to this range (a split of 0% or 100% compares nothing). */
const SHARE_RANGE = [0.01, 0.99] as const;

export interface CohortNull {
  /** s: the Olympus cohort's share of the outcomes. */
  share: number;
  /** r0: the rate ratio at the tolerance. */
  ratio0: number;
  /** q0: the probability that a failure is an Olympus one at the tolerance. */
  q0: number;
}

/** Probability that a failure is an Olympus one, at share s and rate ratio r = pO / pL. */
export function olympusShareOfFailures(share: number, ratio: number): number {
  return (share * ratio) / (share * ratio + 1 - share);
}

export function cohortNull(share: number, legacyRate: number, tolerance: number): CohortNull {
  const s = Math.min(SHARE_RANGE[1], Math.max(SHARE_RANGE[0], share));
  const pL = Math.max(LEGACY_RATE_FLOOR, Math.min(1, legacyRate));
  const ratio0 = Math.max(1, (pL + tolerance) / pL);
  return { share: s, ratio0, q0: olympusShareOfFailures(s, ratio0) };
}

/** The chart for the alternative whose odds are `m` times the null's. */
export function cohortChart(n: CohortNull, m: number): Chart {
  const odds1 = (m * n.q0) / (1 - n.q0);
  return chart(n.q0, odds1 / (1 + odds1));
}

export interface CohortSpec {
  share: number;
  legacyRate: number;
  tolerance: number;
  /** The rule's false_rollbacks_per_30d. */
  budget: number;
  /** Failures of both cohorts expected in 30 days (at least a floor, so a quiet hour does not lower h). */
  failures30d: number;
  /** The Olympus cohort's samples in the window (after caps): the attack floor. */
  olympusWindowSamples: number;
  /** The rule's null failure rate (1 - threshold), for the attack floor as for the absolute charts. */
  p0: number;
  badPerClient: number;
}

export interface CohortCalibration {
  null: CohortNull;
  charts: Chart[];
  h: number[];
  budgetH: number;
  attackFloor: number;
}

export function calibrateCohorts(spec: CohortSpec): CohortCalibration {
  const n = cohortNull(spec.share, spec.legacyRate, spec.tolerance);
  const charts = COHORT_ODDS_MULTIPLES.map((m) => cohortChart(n, m));
  const budgetH = budgetThreshold(charts.length, spec.failures30d, spec.budget);
  const floor = attackFloor(spec.olympusWindowSamples, spec.p0, spec.badPerClient);
  return { null: n, charts, h: charts.map((c) => chartThreshold(c, budgetH, floor)), budgetH, attackFloor: floor };
}

/** `n` failures of one cohort in a row (olympus: x = 1); mutates and returns the state (one S per chart). */
export function observeFailure(s: number[], cal: CohortCalibration, olympus: boolean, n = 1): number[] {
  cal.charts.forEach((c, i) => (s[i] = step(s[i] ?? 0, c, olympus, n)));
  return s;
}

/** Largest S/h: 1 or more is enough evidence that Olympus alone fails more than the tolerance. */
export function cohortRatio(s: readonly number[], cal: CohortCalibration): number {
  return cal.charts.reduce((best, _c, i) => Math.max(best, (s[i] ?? 0) / cal.h[i]!), 0);
}

/**
 * A rate rule during a percentage split: the controller's side of the
 * sequential cohort comparison (sequential/cohort-comparison.ts). It turns
 * the rule and the last evaluated window of both cohorts into the
 * comparison's calibration, and its charts into what /status and /metrics
 * show, in the single-cohort detector's shape (family `cohort`).
 *
 * Why the window: the share s of Olympus outcomes and the legacy cohort's
 * failure rate pL set the null (Olympus worse than the legacy cohort by the
 * rule's tolerance); they come from the capped counts of the window (one
 * client weighs at most max_per_client), noted on the evaluation cadence,
 * as the single-cohort detector's h and attack floor do. Before any window is
 * noted the share is the flag's percent and pL the rule's null rate.
 * Pure functions, plain data.
 */
import type { FlagRecord } from '../flag/flag-record.ts';
import type { MetricRule } from './rules.ts';
import type { BankReading } from './sequential/bernoulli-cusum.ts';
import { calibrateCohorts, cohortRatio, COHORT_ODDS_MULTIPLES, LEGACY_RATE_FLOOR, type CohortCalibration } from './sequential/cohort-comparison.ts';
import { BUDGET_DAYS } from './sequential/detector-bank.ts';
import type { CohortCounts } from './rule-evaluator.ts';

/** The Olympus percent while a percentage split runs (Olympus on, strictly between 0 and 100), else undefined. */
export function splitPercent(flag: FlagRecord): number | undefined {
  return flag.enabled && flag.percent !== undefined && flag.percent > 0 && flag.percent < 100 ? flag.percent : undefined;
}

/** Capped outcomes of both cohorts in a rule's window (meta `cohort_windows`). */
export interface CohortWindow {
  olympus: { n: number; bad: number };
  legacy: { n: number; bad: number };
}

export function cohortWindowOf(olympus: CohortCounts, legacy: CohortCounts): CohortWindow {
  return { olympus: { n: olympus.good + olympus.bad, bad: olympus.bad }, legacy: { n: legacy.good + legacy.bad, bad: legacy.bad } };
}

/** Null probability of a bad outcome from the rule's threshold (a success rate's failures, an error rate's errors). */
export function nullRate(rule: MetricRule): number {
  return rule.op === '<' ? 1 - rule.threshold : rule.threshold;
}

/** Failures of both cohorts expected in 30 days: the window's, at least min_samples' worth at the null rate. */
export function failures30d(rule: MetricRule, w: CohortWindow | undefined): number {
  const perWindow = Math.max((w?.olympus.bad ?? 0) + (w?.legacy.bad ?? 0), nullRate(rule) * rule.minSamples, 1);
  return (perWindow * BUDGET_DAYS * 86400) / rule.windowSeconds;
}

/** pL: the legacy cohort's failure rate in the window, the rule's null rate before any legacy outcome. */
function legacyRate(rule: MetricRule, w: CohortWindow | undefined): number {
  return w && w.legacy.n > 0 ? w.legacy.bad / w.legacy.n : nullRate(rule);
}

export function splitCalibration(rule: MetricRule, w: CohortWindow | undefined, percent: number, badPerClient: number): CohortCalibration {
  const total = (w?.olympus.n ?? 0) + (w?.legacy.n ?? 0);
  return calibrateCohorts({
    share: w && w.olympus.n > 0 && w.legacy.n > 0 ? w.olympus.n / total : percent / 100,
    legacyRate: legacyRate(rule, w),
    tolerance: rule.tolerance,
    budget: rule.falseRollbacksPer30d,
    failures30d: failures30d(rule, w),
    olympusWindowSamples: w?.olympus.n ?? 0,
    p0: nullRate(rule),
    badPerClient,
  });
}

/** A state of another calibration (or none): one S per chart. */
export function fitCohortState(s: readonly number[] | undefined): number[] {
  return COHORT_ODDS_MULTIPLES.map((_m, i) => s?.[i] ?? 0);
}

export function readCohorts(s: readonly number[], cal: CohortCalibration): BankReading {
  let best = 0;
  cal.charts.forEach((_c, i) => {
    if ((s[i] ?? 0) / cal.h[i]! > (s[best] ?? 0) / cal.h[best]!) best = i;
  });
  return { ratio: cohortRatio(s, cal), leading: { family: 'cohort', p1: cal.charts[best]!.p1, s: s[best] ?? 0, h: cal.h[best]! } };
}

/** What /status adds for a rule decided by the comparison (DetectorView.cohort). */
export interface CohortFigures {
  /** s: the Olympus cohort's share of the window's outcomes. */
  share: number;
  /** pL as the null uses it (floored at 0.5%). */
  legacy_rate: number;
  /** r0 = (pL + tolerance) / pL: how much more often Olympus may fail. */
  rate_ratio_null: number;
  tolerance: number;
}

export function cohortFigures(rule: MetricRule, w: CohortWindow | undefined, cal: CohortCalibration): CohortFigures {
  return { share: cal.null.share, legacy_rate: Math.max(LEGACY_RATE_FLOOR, Math.min(1, legacyRate(rule, w))), rate_ratio_null: cal.null.ratio0, tolerance: rule.tolerance };
}

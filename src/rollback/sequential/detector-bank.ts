/**
 * One rate rule's sequential detector: its charts, thresholds and state, as
 * plain data, so the controller (sequential-detector.ts) and the simulator
 * (scripts/simulate/) run the same decision.
 *
 * Two families of Bernoulli CUSUM charts (bernoulli-cusum.ts):
 * - `outcome`: each outcome that comes back (a login's callback by the
 *   horizon, an API call), bad = failed / error, null p0 from the threshold;
 * - `overdue` (logins only): each started login at its horizon H, bad = not
 *   back by then, null o0 learnt (callback-horizon.ts).
 * All charts share one error budget (K counts both families); an outcome
 * chart's threshold is the lower of Lorden's and Siegmund's (bernoulli-cusum.ts),
 * an overdue chart's Lorden's; each is then raised to the attack floor.
 */
import { attackFloor, budgetThreshold, chart, chartBudgetThreshold, chartThreshold, readBank, step, type BankReading, type Chart } from './bernoulli-cusum.ts';

export type Family = 'outcome' | 'overdue';

export interface DetectorSpec {
  /** Null probability of a bad outcome: 1 - threshold for a success rate, the threshold for an error rate. */
  p0: number;
  /** Null probability that a started login is not back by the horizon; undefined: no overdue family. */
  o0: number | undefined;
  /** False rollbacks allowed per 30 days at the null (the rule's `false_rollbacks_per_30d`). */
  budget: number;
  /** Observations expected in 30 days (from the window's traffic, floored at min_samples per window). */
  observations30d: number;
  /** Samples in the rule's window now (after caps), for the attack floor. */
  windowSamples: number;
  /** Bad observations one client may add per window (1 for logins, the cap for API calls). */
  badPerClient: number;
}

export interface Calibration {
  p0: number;
  o0: number | null;
  /** ln(K N / B): Lorden's threshold, the highest any chart's budget takes (each chart's own is in h, before the floor). */
  budgetH: number;
  attackFloor: number;
  outcome: { charts: Chart[]; h: number[] };
  overdue: { charts: Chart[]; h: number[] };
}

export interface DetectorState {
  outcome: number[];
  overdue: number[];
  /** During a percentage split: the cohort comparison's charts (split-comparison.ts), one S per odds multiple. */
  cohort?: number[];
}

/** Alternatives from close to far: 1.6, 3 and 6 times p0, then 50% and 90% (0.08 ... 0.9 for p0 = 5%). */
export function outcomeAlternatives(p0: number): number[] {
  return [...new Set([p0 * 1.6, p0 * 3, p0 * 6, 0.5, 0.9].map((p) => Math.min(0.99, p)))].filter((p) => p > p0).sort((a, b) => a - b);
}

export function overdueAlternatives(o0: number): number[] {
  return [...new Set([Math.max(0.5, 2 * o0), 0.9].map((p) => Math.min(0.99, p)))].filter((p) => p > o0).sort((a, b) => a - b);
}

/** Nats a chart whose threshold Siegmund's approximation lowered keeps above the attack floor. */
const FLOOR_MARGIN = 1;

export function calibrate(spec: DetectorSpec): Calibration {
  const outcome = outcomeAlternatives(spec.p0).map((p1) => chart(spec.p0, p1));
  const overdue = spec.o0 === undefined ? [] : overdueAlternatives(spec.o0).map((p1) => chart(spec.o0!, p1));
  const k = outcome.length + overdue.length;
  const budgetH = budgetThreshold(k, spec.observations30d, spec.budget);
  const floor = attackFloor(spec.windowSamples, spec.p0, spec.badPerClient);
  // Outcomes: Siegmund's threshold where it is lower (small steps only, bernoulli-cusum.ts). Such a chart
  // keeps one nat (two of its failure steps) above the attack floor: the healthy crowd's own failures can
  // bridge half a small step (at 1,000 logins per 5 min, 27 attacking clients instead of 28 without it), and
  // never above what Lorden's bound gave. Overdue observations keep Lorden's: they are not independent (a
  // provider's hiccup makes logins late together) and o0 is learnt, so the approximation's margin is not
  // worth spending there (the simulation's 2x slower provider: one false alarm in 8 days with it).
  const outcomeH = (c: Chart) => {
    const lorden = chartThreshold(c, budgetH, floor);
    const b = chartBudgetThreshold(c, spec.p0, k, spec.observations30d, spec.budget);
    return b < budgetH ? Math.min(lorden, Math.max(b, c.up * (floor - 0.5) + FLOOR_MARGIN)) : lorden;
  };
  return {
    p0: spec.p0,
    o0: spec.o0 ?? null,
    budgetH,
    attackFloor: floor,
    outcome: { charts: outcome, h: outcome.map(outcomeH) },
    overdue: { charts: overdue, h: overdue.map((c) => chartThreshold(c, budgetH, floor)) },
  };
}

export function emptyState(cal: Calibration): DetectorState {
  return { outcome: cal.outcome.charts.map(() => 0), overdue: cal.overdue.charts.map(() => 0) };
}

/** A state of another calibration (alternatives changed with o0): charts it no longer has start at 0. */
export function fitState(s: DetectorState | undefined, cal: Calibration): DetectorState {
  const fit = (xs: number[] | undefined, n: number) => Array.from({ length: n }, (_, i) => xs?.[i] ?? 0);
  return { outcome: fit(s?.outcome, cal.outcome.charts.length), overdue: fit(s?.overdue, cal.overdue.charts.length) };
}

/** `n` observations of one kind in a row; mutates and returns the state. */
export function observe(s: DetectorState, cal: Calibration, family: Family, bad: boolean, n = 1): DetectorState {
  const charts = cal[family].charts;
  const xs = s[family];
  for (let i = 0; i < charts.length; i++) xs[i] = step(xs[i] ?? 0, charts[i]!, bad, n);
  return s;
}

export function read(s: DetectorState, cal: Calibration): BankReading {
  return readBank({
    outcome: { charts: cal.outcome.charts, s: s.outcome, h: cal.outcome.h },
    overdue: { charts: cal.overdue.charts, s: s.overdue, h: cal.overdue.h },
  });
}

/** Days in the budget's period. */
export const BUDGET_DAYS = 30;

/** N for the budget: the window's samples scaled to 30 days, at least min_samples per window. */
export function observations30d(windowSamples: number, minSamples: number, windowSeconds: number): number {
  return (Math.max(windowSamples, minSamples, 1) * BUDGET_DAYS * 86400) / windowSeconds;
}

/**
 * The statistic of rate metrics (a proportion of good or bad outcomes): the
 * Wilson interval's bound must cross the threshold; while a percentage split
 * runs, Newcombe's interval on the difference with the Auth0 cohort must
 * exceed the tolerance instead (same traffic, same hour, same app). Too few
 * samples or distinct clients (in either cohort during a split) is
 * inconclusive, never a breach. For metrics with a detector this verdict
 * only gates and is shown: the breach is the detector's, during a split the
 * sequential cohort comparison's (rule-loop.ts, split-comparison.ts).
 */
import type { CohortCounts, Evaluation, WindowCounts } from '../rule-evaluator.ts';
import type { MetricRule } from '../rules.ts';
import { differenceInterval, wilson } from '../statistics.ts';
import { cohortCounts, type ClientRow } from '../window-aggregation.ts';

/** Which outcome the rate counts: success (good) or errors (bad). */
export type Counted = 'good' | 'bad';

const NO_TICKETS = 0;

/** The capped counts of both cohorts over the window (window-aggregation.ts). */
export function cohortWindow(rows: readonly ClientRow[], rule: MetricRule): WindowCounts {
  return { olympus: cohortCounts(rows, 'olympus', rule.maxPerClient), auth0: cohortCounts(rows, 'auth0', rule.maxPerClient), tickets: NO_TICKETS };
}

function enough(rule: MetricRule, c: CohortCounts): string | undefined {
  const n = c.good + c.bad;
  if (n < rule.minSamples) return `${n} samples < min_samples ${rule.minSamples}`;
  if (c.clients < rule.minClients) return `${c.clients} clients < min_clients ${rule.minClients}`;
  return undefined;
}

export function observedRate(counted: Counted, good: number, bad: number): number | null {
  const n = good + bad;
  return n === 0 ? null : (counted === 'good' ? good : bad) / n;
}

export function evaluateProportion(counted: Counted, rule: MetricRule, w: WindowCounts, splitRunning: boolean): Evaluation {
  const base = { rule: rule.id, metric: rule.metric, threshold: rule.threshold, windowSeconds: rule.windowSeconds };
  const o = w.olympus;
  const n = o.good + o.bad;
  const hits = counted === 'good' ? o.good : o.bad;
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
    const hitsA = counted === 'good' ? a.good : a.bad;
    const d = differenceInterval(hits, n, hitsA, na, rule.confidence);
    const breach = rule.op === '<' ? d.upper < -rule.tolerance : d.lower > rule.tolerance;
    return { ...base, threshold: rule.op === '<' ? -rule.tolerance : rule.tolerance, verdict: breach ? 'breach' : 'ok', value, bound: rule.op === '<' ? d.upper : d.lower, mode: 'cohort', samples: n, clients: o.clients };
  }
  const ci = wilson(hits, n, rule.confidence);
  const breach = rule.op === '<' ? ci.upper < rule.threshold : ci.lower > rule.threshold;
  return { ...base, verdict: breach ? 'breach' : 'ok', value, bound: rule.op === '<' ? ci.upper : ci.lower, mode: 'absolute', samples: n, clients: o.clients };
}

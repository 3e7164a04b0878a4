/**
 * The statistic of count-per-hour metrics: the window's count scaled to an
 * hour, and a breach when the Poisson lower bound (scaled likewise) exceeds
 * the threshold. No per-client evidence: the events come from a signed hook.
 */
import type { CohortCounts, Evaluation, WindowCounts } from '../rule-evaluator.ts';
import type { MetricRule } from '../rules.ts';
import { poisson } from '../statistics.ts';
import type { ClientRow } from '../window-aggregation.ts';

const EMPTY: CohortCounts = { good: 0, bad: 0, clients: 0 };

/** The window's total count (all providers, all clients). */
export function countWindow(rows: readonly ClientRow[]): WindowCounts {
  return { olympus: EMPTY, auth0: EMPTY, tickets: rows.reduce((s, r) => s + r.n, 0) };
}

export function observedPerHour(count: number, windowSeconds: number): number {
  return (count * 3600) / windowSeconds;
}

export function evaluatePoissonRate(rule: MetricRule, w: WindowCounts): Evaluation {
  const perHour = 3600 / rule.windowSeconds;
  const b = poisson(w.tickets, rule.confidence);
  return { rule: rule.id, metric: rule.metric, threshold: rule.threshold, windowSeconds: rule.windowSeconds, verdict: b.lower * perHour > rule.threshold ? 'breach' : 'ok', value: w.tickets * perHour, bound: b.lower * perHour, mode: 'absolute', samples: w.tickets, clients: 0 };
}

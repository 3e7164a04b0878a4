/**
 * What one metric is, in one place: the events it counts, how a window of
 * them is aggregated, the statistic that turns a window into a verdict, how
 * its values are written and printed, and its Prometheus counter series.
 * The registry (registry.ts) holds one definition per metric; the rule
 * parser, the controller, /metrics, notifications and the simulator all
 * look metrics up there instead of testing metric names.
 */
import type { OutcomeEvent } from '../outcome-events.ts';
import type { Evaluation, WindowCounts } from '../rule-evaluator.ts';
import type { MetricRule } from '../rules.ts';
import type { ClientRow } from '../window-aggregation.ts';

/** A rule's refinements when the rules text leaves them out (the budget defaults to DEFAULT_FALSE_ROLLBACKS_PER_30D). */
export type MetricDefaults = Omit<MetricRule, 'id' | 'metric' | 'op' | 'threshold' | 'falseRollbacksPer30d'> & { falseRollbacksPer30d?: number };

/**
 * A rate metric decided by the sequential detector (src/rollback/sequential/)
 * instead of consecutive window evaluations. Without it, a metric's rules
 * fire on `consecutive` breaching evaluations of its window statistic.
 */
export interface DetectorOptions {
  /** Bad observations one client may add per window: 'one' (a login is a person) or 'cap' (max_per_client). */
  badPerClient: 'one' | 'cap';
  /** Started logins not back by the learnt horizon are evidence too (logins only). */
  overdue: boolean;
}

/** One count an event adds to the window (`samples`) and to the cumulative totals (`meta.totals`). */
export interface Sample {
  provider: string;
  outcome: string;
  client: string;
  n: number;
  /** The key in `meta.totals`, read back by the metric's Prometheus series. */
  total: string;
  /** A finer reading kept only in the console's per-minute history (`history_minutes`), e.g. a wrong password apart from a right one. */
  history?: { signal: string; outcome: string };
}

/** Counts events of one kind (`k`) into samples of the metric's signal. */
export interface EventCounter {
  kind: OutcomeEvent['k'];
  sample(e: OutcomeEvent): Sample | undefined;
}

export function eventCounter<K extends OutcomeEvent['k']>(kind: K, sample: (e: Extract<OutcomeEvent, { k: K }>) => Sample): EventCounter {
  return { kind, sample: (e) => (e.k === kind ? sample(e as Extract<OutcomeEvent, { k: K }>) : undefined) };
}

/** A Prometheus counter over `meta.totals` keys. */
export interface CounterSeries {
  name: string;
  help: string;
  /** The labels of a totals key that belongs to this series, else undefined. */
  labels(totalsKey: string): Record<string, string> | undefined;
  /** Printed as 0 before the first event (a series with no labels). */
  zeroWhenEmpty: boolean;
}

export interface MetricDefinition {
  /** What a person reads: "login success rate". */
  title: string;
  /** A rule on it as written in ROLLBACK_RULES (used in error messages and docs). */
  example: string;
  /** The `samples.signal` its window reads (docs/storage.md). */
  signal: string;
  /**
   * Events it counts. Login events are counted by ingest.ts (they go through
   * the login ledger and the pending-login table), so the login metric has none here.
   */
  events: readonly EventCounter[];
  /** The direction that means trouble: '<' rolls back when it drops, '>' when it rises. */
  op: '<' | '>';
  /** How the threshold is written in rules ("95%" or "50") and values are printed. */
  unit: 'percent' | 'per_hour';
  defaults: MetricDefaults;
  /** Decided by the sequential detector on every batch (rate metrics); absent: by consecutive window evaluations. */
  detector?: DetectorOptions;
  /** Aggregation: the window's per-client rows into the counts the statistic reads. */
  window(rows: readonly ClientRow[], rule: MetricRule): WindowCounts;
  /** The statistic: a window's counts into a verdict with its evidence. */
  evaluate(rule: MetricRule, w: WindowCounts, splitRunning: boolean): Evaluation;
  /** The observed value of uncapped good/bad counts, what a naive rule reads (a count metric reads their sum). */
  observed(good: number, bad: number, windowSeconds: number): number | null;
  series: CounterSeries;
}

/** Does an observed value cross the threshold, in the metric's bad direction? */
export function crosses(op: '<' | '>', value: number, threshold: number): boolean {
  return op === '<' ? value < threshold : value > threshold;
}

/** A value or threshold as people write it: "95.0%" for a rate, "50.0/h" for a count per hour. */
export function formatValue(unit: MetricDefinition['unit'], v: number | null): string {
  if (v === null) return 'n/a';
  return unit === 'percent' ? `${(v * 100).toFixed(1)}%` : `${v.toFixed(1)}/h`;
}

/**
 * The console's time series: per-minute totals (controller-store's
 * `history_minutes`) laid out on a regular time axis for one range. Pure:
 * rows and `now` in, aligned arrays out (a missing minute is 0), so the
 * charts need no date arithmetic and the tests no runtime.
 */
import type { HistoryRow } from './controller-store.ts';

/** The ranges the console offers, with the step of each (24 hours at one point per 5 minutes). */
export const HISTORY_RANGES = {
  '15m': { seconds: 15 * 60, step: 60 },
  '1h': { seconds: 60 * 60, step: 60 },
  '6h': { seconds: 6 * 60 * 60, step: 60 },
  '24h': { seconds: 24 * 60 * 60, step: 5 * 60 },
} as const;

export type HistoryRange = keyof typeof HISTORY_RANGES;

/** How long the minutes are kept: the longest range and an hour to spare. */
export const HISTORY_RETENTION_MINUTES = 25 * 60;

export interface History {
  range: HistoryRange;
  step_seconds: number;
  /** The start of each step, Unix seconds, oldest first; the last one is the step in progress. */
  t: number[];
  /** signal -> provider -> outcome -> count per step, aligned with `t`. */
  series: Record<string, Record<string, Record<string, number[]>>>;
}

export function isHistoryRange(value: string): value is HistoryRange {
  return Object.hasOwn(HISTORY_RANGES, value);
}

/** The first minute a range needs (what to ask the store from). */
export function historyFromMinute(nowMs: number, range: HistoryRange): number {
  const { seconds, step } = HISTORY_RANGES[range];
  const lastStep = Math.floor(nowMs / 1000 / step) * step;
  return (lastStep - seconds + step) / 60;
}

export function historySeries(rows: readonly HistoryRow[], nowMs: number, range: HistoryRange): History {
  const { seconds, step } = HISTORY_RANGES[range];
  const points = seconds / step;
  const lastStep = Math.floor(nowMs / 1000 / step) * step;
  const first = lastStep - (points - 1) * step;
  const t = Array.from({ length: points }, (_, i) => first + i * step);
  const series: History['series'] = {};
  for (const r of rows) {
    const i = Math.floor((r.minute * 60 - first) / step);
    if (i < 0 || i >= points) continue;
    const byOutcome = ((series[r.signal] ??= {})[r.provider] ??= {});
    (byOutcome[r.outcome] ??= new Array<number>(points).fill(0))[i]! += r.n;
  }
  return { range, step_seconds: step, t, series };
}

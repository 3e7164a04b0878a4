/**
 * Turns per-client counts of a window into the capped cohort counts a rule
 * is evaluated on. Pure.
 *
 * The cap is the defence against one client scripting failures: each client
 * contributes at most `maxPerClient` samples per outcome in a window, and the
 * rule also requires `minClients` distinct clients, so one source cannot
 * decide a rollback alone.
 */
import type { CohortCounts } from './rule-evaluator.ts';

export interface ClientRow {
  provider: string;
  outcome: string;
  client: string;
  n: number;
}

export const GOOD_OUTCOMES = new Set(['succeeded', 'ok']);
export const BAD_OUTCOMES = new Set(['failed', 'abandoned', 'error']);

export function cohortCounts(rows: readonly ClientRow[], provider: string, maxPerClient: number): CohortCounts {
  let good = 0;
  let bad = 0;
  const clients = new Set<string>();
  for (const r of rows) {
    if (r.provider !== provider) continue;
    const isGood = GOOD_OUTCOMES.has(r.outcome);
    if (!isGood && !BAD_OUTCOMES.has(r.outcome)) continue;
    const n = Math.min(r.n, maxPerClient);
    if (n <= 0) continue;
    clients.add(r.client);
    if (isGood) good += n;
    else bad += n;
  }
  return { good, bad, clients: clients.size };
}

export const BUCKET_SECONDS = 10;

export function bucketOf(atMs: number): number {
  return Math.floor(atMs / 1000 / BUCKET_SECONDS);
}

/** First bucket inside a window ending now (the current bucket is partly filled and included). */
export function windowStartBucket(nowMs: number, windowSeconds: number): number {
  return bucketOf(nowMs - windowSeconds * 1000) + 1;
}

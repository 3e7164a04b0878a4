/**
 * Turns per-client counts of a window into the capped cohort counts a rule
 * is evaluated on. Pure.
 *
 * The cap is the defence against one client scripting failures: each client
 * weighs at most `maxPerClient` samples in a window, and the rule also
 * requires `minClients` distinct clients, so one source cannot decide a
 * rollback alone. The cap is on the client's total, in the client's own
 * good/bad ratio: capping each outcome separately would keep a busy client's
 * failures and cut its successes (an office NAT at a true 97% would read as
 * 50%), which the simulation (npm run simulate) showed rolls back healthy
 * migrations.
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
  const perClient = new Map<string, { good: number; bad: number }>();
  for (const r of rows) {
    if (r.provider !== provider || r.n <= 0) continue;
    const isGood = GOOD_OUTCOMES.has(r.outcome);
    if (!isGood && !BAD_OUTCOMES.has(r.outcome)) continue;
    const c = perClient.get(r.client) ?? { good: 0, bad: 0 };
    if (isGood) c.good += r.n;
    else c.bad += r.n;
    perClient.set(r.client, c);
  }
  let good = 0;
  let bad = 0;
  for (const c of perClient.values()) {
    const scale = Math.min(1, maxPerClient / (c.good + c.bad));
    good += c.good * scale;
    bad += c.bad * scale;
  }
  return { good, bad, clients: perClient.size };
}

export const BUCKET_SECONDS = 10;

export function bucketOf(atMs: number): number {
  return Math.floor(atMs / 1000 / BUCKET_SECONDS);
}

/** First bucket inside a window ending now (the current bucket is partly filled and included). */
export function windowStartBucket(nowMs: number, windowSeconds: number): number {
  return bucketOf(nowMs - windowSeconds * 1000) + 1;
}

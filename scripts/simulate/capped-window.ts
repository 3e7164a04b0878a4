/**
 * The controller's sliding window of 10 s buckets, kept incrementally so a
 * simulation can evaluate every 10 s for months of simulated time.
 *
 * Counts are per (cohort, outcome, client), exactly the rows the controller's
 * SQL returns, and the capped totals follow cohortCounts(): each client
 * weighs at most `cap` samples in total, its good and bad counts scaled by
 * the same factor (fractional counts), and every client with any good or bad
 * sample counts as distinct. Clients at or under the cap are kept as exact
 * integer sums; the few above it are kept in a list and scaled at read time.
 * `check()` rebuilds the rows and compares with the real cohortCounts(), and
 * the simulation calls it on a sample of evaluations, so the fast path cannot
 * drift from the controller's semantics.
 *
 * `perOutcome()` is the controller's previous aggregation (each outcome capped
 * separately), kept only to print its row next to the current one.
 */
import type { CohortCounts } from '../../src/rollback/rule-evaluator.ts';
import { BAD_OUTCOMES, cohortCounts, GOOD_OUTCOMES, type ClientRow } from '../../src/rollback/window-aggregation.ts';

export const COHORTS = ['olympus', 'auth0'] as const;
export type Cohort = 0 | 1;

/** Cross-checks against cohortCounts() run so far, for the report's footer. */
export const crossChecks = { count: 0, maxRelError: 0 };

/** cohortCounts() sums fractions in its own client order; the fast path in another. */
const CHECK_TOLERANCE = 1e-9;

export interface RawCounts {
  good: number;
  bad: number;
}

/** Keys pack (client, cohort, outcome) into bits: client << 3 | cohort << 2 | outcome (at most 4 outcomes). */
const OUTCOME_BITS = 2;
const COHORT_SHIFT = 2;
const CLIENT_SHIFT = 3;

/** A set of clients per cohort with O(1) add/remove, indexed by tk = client << 1 | cohort. */
class ClientSet {
  readonly list: Int32Array[];
  readonly len = new Int32Array(2);
  private readonly pos: Int32Array;

  constructor(clients: number) {
    this.list = [new Int32Array(clients), new Int32Array(clients)];
    this.pos = new Int32Array(2 * clients).fill(-1);
  }

  add(cohort: number, client: number, tk: number): void {
    const len = this.len[cohort]!;
    this.list[cohort]![len] = client;
    this.pos[tk] = len;
    this.len[cohort] = len + 1;
  }

  remove(cohort: number, tk: number): void {
    const i = this.pos[tk]!;
    const last = this.len[cohort]! - 1;
    const moved = this.list[cohort]![last]!;
    this.list[cohort]![i] = moved;
    this.pos[(moved << 1) | cohort] = i;
    this.pos[tk] = -1;
    this.len[cohort] = last;
  }
}

export class CappedWindow {
  private readonly o: number;
  private readonly isGood: Uint8Array;
  private readonly isBad: Uint8Array;
  private readonly cnt: Int32Array;
  /** Per (client, cohort): good and good + bad samples in the window. */
  private readonly goodTot: Int32Array;
  private readonly tot: Int32Array;
  /** Clients with any good or bad sample, and the subset above the cap. */
  private readonly active: ClientSet;
  private readonly over: ClientSet;
  /** Exact integer sums over the clients at or under the cap. */
  private readonly underGood = new Int32Array(2);
  private readonly underBad = new Int32Array(2);
  private readonly rawGood = new Float64Array(2);
  private readonly rawBad = new Float64Array(2);
  /** The previous per-outcome cap, summed incrementally. */
  private readonly perOutcomeGood = new Int32Array(2);
  private readonly perOutcomeBad = new Int32Array(2);
  private readonly ring: number[][];
  private head = 0;
  private filled = 0;

  constructor(
    readonly buckets: number,
    readonly clients: number,
    readonly outcomes: readonly string[],
    readonly cap: number,
  ) {
    if (outcomes.length > 1 << OUTCOME_BITS) throw new Error('at most 4 outcomes');
    this.o = outcomes.length;
    this.isGood = Uint8Array.from(outcomes, (x) => (GOOD_OUTCOMES.has(x) ? 1 : 0));
    this.isBad = Uint8Array.from(outcomes, (x) => (BAD_OUTCOMES.has(x) ? 1 : 0));
    this.cnt = new Int32Array(clients << CLIENT_SHIFT);
    this.goodTot = new Int32Array(2 * clients);
    this.tot = new Int32Array(2 * clients);
    this.active = new ClientSet(clients);
    this.over = new ClientSet(clients);
    this.ring = Array.from({ length: buckets }, () => []);
  }

  private static key(cohort: number, outcome: number, client: number): number {
    return (client << CLIENT_SHIFT) | (cohort << COHORT_SHIFT) | outcome;
  }

  /** Starts the next 10 s bucket; the oldest one leaves the window. */
  beginBucket(): void {
    this.head = (this.head + 1) % this.buckets;
    const old = this.ring[this.head]!;
    if (this.filled >= this.buckets) for (let i = 0; i < old.length; i += 2) this.apply(old[i]!, -old[i + 1]!);
    else this.filled++;
    old.length = 0;
  }

  /** n events of one outcome from one client in the current bucket. */
  add(cohort: Cohort, outcome: number, client: number, n: number): void {
    if (n <= 0) return;
    const key = CappedWindow.key(cohort, outcome, client);
    this.apply(key, n);
    this.ring[this.head]!.push(key, n);
  }

  private apply(key: number, n: number): void {
    const outcome = key & ((1 << OUTCOME_BITS) - 1);
    const cohort = (key >> COHORT_SHIFT) & 1;
    const old = this.cnt[key]!;
    const now = old + n;
    this.cnt[key] = now;
    const good = this.isGood[outcome] === 1;
    if (!good && !this.isBad[outcome]) return;
    const cap = this.cap;
    const d = (now < cap ? now : cap) - (old < cap ? old : cap);
    if (good) {
      this.perOutcomeGood[cohort] += d;
      this.rawGood[cohort] += n;
    } else {
      this.perOutcomeBad[cohort] += d;
      this.rawBad[cohort] += n;
    }
    const client = key >>> CLIENT_SHIFT;
    const tk = (client << 1) | cohort;
    const g0 = this.goodTot[tk]!;
    const t0 = this.tot[tk]!;
    const g1 = good ? g0 + n : g0;
    const t1 = t0 + n;
    this.goodTot[tk] = g1;
    this.tot[tk] = t1;
    // Move the client's contribution between the exact sums (<= cap) and the scaled list (> cap).
    if (t0 <= cap) {
      this.underGood[cohort] -= g0;
      this.underBad[cohort] -= t0 - g0;
    } else if (t1 <= cap) this.over.remove(cohort, tk);
    if (t1 <= cap) {
      this.underGood[cohort] += g1;
      this.underBad[cohort] += t1 - g1;
    } else if (t0 <= cap) this.over.add(cohort, client, tk);
    if (t0 === 0) this.active.add(cohort, client, tk);
    else if (t1 === 0) this.active.remove(cohort, tk);
  }

  /** What cohortCounts() returns for this cohort over the window. */
  counts(cohort: Cohort): CohortCounts {
    let good = this.underGood[cohort]!;
    let bad = this.underBad[cohort]!;
    const cap = this.cap;
    const len = this.over.len[cohort]!;
    const list = this.over.list[cohort]!;
    for (let i = 0; i < len; i++) {
      const tk = (list[i]! << 1) | cohort;
      const g = this.goodTot[tk]!;
      const t = this.tot[tk]!;
      const scale = cap / t;
      good += g * scale;
      bad += (t - g) * scale;
    }
    return { good, bad, clients: this.active.len[cohort]! };
  }

  /** The controller's previous aggregation: each client counts at most `cap` samples per outcome. */
  perOutcome(cohort: Cohort): CohortCounts {
    return { good: this.perOutcomeGood[cohort]!, bad: this.perOutcomeBad[cohort]!, clients: this.active.len[cohort]! };
  }

  /** Uncapped totals: what a naive "observed rate" rule sees. */
  rawCounts(cohort: Cohort): RawCounts {
    return { good: this.rawGood[cohort]!, bad: this.rawBad[cohort]! };
  }

  /** Rebuilds the controller's rows and asserts the real cohortCounts() agrees with the fast path. */
  check(): void {
    const rows: ClientRow[] = [];
    for (const cohort of [0, 1] as const) {
      for (let i = 0; i < this.active.len[cohort]!; i++) {
        const client = this.active.list[cohort]![i]!;
        for (let k = 0; k < this.o; k++) {
          const n = this.cnt[CappedWindow.key(cohort, k, client)]!;
          if (n > 0) rows.push({ provider: COHORTS[cohort], outcome: this.outcomes[k]!, client: `c${client}`, n });
        }
      }
    }
    for (const cohort of [0, 1] as const) {
      const real = cohortCounts(rows, COHORTS[cohort], this.cap);
      const fast = this.counts(cohort);
      const err = Math.max(relError(real.good, fast.good), relError(real.bad, fast.bad));
      if (err > CHECK_TOLERANCE || real.clients !== fast.clients) {
        throw new Error(`window aggregation drifted from cohortCounts (${COHORTS[cohort]}): real ${JSON.stringify(real)} fast ${JSON.stringify(fast)}`);
      }
      crossChecks.maxRelError = Math.max(crossChecks.maxRelError, err);
    }
    crossChecks.count++;
  }
}

function relError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(a));
}

/**
 * The sequential cohort comparison for percentage splits
 * (src/rollback/sequential/cohort-comparison.ts): the conditional law
 * against known values and Monte Carlo, then scripted login streams through
 * the pure charts: an Olympus-only outage decides fast, equal cohorts and an
 * app-wide outage never decide, the budget holds at the tolerance itself,
 * and a burst from fewer clients than the attack floor cannot decide.
 */
import { describe, expect, it } from 'vitest';
import { calibrateCohorts, cohortChart, cohortNull, cohortRatio, observeFailure, olympusShareOfFailures, type CohortCalibration } from '../../src/rollback/sequential/cohort-comparison.ts';
import { Rng } from '../../scripts/simulate/prng.ts';

describe('the conditional law', () => {
  it.each([
    [0.5, 1, 0.5],
    [0.1, 1, 0.1],
    [0.5, 3, 0.75],
    [0.1, 100 / 3, (0.1 * 100) / 3 / ((0.1 * 100) / 3 + 0.9)],
    [0.9, 0.5, 0.45 / 0.55],
  ])('share %f, rate ratio %f: a failure is an Olympus one with probability %f', (s, r, q) => {
    expect(olympusShareOfFailures(s, r)).toBeCloseTo(q, 12);
  });

  it('the null: r0 = (pL + tolerance) / pL, pL floored at 0.5%, never below 1', () => {
    expect(cohortNull(0.5, 0.03, 0.02).ratio0).toBeCloseTo(5 / 3, 12);
    expect(cohortNull(0.5, 0, 0.02).ratio0).toBeCloseTo(5, 12);
    expect(cohortNull(0.5, 0.03, 0).ratio0).toBe(1);
    expect(cohortNull(0.5, 0.03, 0).q0).toBe(0.5);
    // A split of 100% compares nothing: the share is clamped.
    expect(cohortNull(1, 0.03, 0.02).share).toBe(0.99);
  });

  it('an alternative multiplies the odds of q0 by m: at s = 1/2 and no tolerance, m = 3 is q1 = 3/4', () => {
    const c = cohortChart(cohortNull(0.5, 0.03, 0), 3);
    expect(c.p1).toBeCloseTo(0.75, 12);
    expect(c.up).toBeCloseTo(Math.log(1.5), 12);
    expect(c.down).toBeCloseTo(Math.log(0.5), 12);
  });

  it('is exact for logins assigned to Olympus with probability s (Monte Carlo, 400,000 logins)', () => {
    const rng = new Rng(5, 'conditional');
    const [s, pO, pL] = [0.2, 0.12, 0.03];
    let olympus = 0;
    let failures = 0;
    for (let i = 0; i < 400_000; i++) {
      const isO = rng.next() < s;
      if (rng.next() < (isO ? pO : pL)) {
        failures++;
        if (isO) olympus++;
      }
    }
    expect(olympus / failures).toBeCloseTo(olympusShareOfFailures(s, pO / pL), 2);
  });
});

interface Stream {
  loginsPer5m: number;
  share: number;
  /** Failure probabilities before and from the onset. */
  before: { olympus: number; legacy: number };
  after: { olympus: number; legacy: number };
  onsetS: number;
  seconds: number;
  /** Distinct attacking clients failing one Olympus login each at the start of every window from the onset. */
  attackers?: number;
  /** Keep going after a decision (charts restart): count decisions. */
  restart?: boolean;
}

const TICK = 0.2;
const WINDOW_S = 300;

/** Logins tick by tick; the calibration follows the window as the controller's cadence would (every 10 s). */
function runStream(seed: string, o: Stream): { firstOlympusFailure: number | null; decidedAt: number | null; decisions: number; cal: CohortCalibration } {
  const rng = new Rng(17, seed);
  const lambda = (o.loginsPer5m / 300) * TICK;
  const perBucket = Math.round(10 / TICK);
  const buckets = Array.from({ length: WINDOW_S / 10 }, () => ({ o: 0, l: 0, lBad: 0, bad: 0 }));
  const calibrate = () => {
    const w = buckets.reduce((a, b) => ({ o: a.o + b.o, l: a.l + b.l, lBad: a.lBad + b.lBad, bad: a.bad + b.bad }), { o: 0, l: 0, lBad: 0, bad: 0 });
    const failuresPerWindow = Math.max(w.bad, 0.05 * 50);
    return calibrateCohorts({
      share: w.o + w.l > 0 ? w.o / (w.o + w.l) : o.share,
      legacyRate: w.l > 0 ? w.lBad / w.l : 0.05,
      tolerance: 0.02,
      budget: 1,
      failures30d: (failuresPerWindow * 30 * 86400) / WINDOW_S,
      olympusWindowSamples: w.o,
      p0: 0.05,
      badPerClient: 1,
    });
  };
  // Warm-up: one window of healthy traffic at the expected counts, so h and the floor start where they would be.
  const perBucketLogins = o.loginsPer5m / buckets.length;
  for (const b of buckets) {
    b.o = perBucketLogins * o.share;
    b.l = perBucketLogins * (1 - o.share);
    b.lBad = b.l * o.before.legacy;
    b.bad = b.o * o.before.olympus + b.lBad;
  }
  let cal = calibrate();
  let s: number[] = [];
  let firstOlympusFailure: number | null = null;
  let decidedAt: number | null = null;
  let decisions = 0;
  const ticks = Math.ceil(o.seconds / TICK);
  for (let t = 0; t < ticks; t++) {
    const now = t * TICK;
    if (t % perBucket === 0) {
      const b = buckets[(t / perBucket) % buckets.length]!;
      Object.assign(b, { o: 0, l: 0, lBad: 0, bad: 0 });
      cal = calibrate();
    }
    const bucket = buckets[Math.floor(t / perBucket) % buckets.length]!;
    const p = now >= o.onsetS ? o.after : o.before;
    const n = rng.poisson(lambda);
    for (let i = 0; i < n; i++) {
      const isO = rng.next() < o.share;
      const bad = rng.next() < (isO ? p.olympus : p.legacy);
      if (isO) bucket.o++;
      else bucket.l++;
      if (!bad) continue;
      bucket.bad++;
      if (!isO) bucket.lBad++;
      if (isO && now >= o.onsetS) firstOlympusFailure ??= now;
      observeFailure(s, cal, isO);
    }
    const attackers = o.attackers ?? 0;
    if (attackers > 0 && now >= o.onsetS && t % Math.round(WINDOW_S / TICK) === Math.round(o.onsetS / TICK) % Math.round(WINDOW_S / TICK)) {
      firstOlympusFailure ??= now;
      bucket.o += attackers;
      bucket.bad += attackers;
      observeFailure(s, cal, true, attackers);
    }
    if (cohortRatio(s, cal) >= 1) {
      decisions++;
      decidedAt ??= now;
      if (!o.restart) break;
      s = [];
    }
  }
  return { firstOlympusFailure, decidedAt, decisions, cal };
}

const healthy = { olympus: 0.03, legacy: 0.03 };

describe('scripted split streams', () => {
  it('an Olympus-only total outage at a 10% split of 1,000 logins per 5 min decides within a minute of the first failure', () => {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = runStream(`total-${i}`, { loginsPer5m: 1000, share: 0.1, before: healthy, after: { olympus: 1, legacy: 0.03 }, onsetS: 60, seconds: 660 });
      expect(r.decidedAt).not.toBeNull();
      times.push(r.decidedAt! - r.firstOlympusFailure!);
    }
    times.sort((a, b) => a - b);
    expect(times[10]!).toBeLessThan(60);
  });

  it('Olympus-only 80% against 97% at a 50% split of 1,000 logins per 5 min decides in a median under 8 minutes; at 200, every trial within 45', () => {
    const median = (loginsPer5m: number, trials: number) => {
      const times: number[] = [];
      for (let i = 0; i < trials; i++) {
        const r = runStream(`dip-${loginsPer5m}-${i}`, { loginsPer5m, share: 0.5, before: healthy, after: { olympus: 0.2, legacy: 0.03 }, onsetS: 60, seconds: 60 + 2700 });
        times.push(r.decidedAt === null ? Infinity : r.decidedAt - 60);
      }
      times.sort((a, b) => a - b);
      return { median: times[Math.floor(trials / 2)]!, max: times[trials - 1]! };
    };
    expect(median(1000, 20).median).toBeLessThan(480);
    // 100 logins per cohort per window: 23 failures per 5 minutes carry the whole comparison.
    expect(median(200, 10).max).toBeLessThan(2700);
  });

  it('equal cohorts never decide: 97% on both sides, 30 days at 1,000 logins per 5 min', () => {
    const r = runStream('equal', { loginsPer5m: 1000, share: 0.5, before: healthy, after: healthy, onsetS: 0, seconds: 30 * 86400, restart: true });
    expect(r.decisions).toBe(0);
  });

  it('an app-wide outage (both cohorts at 80%) does not decide in a day', () => {
    const r = runStream('app-wide', { loginsPer5m: 1000, share: 0.5, before: healthy, after: { olympus: 0.2, legacy: 0.2 }, onsetS: 0, seconds: 86400, restart: true });
    expect(r.decisions).toBe(0);
  });

  it('the budget holds at the tolerance itself: Olympus 95% against legacy 97%, 30 days at 200 logins per 5 min, at most 1 false decision', () => {
    const r = runStream('boundary', { loginsPer5m: 200, share: 0.5, before: { olympus: 0.05, legacy: 0.03 }, after: { olympus: 0.05, legacy: 0.03 }, onsetS: 0, seconds: 30 * 86400, restart: true });
    expect(r.decisions).toBeLessThanOrEqual(1);
  });

  it('a burst from fewer distinct clients than the attack floor cannot decide; the floor can', () => {
    const base = { loginsPer5m: 1000, share: 0.5, before: healthy, after: healthy, onsetS: 60, seconds: 60 + 600 };
    const floor = runStream('floor', { ...base, seconds: 1 }).cal.attackFloor;
    expect(floor).toBe(15); // 60% of the 5% failures 500 Olympus logins would hold at the threshold
    for (let i = 0; i < 10; i++) expect(runStream(`below-${i}`, { ...base, attackers: floor - 1 }).decidedAt).toBeNull();
    expect(runStream('at-floor', { ...base, attackers: 2 * floor }).decidedAt).not.toBeNull();
  });
});

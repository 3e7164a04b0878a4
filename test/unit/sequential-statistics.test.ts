/**
 * The sequential detector's statistics (src/rollback/sequential/), as pure
 * functions against known values: the exact ARL of the Brook-Evans chain
 * against closed forms (runs of k bad outcomes; the reflected symmetric walk)
 * and against Monte Carlo; Lorden's bound ARL0 >= e^h that the error budget
 * relies on; the budget, attack floor and alternatives of the default rule;
 * the horizon learnt from time-to-callback.
 */
import { describe, expect, it } from 'vitest';
import { arl, integerArl, scaledChart } from '../../src/rollback/sequential/average-run-length.ts';
import { attackFloor, budgetThreshold, chart, chartBudgetThreshold, siegmundArl, siegmundArl0, step } from '../../src/rollback/sequential/bernoulli-cusum.ts';
import { calibrate, emptyState, observations30d, observe, outcomeAlternatives, read } from '../../src/rollback/sequential/detector-bank.ts';
import { emptyHorizon, horizonSeconds, learnArrival, learnSuccess, overdueNull } from '../../src/rollback/sequential/callback-horizon.ts';
import { Rng } from '../../scripts/simulate/prng.ts';

describe('Brook-Evans ARL against closed forms', () => {
  // A chart that any good outcome resets and each bad one moves up by 1 alarms on k bad outcomes in a row:
  // E[trials until k successes in a row] = (1 - p^k) / ((1 - p) p^k).
  it.each([
    [3, 0.5, 14],
    [5, 0.1, (1 - 0.1 ** 5) / (0.9 * 0.1 ** 5)],
    [6, 0.9, (1 - 0.9 ** 6) / (0.1 * 0.9 ** 6)],
  ])('runs of %i bad outcomes at p = %f', (k, p, expected) => {
    expect(integerArl({ up: 1, down: k, h: k }, p)).toBeCloseTo(expected, 6);
  });

  // The symmetric walk reflected at 0 (a down step from 0 stays at 0) reaches h from 0 in h(h+1) steps on average.
  it.each([1, 2, 10, 40])('reflected symmetric walk to h = %i', (h) => {
    expect(integerArl({ up: 1, down: 1, h }, 0.5)).toBeCloseTo(h * (h + 1), 6);
  });
});

describe('Brook-Evans ARL against Monte Carlo of the real-valued chart', () => {
  it.each([
    [0.05, 0.5, 6, 0.3],
    [0.05, 0.3, 5, 0.2],
    [0.05, 0.9, 9, 0.6],
  ])('p0 %f, p1 %f, h %f, true p %f', (p0, p1, h, p) => {
    const c = chart(p0, p1);
    const rng = new Rng(7, `arl-${p1}-${p}`);
    const runs = 20_000;
    let total = 0;
    for (let r = 0; r < runs; r++) {
      let s = 0;
      let n = 0;
      while (s < h) {
        s = step(s, c, rng.next() < p);
        n++;
      }
      total += n;
    }
    const mc = total / runs;
    expect(arl(p0, p1, h, p, 600) / mc).toBeGreaterThan(0.96);
    expect(arl(p0, p1, h, p, 600) / mc).toBeLessThan(1.04);
  });
});

describe("Lorden's bound behind the error budget", () => {
  it.each([
    [0.3, 6],
    [0.5, 8],
    [0.9, 10],
  ])('exact ARL0 of p1 = %f at h = %f is at least e^h', (p1, h) => {
    expect(arl(0.05, p1, h, 0.05, 500)).toBeGreaterThanOrEqual(Math.exp(h));
  });

  it('h = ln(K N / B): 7 charts, 200 logins per 5 min for 30 days, 1 false rollback', () => {
    const n = observations30d(200, 50, 300);
    expect(n).toBe(200 * 8640);
    expect(budgetThreshold(7, n, 1)).toBeCloseTo(Math.log(7 * 1_728_000), 10);
    // A quiet window does not lower h below min_samples' worth of traffic.
    expect(observations30d(3, 50, 300)).toBe(50 * 8640);
  });
});

describe("Siegmund's approximation against published ARLs of the normal CUSUM", () => {
  // One-sided CUSUM of N(delta, 1) observations with reference value k and decision interval h: steps of mean
  // delta - k, s.d. 1. Published values (as reproduced in the examples of the R package spc, xcusum.arl):
  // Vance (1986) Table 1, k = 0, h = 10 (integral equation, Nystroem); Brook & Evans (1972) 4.3, k = 0.5, h = 3
  // (Markov chain); Waldmann (1986) Tables 1, 3, 5, k = 0.5, h = 3. No published table of the Bernoulli chart
  // itself (Reynolds & Stoumbos 1999) was at hand; the Bernoulli checks are the closed forms and Monte Carlo here.
  it.each([
    ['Vance 1986', 0, 10, -0.25, 2071.51],
    ['Vance 1986', 0, 10, -0.125, 400.28],
    ['Vance 1986', 0, 10, 0, 124.66],
    ['Vance 1986', 0, 10, 0.125, 59.3],
    ['Vance 1986', 0, 10, 0.25, 36.71],
    ['Vance 1986', 0, 10, 0.5, 20.37],
    ['Vance 1986', 0, 10, 1, 10.75],
    ['Brook & Evans 1972', 0.5, 3, 0, 117.59],
    ['Brook & Evans 1972', 0.5, 3, 1.5, 3.75],
    ['Waldmann 1986', 0.5, 3, -0.5, 1963],
    ['Waldmann 1986', 0.5, 3, 0, 117.4],
    ['Waldmann 1986', 0.5, 3, 0.5, 17.35],
  ])('%s: k %f, h %f, shift %f: ARL %f (within 6%)', (_src, k, h, delta, published) => {
    const approx = siegmundArl(delta - k, 1, h);
    expect(Math.abs(approx / published - 1)).toBeLessThan(0.06);
  });
});

describe("Siegmund's approximation behind the outcome charts' thresholds", () => {
  // Monte Carlo ARL0 (2,000 runs of the real-valued chart at its null p0 = 5%) against Siegmund's corrected
  // diffusion approximation (e^b - b - 1) / |mu0|, b = h + 1.166 sigma0. Close charts (small steps): within 10%;
  // far charts (big jumps): the approximation is below the truth, so a threshold from it is conservative.
  it.each([
    [0.08, 3, 0.95, 1.12],
    [0.08, 6, 0.93, 1.1],
    [0.15, 7, 1.0, 1.3],
    [0.5, 6, 1.0, 1.6],
    [0.9, 8, 1.2, 5],
  ])('p1 %f at h %f: Monte Carlo / approximation in [%f, %f]', (p1, h, lo, hi) => {
    const c = chart(0.05, p1);
    const rng = new Rng(11, `siegmund-${p1}-${h}`);
    const runs = 2000;
    let total = 0;
    for (let r = 0; r < runs; r++) {
      let s = 0;
      while (s < h) {
        s = step(s, c, rng.next() < 0.05);
        total++;
      }
    }
    const ratio = total / runs / siegmundArl0(c, 0.05, h);
    expect(ratio).toBeGreaterThan(lo);
    expect(ratio).toBeLessThan(hi);
  });

  it('Lorden is ~150 times low for p1 = 0.08: its threshold drops by ~5; charts with bigger steps keep ln T', () => {
    const k = 7;
    const n = observations30d(1000, 50, 300);
    const lorden = budgetThreshold(k, n, 1);
    expect(lorden).toBeCloseTo(17.92, 2);
    const close = chartBudgetThreshold(chart(0.05, 0.08), 0.05, k, n, 1);
    expect(lorden - close).toBeGreaterThan(4.5);
    expect(lorden - close).toBeLessThan(5.5);
    // At the chosen h the approximation gives 1.2 T: the budget with a margin.
    expect(siegmundArl0(chart(0.05, 0.08), 0.05, close) / Math.exp(lorden)).toBeCloseTo(1.2, 6);
    // Charts with big steps against h keep ln T (0.15 moves by 1.1 per failure, more than h / 20).
    expect(chartBudgetThreshold(chart(0.05, 0.15), 0.05, k, n, 1)).toBe(lorden);
    expect(chartBudgetThreshold(chart(0.05, 0.9), 0.05, k, n, 1)).toBe(lorden);
  });
});

describe('the default login rule', () => {
  it('alternatives from close to far around p0 = 5%', () => {
    expect(outcomeAlternatives(0.05).map((p) => Math.round(p * 100) / 100)).toEqual([0.08, 0.15, 0.3, 0.5, 0.9]);
  });

  it('the attack floor: at least as many clients as the window rule needed (3 / 6 / 16 at 50 / 200 / 1,000 logins)', () => {
    expect([50, 200, 1000, 5000].map((n) => attackFloor(n, 0.05, 1))).toEqual([3, 6, 30, 150]);
    expect(attackFloor(2000, 0.05, 20)).toBe(60);
  });

  const cal = calibrate({ p0: 0.05, o0: 0.025, budget: 1, observations30d: observations30d(200, 50, 300), windowSamples: 200, badPerClient: 1 });

  it('a total outage at 200 logins per 5 min decides on the 6th failure, not the 5th', () => {
    const s = emptyState(cal);
    for (let i = 0; i < 200; i++) observe(s, cal, 'outcome', i % 33 === 0);
    for (let i = 0; i < 5; i++) observe(s, cal, 'outcome', true);
    expect(read(s, cal).ratio).toBeLessThan(1);
    observe(s, cal, 'outcome', true);
    expect(read(s, cal).ratio).toBeGreaterThanOrEqual(1);
    expect(read(s, cal).leading.p1).toBe(0.9);
  });

  it('six logins stuck past the horizon decide through the overdue charts', () => {
    const s = emptyState(cal);
    for (let i = 0; i < 200; i++) observe(s, cal, 'overdue', i % 40 === 0);
    for (let i = 0; i < 5; i++) observe(s, cal, 'overdue', true);
    expect(read(s, cal).ratio).toBeLessThan(1);
    observe(s, cal, 'overdue', true);
    expect(read(s, cal)).toMatchObject({ leading: { family: 'overdue' } });
    expect(read(s, cal).ratio).toBeGreaterThanOrEqual(1);
  });

  it('a healthy 97% stays far from any threshold; a run of observations equals them one by one', () => {
    const a = emptyState(cal);
    const b = emptyState(cal);
    const rng = new Rng(3, 'healthy');
    for (let i = 0; i < 20_000; i++) observe(a, cal, 'outcome', rng.next() < 0.03);
    expect(read(a, cal).ratio).toBeLessThan(0.6);
    observe(b, cal, 'outcome', false, 40);
    observe(b, cal, 'outcome', true, 3);
    const c = emptyState(cal);
    for (let i = 0; i < 40; i++) observe(c, cal, 'outcome', false);
    for (let i = 0; i < 3; i++) observe(c, cal, 'outcome', true);
    expect(b.outcome.map((x) => x.toFixed(9))).toEqual(c.outcome.map((x) => x.toFixed(9)));
  });
});

describe('the callback horizon', () => {
  it('is learnt from healthy time-to-callback: 99th percentile x 1.5, clamped to [20 s, 40 s]', () => {
    const now = 1_000_000;
    let fast = emptyHorizon(now);
    for (let i = 1; i <= 1000; i++) fast = learnSuccess(fast, 2 + (i % 8), now);
    expect(horizonSeconds(fast)).toBe(20);
    let slow = emptyHorizon(now);
    const rng = new Rng(1, 'lognormal');
    for (let i = 0; i < 2000; i++) slow = learnSuccess(slow, 8 * Math.exp(0.8 * rng.normal()), now);
    expect(horizonSeconds(slow)).toBe(40);
    let mid = emptyHorizon(now);
    for (let i = 0; i < 1000; i++) mid = learnSuccess(mid, 5 + (i % 18), now);
    expect(horizonSeconds(mid)).toBeGreaterThan(25);
    expect(horizonSeconds(mid)).toBeLessThan(40);
  });

  it('falls back to the other provider, then to 40 s; o0 is 20% until learnt, then the learnt share, floored at 2%', () => {
    const now = 0;
    let auth0 = emptyHorizon(now);
    for (let i = 0; i < 500; i++) auth0 = learnSuccess(auth0, 3, now);
    expect(horizonSeconds(undefined, auth0)).toBe(20);
    expect(horizonSeconds(emptyHorizon(now))).toBe(40);
    expect(overdueNull(emptyHorizon(now))).toBe(0.2);
    let o = learnArrival(emptyHorizon(now), false, 970, now);
    o = learnArrival(o, true, 30, now);
    expect(overdueNull(o)).toBeCloseTo(0.03, 10);
    expect(overdueNull(learnArrival(emptyHorizon(now), false, 1000, now))).toBe(0.02);
  });

  it('o0 allows for a provider twice as slow: the learnt successes slower than H/2 count as not back', () => {
    const now = 0;
    // 90% back in 5 s, 10% in 30 s; H = 40 s (30 s x 1.5, clamped): at twice the times, the 10% would miss it.
    let s = emptyHorizon(now);
    for (let i = 0; i < 1000; i++) s = learnSuccess(s, i % 10 === 0 ? 30 : 5, now);
    s = learnArrival(s, false, 980, now);
    s = learnArrival(s, true, 20, now);
    expect(horizonSeconds(s)).toBe(40);
    expect(overdueNull(s)).toBeCloseTo(0.02 + 0.98 * 0.1, 6);
  });

  it('forgets with a half-life of 6 hours', () => {
    let s = learnArrival(emptyHorizon(0), true, 100, 0);
    s = learnArrival(s, false, 0, 6 * 3600 * 1000);
    expect(s.overdue).toBeCloseTo(50, 6);
  });
});

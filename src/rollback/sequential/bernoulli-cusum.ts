/**
 * A bank of Bernoulli CUSUM charts (Reynolds & Stoumbos 1999, "A CUSUM chart
 * for monitoring a proportion when inspecting continuously"): the rollback
 * evidence, observation by observation, instead of a window checked on a
 * cadence.
 *
 * Each chart tests the null "a bad outcome has probability p0" (0.05 for
 * `login_success_rate < 95%`) against one alternative p1 > p0:
 *   S <- max(0, S + log(LR(x)))   with LR(bad) = p1/p0, LR(good) = (1-p1)/(1-p0)
 * and alarms when S >= h. A far alternative (0.9) reaches h after a handful of
 * bad outcomes in a row (a total outage); a close one (0.08) needs thousands
 * of observations at 93% (a subtle degradation): the time to decide scales
 * with the size of the effect. Pure functions, plain data.
 *
 * The threshold comes from an error budget: with K charts and N observations
 * in 30 days, the union bound keeps false alarms below B when each chart's
 * ARL0 (observations between false alarms under the null) is at least
 * T = K*N/B. Lorden (1971) gives ARL0 >= e^h, so h = ln T always holds; but
 * for a close alternative (p1 = 0.08 against 0.05) that bound is ~150 times
 * too low, because the chart's drift under the null is tiny. Siegmund's
 * corrected diffusion approximation (Siegmund 1985, "Sequential Analysis",
 * X.2; Basseville & Nikiforov 1993, 5.2.2),
 *   ARL0 ~ (e^b - b - 1) / |mu0|,  b = h + 1.166 sigma0,
 * with mu0 and sigma0 the mean and s.d. of one log-LR step under the null
 * (the tilt that makes e^LLR a martingale is exactly 1 there), is within 7%
 * of Monte Carlo for the close charts and below it for the far ones
 * (test/unit/sequential-statistics.test.ts). A chart whose steps are small
 * against h (where the approximation is tight) takes the lower of ln T and
 * the h where the approximation reaches 1.2 T; the others keep ln T (their
 * jumps are what the attack floor is about, see section 0c of
 * docs/simulation.md).
 */

export interface Chart {
  /** The alternative's bad-outcome probability. */
  p1: number;
  /** log LR of one bad outcome (> 0). */
  up: number;
  /** log LR of one good outcome (< 0). */
  down: number;
}

export function chart(p0: number, p1: number): Chart {
  if (!(p0 > 0 && p0 < 1 && p1 > p0 && p1 < 1)) throw new RangeError(`need 0 < p0 < p1 < 1, got p0=${p0} p1=${p1}`);
  return { p1, up: Math.log(p1 / p0), down: Math.log((1 - p1) / (1 - p0)) };
}

/** One chart after `n` observations of one kind in a row (a run of goods is max(0, s + n*down); a run of bads only adds). */
export function step(s: number, c: Chart, bad: boolean, n = 1): number {
  return bad ? s + n * c.up : Math.max(0, s + n * c.down);
}

/** Alternatives for outcomes that come back: close (a subtle drop) to far (an outage). */
export const OUTCOME_ALTERNATIVES = [0.08, 0.15, 0.3, 0.5, 0.9] as const;
/** Alternatives for logins not back by the horizon (stuck at the provider): only large shifts. */
export const OVERDUE_ALTERNATIVES = [0.5, 0.9] as const;

/** The threshold that keeps false alarms of `charts` charts over `observations` (in 30 days) below `budget`. */
export function budgetThreshold(charts: number, observations: number, budget: number): number {
  return Math.log((charts * Math.max(1, observations)) / budget);
}

/** Mean and standard deviation of one log-LR step of chart `c` when a bad outcome has probability p. */
export function stepMoments(c: Chart, p: number): { mean: number; sd: number } {
  const mean = p * c.up + (1 - p) * c.down;
  return { mean, sd: Math.sqrt(p * (1 - p)) * (c.up - c.down) };
}

/**
 * Siegmund's corrected diffusion approximation of a CUSUM's ARL, for steps
 * of mean `mean` and s.d. `sd`, threshold h: with b = h + 1.166 sd and theta
 * the tilt (-2 mean / sd^2 for normal steps), (e^(theta b) - theta b - 1) /
 * (-theta mean), or (b / sd)^2 without drift. Checked against published ARLs
 * of the normal CUSUM (Vance 1986, Brook & Evans 1972, Waldmann 1986) in
 * test/unit/sequential-statistics.test.ts.
 */
export function siegmundArl(mean: number, sd: number, h: number, theta = (-2 * mean) / (sd * sd)): number {
  const b = h + 1.166 * sd;
  if (Math.abs(theta * b) < 1e-9) return (b / sd) ** 2;
  return (Math.exp(theta * b) - theta * b - 1) / (-theta * mean);
}

/** ARL0 (observations) of chart `c` with threshold h at its null p0: the tilt of a log-LR step is exactly 1 there. */
export function siegmundArl0(c: Chart, p0: number, h: number): number {
  const { mean, sd } = stepMoments(c, p0);
  return siegmundArl(mean, sd, h, 1);
}

/** Margin on the approximation: it stays within 7% of Monte Carlo where it is close. */
const SIEGMUND_MARGIN = 1.2;

/** The approximation is used only where it is tight: steps small against h (within 7% of Monte Carlo there). */
const SMALL_STEPS = 20;

/**
 * The budget's threshold for one chart of K (`charts`), T = K N / B: ln T, or
 * for a chart with small steps (a bad outcome moves it by at most h/20) the
 * h where Siegmund's ARL0 is 1.2 T if that is lower.
 */
export function chartBudgetThreshold(c: Chart, p0: number, charts: number, observations: number, budget: number): number {
  const lorden = budgetThreshold(charts, observations, budget);
  const target = SIEGMUND_MARGIN * Math.exp(lorden);
  // ARL0 grows with h: bisect on [0, ln T + 10].
  let lo = 0;
  let hi = lorden + 10;
  if (siegmundArl0(c, p0, hi) < target) return lorden;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (siegmundArl0(c, p0, mid) >= target) hi = mid;
    else lo = mid;
  }
  return hi < lorden && c.up * SMALL_STEPS <= hi ? hi : lorden;
}

/**
 * A chart's threshold: the budget's, raised so that no burst of fewer than
 * `attackFloor` bad observations can reach it alone (each client adds at most
 * its cap of bad observations per window: see detector-feed.ts).
 */
export function chartThreshold(c: Chart, budgetH: number, attackFloor: number): number {
  // Half a step below `attackFloor` bad observations: floor - 1 of them stay below it, floor of them reach it.
  return Math.max(budgetH, c.up * (attackFloor - 0.5));
}

/**
 * Bad observations needed before an alarm can be a coordinated few, per
 * window: 60% of the bad outcomes a window holds at the threshold (3% of its
 * samples for a 95% rule), at least 3 clients' worth. A total outage produces
 * that many failing logins in 0.6 * (1 - threshold) of the window (9 s of a
 * 5-minute window) at any traffic; an attacker needs that many clients, at
 * least as many as the window rule needed (3 / 6 / 16 at 50 / 200 / 1,000
 * logins per 5 min).
 */
export function attackFloor(windowSamples: number, p0: number, badPerClient: number): number {
  // Rounded first: 0.6 * (1 - 0.95) * 200 is 6.0000000000000036 in floating point, and 6 is meant.
  return Math.max(3 * badPerClient, Math.ceil(Number((0.6 * p0 * windowSamples).toFixed(6))));
}

export interface BankReading {
  /** Largest S/h over the charts: 1 or more is an alarm. */
  ratio: number;
  /** The chart closest to its threshold. */
  leading: { family: string; p1: number; s: number; h: number };
}

/** Reads a set of charts (by family) against their thresholds. */
export function readBank(families: Record<string, { charts: readonly Chart[]; s: readonly number[]; h: readonly number[] }>): BankReading {
  let best: BankReading | undefined;
  for (const [family, f] of Object.entries(families)) {
    f.charts.forEach((c, i) => {
      const s = f.s[i] ?? 0;
      const h = f.h[i]!;
      const ratio = s / h;
      if (!best || ratio > best.ratio) best = { ratio, leading: { family, p1: c.p1, s, h } };
    });
  }
  return best ?? { ratio: 0, leading: { family: 'outcome', p1: 0, s: 0, h: Infinity } };
}

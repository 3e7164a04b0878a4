/**
 * Average run lengths of a Bernoulli CUSUM, exactly: the Brook & Evans (1972)
 * Markov chain. The log-likelihood increments are scaled to integers (the
 * chart then moves +a on a bad outcome and -b on a good one, floored at 0) and
 * the expected number of observations to reach h from each state solves
 * (I - R) L = 1 over the transient states. With the increments rounded to a
 * fine grid this is the chart the controller runs, up to the rounding.
 * Pure; used by the tests and the simulation to check the budget
 * (bernoulli-cusum.ts) and published values, never on the hot path.
 */

export interface IntegerChart {
  /** Step on a bad outcome (> 0). */
  up: number;
  /** Step on a good outcome (> 0, moves down). */
  down: number;
  /** Alarm when the state reaches h or more. */
  h: number;
}

/** ARL from state 0 when a bad outcome has probability p (p0 for ARL0, p1 for ARL1). */
export function integerArl(c: IntegerChart, p: number): number {
  const m = c.h; // transient states 0..h-1
  // Dense Gaussian elimination on (I - R) L = 1; m stays in the hundreds.
  const a: Float64Array[] = Array.from({ length: m }, () => new Float64Array(m + 1));
  for (let i = 0; i < m; i++) {
    const row = a[i]!;
    row[i] = 1;
    row[m] = 1;
    const upTo = i + c.up;
    if (upTo < m) row[upTo]! -= p;
    const downTo = Math.max(0, i - c.down);
    row[downTo]! -= 1 - p;
  }
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    const pr = a[col]!;
    const d = pr[col]!;
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const row = a[r]!;
      const f = row[col]! / d;
      if (f === 0) continue;
      for (let k = col; k <= m; k++) row[k]! -= f * pr[k]!;
    }
  }
  return a[0]![m]! / a[0]![0]!;
}

/**
 * The chart for p0 vs p1 with threshold h, its increments scaled by `scale`
 * and rounded (Reynolds & Stoumbos scale the log-likelihood ratio the same
 * way to get integer charts). A finer scale is closer to the real-valued chart.
 */
export function scaledChart(p0: number, p1: number, h: number, scale: number): IntegerChart {
  return {
    up: Math.max(1, Math.round(scale * Math.log(p1 / p0))),
    down: Math.max(1, Math.round(-scale * Math.log((1 - p1) / (1 - p0)))),
    h: Math.max(1, Math.round(scale * h)),
  };
}

/** ARL of the real-valued chart p0 vs p1 with threshold h, at bad-outcome probability p. */
export function arl(p0: number, p1: number, h: number, p: number, states = 400): number {
  return integerArl(scaledChart(p0, p1, h, states / h), p);
}

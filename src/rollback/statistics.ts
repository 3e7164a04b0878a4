/**
 * Confidence bounds, so a rule fires on evidence rather than on a noisy ratio.
 *
 * At a true 97% login success rate and 50 logins a window, "observed rate
 * below 95%" happens in about one window in five; "the upper bound of the 99%
 * interval is below 95%" almost never does, while a real outage (say 70%)
 * crosses it within one window. Pure functions, no I/O.
 */

/** Two-sided normal quantile for a confidence level (0.9, 0.95, 0.99, 0.999, or interpolated). */
export function zFor(confidence: number): number {
  // Acklam's rational approximation of the inverse normal CDF.
  const p = 1 - (1 - confidence) / 2;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p > 1 - pl) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** Wilson score interval for a proportion x/n. */
export function wilson(x: number, n: number, confidence: number): Interval {
  if (n <= 0) return { estimate: NaN, lower: 0, upper: 1 };
  const z = zFor(confidence);
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { estimate: p, lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}

/** Newcombe's hybrid score interval for the difference of two proportions p1 - p2. */
export function differenceInterval(x1: number, n1: number, x2: number, n2: number, confidence: number): Interval {
  const a = wilson(x1, n1, confidence);
  const b = wilson(x2, n2, confidence);
  const d = a.estimate - b.estimate;
  return {
    estimate: d,
    lower: d - Math.sqrt((a.estimate - a.lower) ** 2 + (b.upper - b.estimate) ** 2),
    upper: d + Math.sqrt((a.upper - a.estimate) ** 2 + (b.estimate - b.lower) ** 2),
  };
}

/** Bounds on a Poisson mean from an observed count (Wilson-Hilferty approximation). */
export function poisson(k: number, confidence: number): Interval {
  const z = zFor(confidence);
  const lower = k === 0 ? 0 : k * (1 - 1 / (9 * k) - z / (3 * Math.sqrt(k))) ** 3;
  const k1 = k + 1;
  const upper = k1 * (1 - 1 / (9 * k1) + z / (3 * Math.sqrt(k1))) ** 3;
  return { estimate: k, lower: Math.max(0, lower), upper };
}

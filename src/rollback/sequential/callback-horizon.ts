/**
 * How long people take to come back from the provider, learnt from the
 * recent past, so a login that has not come back is evidence long before
 * `abandon_after`.
 *
 * Per provider: a decaying histogram of the time from /login to a successful
 * /callback (log-spaced bins: most people take seconds, MFA and forgotten
 * passwords make a long tail) and decaying counts of the logins back by the
 * horizon H and of those not back (overdue). H is a high quantile of the
 * healthy times with a margin, clamped; o0, the overdue chart's null
 * (bernoulli-cusum.ts), is the share of logins that would not be back by H if
 * the provider were twice as slow as it was: the learnt share not back, plus
 * the learnt successes slower than H/2. Slow users are in the histogram, and
 * a provider that turns 2x slower sits at the null, not beyond it (the error
 * budget holds for it). Pure: state in, state out, `now` given.
 */

/** Bin upper edges in seconds: 1 s to 20 min, 4 bins per doubling. */
const EDGES: readonly number[] = Array.from({ length: 42 }, (_, i) => 2 ** (i / 4));
const HALF_LIFE_MS = 6 * 3600 * 1000;
export const HORIZON_MIN_S = 20;
export const HORIZON_MAX_S = 40;
/** Before enough has been learnt: the longest horizon and a generous overdue share. */
export const DEFAULT_HORIZON_S = HORIZON_MAX_S;
export const DEFAULT_OVERDUE_NULL = 0.2;
const OVERDUE_NULL_FLOOR = 0.02;
const OVERDUE_NULL_CEILING = 0.4;
const QUANTILE = 0.99;
const MARGIN = 1.5;
/** Weighted observations before a histogram or an overdue share is trusted. */
const MIN_LEARNT = 100;

export interface HorizonState {
  /** Decayed counts of successful logins per bin (EDGES). */
  bins: number[];
  /** Decayed counts of logins back by H and of those not back (overdue). */
  timely: number;
  overdue: number;
  /** When the decay was last applied (ms). */
  at: number;
}

export function emptyHorizon(now: number): HorizonState {
  return { bins: EDGES.map(() => 0), timely: 0, overdue: 0, at: now };
}

function decayed(s: HorizonState, now: number): HorizonState {
  const f = now > s.at ? 0.5 ** ((now - s.at) / HALF_LIFE_MS) : 1;
  if (f === 1) return s;
  return { bins: s.bins.map((b) => b * f), timely: s.timely * f, overdue: s.overdue * f, at: now };
}

function binOf(seconds: number): number {
  const i = EDGES.findIndex((e) => seconds <= e);
  return i < 0 ? EDGES.length - 1 : i;
}

/** A successful login came back after `seconds`. */
export function learnSuccess(s: HorizonState, seconds: number, now: number): HorizonState {
  const d = decayed(s, now);
  const bins = d.bins.slice();
  bins[binOf(Math.max(0, seconds))]! += 1;
  return { ...d, bins };
}

/** A started login was back by the horizon (timely) or not (overdue). */
export function learnArrival(s: HorizonState, overdue: boolean, n: number, now: number): HorizonState {
  const d = decayed(s, now);
  return overdue ? { ...d, overdue: d.overdue + n } : { ...d, timely: d.timely + n };
}

function learnt(s: HorizonState | undefined): s is HorizonState {
  return s !== undefined && s.bins.reduce((a, b) => a + b, 0) >= MIN_LEARNT;
}

/** H in seconds: this provider's healthy 99th percentile x 1.5, clamped to [20 s, 45 s]; else the other provider's; else 45 s. */
export function horizonSeconds(own: HorizonState | undefined, other?: HorizonState): number {
  const s = learnt(own) ? own : learnt(other) ? other : undefined;
  if (!s) return DEFAULT_HORIZON_S;
  const total = s.bins.reduce((a, b) => a + b, 0);
  let acc = 0;
  let q = EDGES[EDGES.length - 1]!;
  for (let i = 0; i < s.bins.length; i++) {
    acc += s.bins[i]!;
    if (acc >= QUANTILE * total) {
      q = EDGES[i]!;
      break;
    }
  }
  return Math.min(HORIZON_MAX_S, Math.max(HORIZON_MIN_S, q * MARGIN));
}

/** A provider this many times slower than learnt is still healthy: the overdue null allows for it. */
export const SLOWER_ALLOWED = 2;

/** Share of the learnt successful logins slower than `seconds` (0 before the histogram is learnt). */
function slowerThan(s: HorizonState | undefined, seconds: number): number {
  if (!learnt(s)) return 0;
  const total = s.bins.reduce((a, b) => a + b, 0);
  // Every bin whose upper edge is above `seconds` counts (conservative: the bin holding it counts whole).
  return s.bins.reduce((acc, b, i) => acc + (EDGES[i]! > seconds ? b : 0), 0) / total;
}

/**
 * o0: the learnt share of logins not back by H, plus the share that would
 * miss H at twice the learnt times; floored at 2%, capped at 40%; 20% before
 * anything is learnt.
 */
export function overdueNull(own: HorizonState | undefined, other?: HorizonState, horizonS = horizonSeconds(own, other)): number {
  const pick = [own, other].find((s) => s !== undefined && s.timely + s.overdue >= MIN_LEARNT);
  if (!pick) return DEFAULT_OVERDUE_NULL;
  const share = pick.overdue / (pick.timely + pick.overdue);
  const times = learnt(own) ? own : learnt(other) ? other : undefined;
  const slow = share + (1 - share) * slowerThan(times, horizonS / SLOWER_ALLOWED);
  return Math.min(OVERDUE_NULL_CEILING, Math.max(OVERDUE_NULL_FLOOR, slow));
}

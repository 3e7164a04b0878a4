/**
 * Event-level login traffic for the sequential detector, in 0.2 s ticks (the
 * gateway's batch interval): Poisson arrivals, each a distinct client (a
 * user), a time to callback drawn from a heavy-tailed distribution (most
 * people within seconds, MFA and forgotten passwords in the tail), healthy
 * failures and abandonment, and from the onset a share of logins failing
 * with `error=` or stuck at the provider (never back). Observations reach the
 * controller's own detector code (src/rollback/sequential/): outcomes at the
 * callback if back by the horizon H, else one overdue observation at start +
 * H. H and o0 are learnt by callback-horizon.ts from a healthy warm-up.
 */
import { attackFloor } from '../../src/rollback/sequential/bernoulli-cusum.ts';
import { emptyHorizon, horizonSeconds, learnArrival, learnSuccess, overdueNull } from '../../src/rollback/sequential/callback-horizon.ts';
import { calibrate, emptyState, fitState, observations30d, observe, type Calibration, type DetectorState } from '../../src/rollback/sequential/detector-bank.ts';
import type { MetricRule } from '../../src/rollback/rules.ts';
import type { Rng } from './prng.ts';

const LATE = 4;
/** abandon_after's default: a login not back by then counts as abandoned (a bad outcome). */
const ABANDON_AFTER_S = 300;

/** The gateway's batch interval: the detector sees each batch as it arrives. */
export const TICK = 0.2;

export interface Healthy {
  success: number;
  /** Of the others: failures that come back (`error=`); the rest abandon (never back). */
  failShare: number;
  /** Time to callback: log-normal, median (s) and sigma. */
  medianS: number;
  sigma: number;
}

/** 97% success; of the 3% others, two thirds come back failed, one third never; median 8 s, 1% slower than 52 s. */
export const HEALTHY: Healthy = { success: 0.97, failShare: 2 / 3, medianS: 8, sigma: 0.8 };

export interface Outage {
  /** Share of logins that fail on top of the healthy ones (1 = all). */
  extra: number;
  /** 'error': they come back with error= after their time at the provider; 'stuck': never. */
  kind: 'error' | 'stuck';
}

export interface Learnt {
  horizonS: number;
  o0: number;
}

function callbackSeconds(rng: Rng, h: Healthy, slow: number): number {
  return h.medianS * slow * Math.exp(h.sigma * rng.normal());
}

/** H and o0 as the controller would learn them from `logins` healthy logins. */
export function learn(rng: Rng, h: Healthy, logins = 5000): Learnt {
  let s = emptyHorizon(0);
  const backs: number[] = [];
  for (let i = 0; i < logins; i++) {
    const u = rng.next();
    const back = u < h.success + (1 - h.success) * h.failShare;
    const t = callbackSeconds(rng, h, 1);
    if (u < h.success) s = learnSuccess(s, t, 0);
    backs.push(back ? t : Infinity);
  }
  const horizonS = horizonSeconds(s);
  for (const t of backs) s = learnArrival(s, t > horizonS, 1, 0);
  return { horizonS, o0: overdueNull(s) };
}

export interface Scenario {
  loginsPer5m: number;
  healthy: Healthy;
  learnt: Learnt;
  /** Time to callback multiplied by this from the onset (a slower provider). */
  slowAfterOnset: number;
  outage: Outage | null;
  /** Attacking clients: each fails one login (its cap) at the start of every window from the onset. */
  attackers: number;
  /** Bots per 5 min hitting /login and never coming back; `countBots` false: filtered as unknown clients (the controller). */
  bots: number;
  countBots: boolean;
}

export interface RunResult {
  /** Seconds from the onset's reference (first failing callback for `error`, first stuck start for `stuck`) to the decision; null if none. */
  fired: number | null;
  fires: number;
}

/**
 * Runs `seconds` of traffic; the outage (if any) starts at `onsetS`. With
 * `restart`, a fire resets the charts (the flag re-enabled at once) and
 * counting goes on: fires = false rollbacks of running all that time.
 */
export function run(rng: Rng, rule: MetricRule, sc: Scenario, seconds: number, onsetS: number, restart: boolean, TICK_S = TICK): RunResult {
  const ticks = Math.ceil(seconds / TICK_S);
  const lambda = (sc.loginsPer5m / 300) * TICK_S;
  const botLambda = (sc.bots / 300) * TICK_S;
  const H = sc.learnt.horizonS;
  const hTicks = Math.ceil(H / TICK_S);
  // A wheel of future callbacks (bad: 1 = failed, 0 = succeeded) and one of overdue checks.
  const wheelSize = Math.ceil(3600 / TICK_S);
  const back: number[][] = Array.from({ length: wheelSize }, () => []);
  const due: number[] = new Array(wheelSize).fill(0);
  const abandon: number[] = new Array(wheelSize).fill(0);
  const abandonS = ABANDON_AFTER_S;
  const aTicks = Math.ceil(abandonS / TICK_S);
  const windowTicks = Math.round(rule.windowSeconds / TICK_S);
  const perBucket = Math.round(10 / TICK_S);
  const buckets: number[] = new Array(Math.ceil(windowTicks / perBucket)).fill(0);
  let windowCount = 0;
  let cal: Calibration = calibrateFor(rule, sc, sc.loginsPer5m);
  let state: DetectorState = emptyState(cal);
  let reference: number | null = null;
  let fired: number | null = null;
  let fires = 0;
  const onsetTick = Math.round(onsetS / TICK_S);
  for (let t = 0; t < ticks; t++) {
    const inOutage = t >= onsetTick;
    const slot = t % wheelSize;
    if (t % perBucket === 0) {
      // A new 10 s bucket: the oldest leaves the window; calibrate as the controller's evaluation does.
      const b = (t / perBucket) % buckets.length;
      windowCount -= buckets[b]!;
      buckets[b] = 0;
      cal = calibrateFor(rule, sc, windowCount);
      state = fitState(state, cal);
    }
    const n = rng.poisson(lambda);
    for (let i = 0; i < n; i++) {
      const failing = inOutage && sc.outage !== null && rng.next() < sc.outage.extra;
      const slow = inOutage ? sc.slowAfterOnset : 1;
      if (failing && sc.outage!.kind === 'stuck') {
        due[(t + hTicks) % wheelSize]! += 1;
        abandon[(t + aTicks) % wheelSize]! += 1;
        if (reference === null) reference = t;
        continue;
      }
      const u = rng.next();
      const bad = failing || u >= sc.healthy.success;
      const comesBack = failing || u < sc.healthy.success + (1 - sc.healthy.success) * sc.healthy.failShare;
      const delay = callbackSeconds(rng, sc.healthy, slow);
      if (!comesBack || delay > abandonS) {
        due[(t + hTicks) % wheelSize]! += 1;
        abandon[(t + aTicks) % wheelSize]! += 1;
        continue;
      }
      // Back after H: observed as overdue at H, its outcome when it comes (LATE: no timely arrival).
      if (delay > H) due[(t + hTicks) % wheelSize]! += 1;
      const at = t + Math.max(1, Math.ceil(delay / TICK_S));
      back[at % wheelSize]!.push((bad ? (failing ? 2 : 1) : 0) + (delay > H ? LATE : 0));
    }
    if (sc.countBots) {
      const bots = rng.poisson(botLambda);
      due[(t + hTicks) % wheelSize]! += bots;
      abandon[(t + aTicks) % wheelSize]! += bots;
    }
    if (sc.attackers > 0 && inOutage && (t - onsetTick) % windowTicks === 0) {
      observe(state, cal, 'outcome', true, sc.attackers);
      if (reference === null) reference = t;
    }
    const arrivals = back[slot]!;
    for (const y of arrivals) {
      const x = y & 3;
      if (!(y & LATE)) observe(state, cal, 'overdue', false);
      observe(state, cal, 'outcome', x > 0);
      if (x === 2 && reference === null) reference = t;
    }
    const gone = abandon[slot]!;
    if (gone > 0) observe(state, cal, 'outcome', true, gone);
    abandon[slot] = 0;
    const b = Math.floor(t / perBucket) % buckets.length;
    buckets[b]! += arrivals.length + gone;
    windowCount += arrivals.length + gone;
    arrivals.length = 0;
    if (due[slot]! > 0) {
      observe(state, cal, 'overdue', true, due[slot]!);
      due[slot] = 0;
    }
    if (crossed(state, cal) && windowCount >= rule.minSamples) {
      fires++;
      if (fired === null && reference !== null) fired = (t - reference) * TICK_S;
      if (!restart) break;
      state = emptyState(cal);
    }
  }
  return { fired, fires };
}

function crossed(s: DetectorState, cal: Calibration): boolean {
  for (let i = 0; i < s.outcome.length; i++) if (s.outcome[i]! >= cal.outcome.h[i]!) return true;
  for (let i = 0; i < s.overdue.length; i++) if (s.overdue[i]! >= cal.overdue.h[i]!) return true;
  return false;
}

function calibrateFor(rule: MetricRule, sc: Scenario, windowSamples: number): Calibration {
  return calibrate({
    p0: 1 - rule.threshold,
    o0: sc.learnt.o0,
    budget: rule.falseRollbacksPer30d,
    observations30d: observations30d(windowSamples, rule.minSamples, rule.windowSeconds),
    windowSamples,
    badPerClient: 1,
  });
}

export { attackFloor };

/**
 * The loop shared by every scenario: advance the world one 10 s bucket at a
 * time, evaluate on the controller's cadence (just before a bucket boundary,
 * so the window holds exactly its buckets), feed the RuleRunner, and sample
 * cross-checks of the fast window against the real cohortCounts().
 */
import { metric } from '../../src/rollback/metrics/registry.ts';
import type { WindowCounts } from '../../src/rollback/rule-evaluator.ts';
import type { MetricRule } from '../../src/rollback/rules.ts';
import { BUCKET_SECONDS, windowStartBucket } from '../../src/rollback/window-aggregation.ts';
import type { CappedWindow } from './capped-window.ts';
import type { RuleRunner } from './rule-runner.ts';

export interface World {
  win: CappedWindow;
  /** Adds one bucket of traffic (after win.beginBucket()). */
  emit(): void;
  split: boolean;
  /** 'per-outcome' evaluates the controller's previous aggregation (each outcome capped separately) instead of cohortCounts(). */
  aggregation?: 'controller' | 'per-outcome';
}

export interface Cadence {
  /** Buckets between evaluations (evaluate_every / 10 s). */
  evalEvery: number;
  /** Cross-check the window against cohortCounts() every this many evaluations (0 = never). */
  checkEvery: number;
}

/** Buckets in a rule's window when evaluated just before a bucket boundary, per the real windowStartBucket(). */
export function windowBuckets(windowSeconds: number): number {
  const k = 1_000_000;
  const nowMs = (k + 1) * BUCKET_SECONDS * 1000 - 1;
  return k - windowStartBucket(nowMs, windowSeconds) + 1;
}

export function evalEveryBuckets(evaluateEverySeconds: number): number {
  return Math.max(1, Math.round(evaluateEverySeconds / BUCKET_SECONDS));
}

export function evaluationsPerDay(c: Cadence): number {
  return Math.round(86400 / (c.evalEvery * BUCKET_SECONDS));
}

function advance(world: World, buckets: number): void {
  for (let i = 0; i < buckets; i++) {
    world.win.beginBucket();
    world.emit();
  }
}

function look(rule: MetricRule, world: World): { counts: WindowCounts; observed: number | null } {
  const w = world.win;
  const counts: WindowCounts =
    world.aggregation === 'per-outcome'
      ? { olympus: w.perOutcome(0), auth0: w.perOutcome(1), tickets: 0 }
      : { olympus: w.counts(0), auth0: w.counts(1), tickets: 0 };
  const raw = w.rawCounts(0);
  return { counts, observed: metric(rule.metric).observed(raw.good, raw.bad, rule.windowSeconds) };
}

function evaluate(world: World, runner: RuleRunner, cadence: Cadence) {
  const { counts, observed } = look(runner.rule, world);
  const r = runner.step(counts, world.split, observed, cadence.evalEvery * BUCKET_SECONDS * 1000);
  if (cadence.checkEvery > 0 && runner.evaluations % cadence.checkEvery === 0) world.win.check();
  return r;
}

/** Fills the window, then runs `evaluations` evaluations; the runner accumulates the counts. */
export function steadyRun(world: World, runner: RuleRunner, evaluations: number, cadence: Cadence): void {
  advance(world, world.win.buckets);
  for (let e = 0; e < evaluations; e++) {
    advance(world, cadence.evalEvery);
    evaluate(world, runner, cadence);
  }
}

export interface Detection {
  /** Seconds from onset to the evidence rule firing, null if not within the horizon. */
  ours: number | null;
  naive: number | null;
}

/** Fills the window with the pre-onset world, calls onset(), and times the first fire of each rule. */
export function detectionTrial(world: World, runner: RuleRunner, onset: () => void, horizonSeconds: number, cadence: Cadence): Detection {
  advance(world, world.win.buckets);
  onset();
  runner.reset();
  const d: Detection = { ours: null, naive: null };
  const step = cadence.evalEvery * BUCKET_SECONDS;
  for (let t = step; t <= horizonSeconds; t += step) {
    advance(world, cadence.evalEvery);
    const r = evaluate(world, runner, cadence);
    if (r.fired && d.ours === null) d.ours = t;
    if (r.naiveFired && d.naive === null) d.naive = t;
    if (d.ours !== null && d.naive !== null) break;
  }
  return d;
}

export interface DetectionSummary {
  within: number[];
  median: number | null;
  naiveMedian: number | null;
  trials: number;
}

function median(xs: (number | null)[]): number | null {
  const s = xs.map((x) => (x === null ? Infinity : x)).sort((a, b) => a - b);
  const m = s[Math.floor((s.length - 1) / 2)]!;
  return Number.isFinite(m) ? m : null;
}

export function summarize(results: Detection[], withinSeconds: number[]): DetectionSummary {
  return {
    within: withinSeconds.map((s) => results.filter((r) => r.ours !== null && r.ours <= s).length / results.length),
    median: median(results.map((r) => r.ours)),
    naiveMedian: median(results.map((r) => r.naive)),
    trials: results.length,
  };
}

/**
 * One rule as the controller runs it: the real evaluateRule() and the
 * controller's decision step, streakStep(), on each evaluation (a breach adds
 * to the streak, an ok resets it, an inconclusive holds it, a held streak
 * expires one window after its last breach), firing on a breach that brings
 * the streak to `consecutive`, side by side with the naive rule "observed value crosses the
 * threshold in one window". A fire is a rollback; the runner then behaves as
 * if the flag were re-enabled at once (the controller clears streaks on
 * re-enable), so fires per day is the false-rollback rate of running the
 * migration all day.
 */
import { crosses } from '../../src/rollback/metrics/metric-definition.ts';
import { evaluateRule, type Verdict, type WindowCounts } from '../../src/rollback/rule-evaluator.ts';
import type { MetricRule } from '../../src/rollback/rules.ts';
import { streakStep } from '../../src/rollback/streak-step.ts';

export interface StepResult {
  verdict: Verdict;
  /** The evidence rule fires on this evaluation. */
  fired: boolean;
  /** The naive rule fires on this evaluation. */
  naiveFired: boolean;
}

export class RuleRunner {
  streak = 0;
  evaluations = 0;
  breaches = 0;
  inconclusive = 0;
  fires = 0;
  /** Fires whose streak was held across at least one inconclusive evaluation. */
  heldFires = 0;
  /** Evaluations that compared the cohorts (percentage split, both cohorts above the minimums). */
  compared = 0;
  /** Inconclusive because the Auth0 cohort was below min_samples/min_clients during a split. */
  auth0Short = 0;
  naiveFires = 0;
  /** Sum and count of the values the rule saw (capped rates), for the mean. */
  valueSum = 0;
  valueCount = 0;
  private held = false;
  private breachAt: number | undefined;
  /** Simulated time (ms), advanced by each step. */
  private now = 0;

  constructor(readonly rule: MetricRule) {}

  /**
   * `observed` is the uncapped value the naive rule reads (a rate or tickets per hour), null when there is no sample;
   * `elapsedMs` the simulated time since the previous evaluation.
   */
  step(counts: WindowCounts, splitRunning: boolean, observed: number | null, elapsedMs: number): StepResult {
    this.now += elapsedMs;
    const ev = evaluateRule(this.rule, counts, splitRunning);
    const d = streakStep({ now: this.now, verdict: ev.verdict, previous: { streak: this.streak, breachAt: this.breachAt }, windowSeconds: this.rule.windowSeconds, consecutive: this.rule.consecutive, counting: true });
    this.streak = d.streak;
    this.breachAt = d.breachAt;
    if (this.streak === 0) this.held = false;
    else if (ev.verdict === 'inconclusive') this.held = true;
    const fired = d.fires;
    if (fired) {
      this.fires++;
      if (this.held) this.heldFires++;
      this.reset();
    }
    const naiveFired = observed !== null && crosses(this.rule.op, observed, this.rule.threshold);
    this.evaluations++;
    if (ev.verdict === 'breach') this.breaches++;
    if (ev.verdict === 'inconclusive') {
      this.inconclusive++;
      if (ev.mode === 'cohort') this.auth0Short++;
    } else if (ev.mode === 'cohort') this.compared++;
    if (ev.value !== null) {
      this.valueSum += ev.value;
      this.valueCount++;
    }
    if (naiveFired) this.naiveFires++;
    return { verdict: ev.verdict, fired, naiveFired };
  }

  /** Starts a fresh run (an outage onset, a new trial, a re-enable after a fire). */
  reset(): void {
    this.streak = 0;
    this.held = false;
  }
}

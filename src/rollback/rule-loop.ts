/**
 * The rule loop: decides, after every incoming batch and on the alarm,
 * whether a rule has the evidence to roll back, and acts on the first that
 * has: a rollback, or in a dry run a notice.
 *
 * - Rate rules (a metric with a detector) are decided by the sequential
 *   detector (sequential-detector.ts): its charts cross their thresholds,
 *   and the window has min_samples and min_clients (else inconclusive: not
 *   yet, the charts keep their evidence). Checked on every batch.
 * - While a percentage split runs, a rate rule with compare_cohorts is
 *   decided the same way, on every batch, by the sequential comparison of
 *   the Olympus cohort with the legacy one (split-comparison.ts), with both
 *   cohorts' min_samples and min_clients (else inconclusive).
 * - Metrics without a detector (tickets) are decided by `consecutive`
 *   breaching window evaluations (streakStep(), shared with the simulator),
 *   on the `evaluate_every` cadence.
 * Rules that look breached but lack evidence get one "inconclusive" notice per window.
 */
import type { ControllerStore } from './controller-store.ts';
import type { FlagAuthority } from './flag-authority.ts';
import { CONTROLLER_ACTOR, type Outbox } from './outbox.ts';
import { evaluateRule, type Evaluation, type Verdict } from './rule-evaluator.ts';
import type { RuleBook } from './rule-book.ts';
import type { MetricRule } from './rules.ts';
import type { DetectorView, SequentialDetector } from './sequential-detector.ts';
import { streakStep } from './streak-step.ts';
import { windowStartBucket } from './window-aggregation.ts';
import { crosses } from './metrics/metric-definition.ts';
import { cohortWindowOf, splitPercent, type CohortWindow } from './split-comparison.ts';
import { metric } from './metrics/registry.ts';

export interface RuleStatus extends Evaluation {
  streak: number;
  consecutive: number;
  /** What decides the rule now: the sequential detector, or `consecutive` window evaluations. */
  decided_by: 'detector' | 'window';
}

export class RuleLoop {
  #lastEvaluatedAt = 0;

  constructor(
    private readonly store: ControllerStore,
    private readonly ruleBook: RuleBook,
    private readonly flags: FlagAuthority,
    private readonly outbox: Outbox,
    private readonly detector: SequentialDetector,
  ) {}

  /** True when the last evaluation is at least `evaluate_every` (less `slackMs`) ago. */
  due(now: number, slackMs = 0): boolean {
    return now - this.#lastEvaluatedAt >= this.ruleBook.rules().evaluateEverySeconds * 1000 - slackMs;
  }

  /** When the rules were last evaluated (ms), also across restarts of the object. */
  lastEvaluatedAt(): number | undefined {
    return this.#lastEvaluatedAt || this.store.get('last_evaluated_at');
  }

  private splitRunning(): boolean {
    return splitPercent(this.flags.current()) !== undefined;
  }

  /** Rate rules: the detector decides (during a split, through the cohort comparison where compare_cohorts). */
  private byDetector(rule: MetricRule): boolean {
    return metric(rule.metric).detector !== undefined;
  }

  /**
   * One rule on its window now, with the detector's verdict where it decides. Reads only; with
   * `windows`, also collects both cohorts' capped counts (for the split comparison's null).
   */
  private measureRule(rule: MetricRule, now: number, split: boolean, windows?: Record<string, CohortWindow>): Evaluation & { decided_by: RuleStatus['decided_by']; detector?: DetectorView } {
    const def = metric(rule.metric);
    const rows = this.store.clientRows(def.signal, windowStartBucket(now, rule.windowSeconds));
    const w = def.window(rows, rule);
    const ev = evaluateRule(rule, w, split);
    if (def.detector === undefined) return { ...ev, decided_by: 'window' };
    if (windows && rule.compareCohorts) windows[rule.id] = cohortWindowOf(w.olympus, w.auth0);
    const view = this.detector.view(rule);
    // The window's bound stays for display; the verdict is the detector's, inconclusive below the minimums
    // (during a split: of both cohorts, proportion-statistic.ts).
    const verdict = ev.verdict === 'inconclusive' ? 'inconclusive' : view.ratio >= 1 ? 'breach' : 'ok';
    return { ...ev, verdict, decided_by: 'detector', detector: view };
  }

  /** Every rule on its window now. Pure reads. */
  measure(now: number, windows?: Record<string, CohortWindow>): (Evaluation & { decided_by: RuleStatus['decided_by']; detector?: DetectorView })[] {
    const split = this.splitRunning();
    return this.ruleBook.rules().rules.map((rule) => this.measureRule(rule, now, split, windows));
  }

  /** The measurements with the streaks as last stored (for /status and /metrics). */
  current(now: number): RuleStatus[] {
    const streaks = this.store.get('streaks') ?? {};
    const byId = new Map(this.ruleBook.rules().rules.map((r) => [r.id, r.consecutive]));
    return this.measure(now).map((ev) => ({ ...ev, streak: streaks[ev.rule] ?? 0, consecutive: byId.get(ev.rule) ?? 1 }));
  }

  /** After every batch: the full evaluation when due, else only the detector's rules whose charts crossed. */
  async afterBatch(now: number): Promise<void> {
    if (this.due(now)) {
      await this.evaluate(now);
      return;
    }
    if (!this.flags.current().enabled) return;
    const split = this.splitRunning();
    for (const rule of this.ruleBook.rules().rules) {
      if (!this.byDetector(rule) || this.detector.reading(rule).ratio < 1) continue;
      const r = { ...this.measureRule(rule, now, split), streak: 0, consecutive: rule.consecutive };
      if (r.verdict === 'breach') return this.act(r, now);
      if (r.verdict === 'inconclusive') this.maybeInconclusiveNotice(r, now);
    }
  }

  async evaluate(now: number): Promise<RuleStatus[]> {
    const rules = this.ruleBook.rules();
    const enabled = this.flags.current().enabled;
    const streaks = this.store.get('streaks') ?? {};
    const breachAt = this.store.get('streak_breach_at') ?? {};
    let fired: RuleStatus | undefined;
    const windows: Record<string, CohortWindow> = {};
    const results = this.measure(now, windows).map((ev, i): RuleStatus => {
      const rule = rules.rules[i]!;
      if (ev.decided_by === 'detector') {
        const status = { ...ev, streak: 0, consecutive: rule.consecutive };
        if (enabled && ev.verdict === 'breach' && !fired) fired = status;
        return status;
      }
      const d = streakStep({ now, verdict: ev.verdict, previous: { streak: streaks[ev.rule] ?? 0, breachAt: breachAt[ev.rule] }, windowSeconds: rule.windowSeconds, consecutive: rule.consecutive, counting: enabled });
      if (d.breachAt !== undefined) breachAt[ev.rule] = d.breachAt;
      const status = { ...ev, streak: d.streak, consecutive: rule.consecutive };
      if (d.fires && !fired) fired = status;
      return status;
    });
    this.store.set('streak_breach_at', breachAt);
    this.store.set('streaks', Object.fromEntries(results.map((r) => [r.rule, r.streak])));
    this.detector.noteWindowSamples(Object.fromEntries(results.filter((r) => r.detector).map((r) => [r.rule, r.samples])));
    this.detector.noteCohortWindows(windows);
    this.#lastEvaluatedAt = now;
    this.store.set('last_evaluated_at', now);
    if (!enabled) {
      this.store.set('rule_verdicts', {});
      return results;
    }
    this.recordTransitions(results);
    for (const r of results) if (r.verdict === 'inconclusive') this.maybeInconclusiveNotice(r, now);
    if (fired) await this.act(fired, now);
    return results;
  }

  /**
   * The timeline of each rule (the console's, the postmortem's): an audit entry each time a rule's
   * verdict changes while Olympus is on, with what it measured. Changes, not every evaluation:
   * at one evaluation a second an unchanged verdict would bury everything else in the log.
   */
  private recordTransitions(results: readonly RuleStatus[]): void {
    const before = this.store.get('rule_verdicts') ?? {};
    const after: Record<string, Verdict> = {};
    for (const r of results) {
      after[r.rule] = r.verdict;
      const from = before[r.rule] ?? 'ok';
      if (from === r.verdict) continue;
      this.store.appendAudit('rule.verdict', CONTROLLER_ACTOR, {
        rule: r.rule, from, to: r.verdict, value: r.value, bound: r.bound, threshold: r.threshold, samples: r.samples, clients: r.clients,
        decided_by: r.decided_by, evidence: r.detector ? Math.round(r.detector.ratio * 1000) / 1000 : null, note: r.note ?? null,
      });
    }
    this.store.set('rule_verdicts', after);
  }

  /** A rule has fired: roll back (the flip is synchronous, before any await), or in a dry run notify. */
  private async act(fired: RuleStatus, now: number): Promise<void> {
    if (this.ruleBook.rules().dryRun) {
      this.dryRunNotice(fired, now);
      // The charts start over, as after a rollback: the next notice is on new evidence.
      if (fired.decided_by === 'detector') this.detector.reset(fired.rule);
      return;
    }
    await this.flags.rollBack({ actor: CONTROLLER_ACTOR, reason: `rule breached: ${fired.rule}`, evaluation: fired });
  }

  /** Tells people a rule looks bad but lacks the evidence to act, once per window. */
  private maybeInconclusiveNotice(r: RuleStatus, now: number): void {
    if (r.value === null) return;
    const key = `inconclusive_notice:${r.rule}` as const;
    if (!crosses(metric(r.metric).op, r.value, r.threshold) || now - (this.store.get(key) ?? 0) < r.windowSeconds * 1000) return;
    this.store.set(key, now);
    this.outbox.notify('trigger.inconclusive', { reason: `looks breached but inconclusive: ${r.note}`, evaluation: r, actor: CONTROLLER_ACTOR, dryRun: this.ruleBook.rules().dryRun }, now);
  }

  private dryRunNotice(r: RuleStatus, now: number): void {
    const key = `dry_run_notice:${r.rule}` as const;
    if (now - (this.store.get(key) ?? 0) < r.windowSeconds * 1000) return;
    this.store.set(key, now);
    this.store.appendAudit('rollback.dry_run', CONTROLLER_ACTOR, { rule: r.rule, value: r.value, bound: r.bound, threshold: r.threshold, window: r.windowSeconds, samples: r.samples, clients: r.clients });
    this.outbox.notify('rollback.triggered', { reason: `rule breached (dry run, no flip): ${r.rule}`, evaluation: r, actor: CONTROLLER_ACTOR, dryRun: true }, now);
  }
}

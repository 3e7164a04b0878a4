/**
 * The rule loop: on incoming batches and on the alarm, evaluate every rule
 * on its window, advance each streak (streakStep(), shared with the
 * simulator), and act on the first rule that fires: a rollback, or in a dry
 * run a notice. Rules that look breached but lack evidence get one
 * "inconclusive" notice per window.
 */
import type { ControllerStore } from './controller-store.ts';
import type { FlagAuthority } from './flag-authority.ts';
import { CONTROLLER_ACTOR, type Outbox } from './outbox.ts';
import { evaluateRule, type Evaluation } from './rule-evaluator.ts';
import type { RuleBook } from './rule-book.ts';
import { streakStep } from './streak-step.ts';
import { windowStartBucket } from './window-aggregation.ts';
import { crosses } from './metrics/metric-definition.ts';
import { metric } from './metrics/registry.ts';

export interface RuleStatus extends Evaluation {
  streak: number;
  consecutive: number;
}

export class RuleLoop {
  #lastEvaluatedAt = 0;

  constructor(
    private readonly store: ControllerStore,
    private readonly ruleBook: RuleBook,
    private readonly flags: FlagAuthority,
    private readonly outbox: Outbox,
  ) {}

  /** True when the last evaluation is at least `evaluate_every` (less `slackMs`) ago. */
  due(now: number, slackMs = 0): boolean {
    return now - this.#lastEvaluatedAt >= this.ruleBook.rules().evaluateEverySeconds * 1000 - slackMs;
  }

  /** When the rules were last evaluated (ms), also across restarts of the object. */
  lastEvaluatedAt(): number | undefined {
    return this.#lastEvaluatedAt || this.store.get('last_evaluated_at');
  }

  /** Every rule on its window now. Pure reads. */
  measure(now: number): Evaluation[] {
    const flag = this.flags.current();
    const split = flag.enabled && flag.percent !== undefined && flag.percent > 0 && flag.percent < 100;
    return this.ruleBook.rules().rules.map((rule) => {
      const def = metric(rule.metric);
      const rows = this.store.clientRows(def.signal, windowStartBucket(now, rule.windowSeconds));
      return evaluateRule(rule, def.window(rows, rule), split);
    });
  }

  /** The measurements with the streaks as last stored (for /status and /metrics). */
  current(now: number): RuleStatus[] {
    const streaks = this.store.get('streaks') ?? {};
    const byId = new Map(this.ruleBook.rules().rules.map((r) => [r.id, r.consecutive]));
    return this.measure(now).map((ev) => ({ ...ev, streak: streaks[ev.rule] ?? 0, consecutive: byId.get(ev.rule) ?? 1 }));
  }

  async evaluate(now: number): Promise<RuleStatus[]> {
    const rules = this.ruleBook.rules();
    const enabled = this.flags.current().enabled;
    const streaks = this.store.get('streaks') ?? {};
    const breachAt = this.store.get('streak_breach_at') ?? {};
    let fired: RuleStatus | undefined;
    const results = this.measure(now).map((ev, i): RuleStatus => {
      const rule = rules.rules[i]!;
      const d = streakStep({ now, verdict: ev.verdict, previous: { streak: streaks[ev.rule] ?? 0, breachAt: breachAt[ev.rule] }, windowSeconds: rule.windowSeconds, consecutive: rule.consecutive, counting: enabled });
      if (d.breachAt !== undefined) breachAt[ev.rule] = d.breachAt;
      const status = { ...ev, streak: d.streak, consecutive: rule.consecutive };
      if (d.fires && !fired) fired = status;
      return status;
    });
    this.store.set('streak_breach_at', breachAt);
    this.store.set('streaks', Object.fromEntries(results.map((r) => [r.rule, r.streak])));
    this.#lastEvaluatedAt = now;
    this.store.set('last_evaluated_at', now);
    if (!enabled) return results;
    for (const r of results) if (r.verdict === 'inconclusive') this.maybeInconclusiveNotice(r, now);
    if (!fired) return results;
    if (rules.dryRun) {
      this.dryRunNotice(fired, now);
      return results;
    }
    await this.flags.rollBack({ actor: CONTROLLER_ACTOR, reason: `rule breached: ${fired.rule}`, evaluation: fired });
    return results;
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

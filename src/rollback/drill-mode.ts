/**
 * Drill mode: how a rehearsal breaks a staging gateway safely. A real
 * Olympus cannot be told to deny logins, so while an eng-lead has drill mode
 * on (time-boxed, at most two hours, audited) the controller accepts
 * synthetic login outcomes marked as drill traffic on their own route. They
 * go to drill counters only: never to `samples`, `history_minutes`, the
 * detector feed or the totals, so no real window, chart or metric ever sees
 * them. The rules' login rule is evaluated on the drill counters with the
 * rule's own statistic (min samples, distinct clients, per-client cap,
 * confidence bound, consecutive breaches; not the sequential detector) and a
 * breach rolls back for real (that is what is rehearsed), audited with a
 * reason that says it came from drill traffic.
 *
 * `drillActive` and `drillStep` are the pure parts; `DrillMode` keeps the
 * state in the controller's `meta` (`drill_mode`).
 */
import type { ControllerStore } from './controller-store.ts';
import type { DrillModeState } from './meta-keys.ts';
import { evaluateRule, nextStreak, type Evaluation } from './rule-evaluator.ts';
import type { MetricRule, RulesConfig } from './rules.ts';
import { cohortCounts, type ClientRow } from './window-aggregation.ts';

export type { DrillModeState };

export const MAX_DRILL_MODE_MINUTES = 120;
/** Synthetic clients a drill may use: bounds the state kept in `meta`. */
export const MAX_DRILL_CLIENTS = 500;

export interface DrillOutcome {
  client: string;
  outcome: 'succeeded' | 'failed';
  n: number;
}

/** Drill mode in force at `now` (enabled and not past `until`). */
export function drillActive(s: DrillModeState | null | undefined, now: number): s is DrillModeState {
  return !!s && s.until > now;
}

/** The login rule a drill exercises: the first rule on the login success rate. */
export function drillRule(rules: RulesConfig): MetricRule | undefined {
  return rules.rules.find((r) => r.metric === 'login_success_rate');
}

export type DrillStep = { state: DrillModeState; evaluation: Evaluation | null; rollBack: boolean; refusedClients: number };

/** Adds a batch to the drill counters and evaluates the login rule once on them. Pure. */
export function drillStep(s: DrillModeState, batch: readonly DrillOutcome[], rule: MetricRule | undefined, flagEnabled: boolean, dryRun: boolean, now: number): DrillStep {
  const perClient = structuredClone(s.per_client);
  let refusedClients = 0;
  for (const o of batch) {
    if (!(o.client in perClient) && Object.keys(perClient).length >= MAX_DRILL_CLIENTS) {
      refusedClients++;
      continue;
    }
    const c = (perClient[o.client] ??= { succeeded: 0, failed: 0 });
    c[o.outcome] += o.n;
  }
  const counters = { ...s.counters, batches: s.counters.batches + 1 };
  counters.succeeded = Object.values(perClient).reduce((a, c) => a + c.succeeded, 0);
  counters.failed = Object.values(perClient).reduce((a, c) => a + c.failed, 0);
  counters.clients = Object.keys(perClient).length;
  let evaluation: Evaluation | null = null;
  let streak = s.streak;
  let rollBack = false;
  if (rule) {
    const rows: ClientRow[] = Object.entries(perClient).flatMap(([client, c]) => [
      { provider: 'olympus', outcome: 'succeeded', client, n: c.succeeded },
      { provider: 'olympus', outcome: 'failed', client, n: c.failed },
    ]);
    const olympus = cohortCounts(rows, 'olympus', rule.maxPerClient);
    evaluation = evaluateRule(rule, { olympus, auth0: { good: 0, bad: 0, clients: 0 }, tickets: 0 }, false);
    // Off already, or nothing flips (dry run): the counters still grow, the streak waits.
    streak = flagEnabled ? nextStreak(streak, evaluation.verdict) : streak;
    rollBack = flagEnabled && !dryRun && streak >= rule.consecutive && s.rolled_back_at === null;
  }
  return {
    state: { ...s, per_client: perClient, counters, streak, last_verdict: evaluation?.verdict ?? null, rolled_back_at: rollBack ? new Date(now).toISOString() : s.rolled_back_at },
    evaluation,
    rollBack,
    refusedClients,
  };
}

export type DrillOutcomesResult =
  | { ok: true; state: DrillModeState; evaluation: Evaluation | null; rollBack: boolean; refusedClients: number }
  | { ok: false; reason: string };

export class DrillMode {
  constructor(private readonly store: ControllerStore) {}

  /** The state in force, or undefined; an expired state is ended (audited) on the way. */
  current(now: number): DrillModeState | undefined {
    const s = this.store.get('drill_mode');
    if (drillActive(s, now)) return s;
    if (s) this.end(s, 'switchback-controller', 'the time box ran out', now);
    return undefined;
  }

  /** The last drill mode, active or not (for GET /drill-mode and the drill's report). */
  last(): DrillModeState | undefined {
    return this.store.get('drill_mode_last') ?? undefined;
  }

  enable(minutes: number, actor: string, reason: string, now: number): DrillModeState {
    const previous = this.current(now);
    if (previous) this.end(previous, actor, 'replaced by a new drill mode', now);
    const s: DrillModeState = {
      id: crypto.randomUUID(),
      at: new Date(now).toISOString(),
      until: now + Math.min(MAX_DRILL_MODE_MINUTES, Math.max(1, Math.floor(minutes))) * 60_000,
      by: actor,
      reason,
      per_client: {},
      counters: { batches: 0, succeeded: 0, failed: 0, clients: 0 },
      streak: 0,
      last_verdict: null,
      rolled_back_at: null,
      ended: null,
    };
    this.store.set('drill_mode', s);
    this.store.set('drill_mode_last', s);
    this.store.appendAudit('drill_mode.enabled', actor, { id: s.id, until: new Date(s.until).toISOString(), reason }, new Date(now));
    return s;
  }

  /** Ends drill mode now; false when it was not on. */
  stop(actor: string, reason: string, now: number): boolean {
    const s = this.current(now);
    if (!s) return false;
    this.end(s, actor, reason, now);
    return true;
  }

  /** Counts a batch of synthetic outcomes (drill traffic only) and evaluates the login rule on them. */
  record(batch: readonly DrillOutcome[], rules: RulesConfig, flagEnabled: boolean, now: number): DrillOutcomesResult {
    const s = this.current(now);
    if (!s) return { ok: false, reason: 'Drill mode is off: synthetic outcomes are accepted only while an eng-lead has enabled it (POST /drill-mode).' };
    const step = drillStep(s, batch, drillRule(rules), flagEnabled, rules.dryRun, now);
    this.store.set('drill_mode', step.state);
    this.store.set('drill_mode_last', step.state);
    return { ok: true, ...step };
  }

  private end(s: DrillModeState, actor: string, reason: string, now: number): void {
    const ended = { ...s, ended: { at: new Date(now).toISOString(), by: actor, reason } };
    this.store.set('drill_mode', null);
    this.store.set('drill_mode_last', ended);
    this.store.appendAudit('drill_mode.ended', actor, { id: s.id, reason, counters: s.counters, rolled_back_at: s.rolled_back_at }, new Date(now));
  }
}

/**
 * The re-enable gate: what must be true before Olympus goes back on after a
 * rollback. The plan says "don't immediately retry": write the postmortem,
 * test the fix, rehearse again, decide whether the rollback is temporary or
 * permanent. So after a rollback, enabling needs a postmortem link, a passing
 * drill finished after the rollback (here, or on staging and sent here), and the cooldown (`REENABLE_COOLDOWN`)
 * run out; an eng-lead may override the three with a reason (audited and
 * announced). A permanent decision is not overridable: it closes the path
 * until someone reopens it (a `temporary` decision, with its reason).
 *
 * The aftermath belongs to one rollback: the flag's `rollback_at` names it,
 * and a record written for an earlier rollback does not count for a later one.
 * `gateView` is the pure policy (takes `now` and plain data); `ReenableGate`
 * reads and writes the controller's storage.
 */
import type { FlagRecord } from '../flag/flag-record.ts';
import type { FlagChange } from '../flag/flag-transition.ts';
import type { ControllerStore } from './controller-store.ts';
import type { DrillLedger, PassingDrill } from './drill-ledger.ts';
import type { Aftermath, RollbackDecision } from './meta-keys.ts';
import type { Outbox } from './outbox.ts';

export type { Aftermath, RollbackDecision };

/** One stable code per requirement: the 409's `missing[].code`, the console, the tests. */
export type GateRequirement = 'postmortem_missing' | 'drill_missing' | 'cooldown_running' | 'rollback_permanent';

/** What the override can lift: everything except a permanent decision. */
const OVERRIDABLE = { postmortem_missing: true, drill_missing: true, cooldown_running: true, rollback_permanent: false } as const satisfies Record<GateRequirement, boolean>;

export interface MissingRequirement {
  code: GateRequirement;
  message: string;
}

export interface GateView {
  /** True while Olympus is off after a rollback: enabling goes through the gate. */
  applies: boolean;
  rollback_at: string | null;
  decision: RollbackDecision | null;
  postmortem_url: string | null;
  /** The first passing drill finished after the rollback, if any (`elsewhere`: run on another gateway, e.g. staging, and sent here). */
  passing_drill: { seq: number; at: string; finished_at: string; environment: string | null; elsewhere: boolean } | null;
  cooldown_ends_at: string | null;
  missing: MissingRequirement[];
}

export interface GateFacts {
  flag: FlagRecord;
  /** The aftermath record as stored (it may be an earlier rollback's). */
  aftermath: Aftermath | undefined;
  /** Passing drills, any order. */
  passingDrills: readonly PassingDrill[];
  cooldownSeconds: number;
}

/** The gate at `now`: pure. */
export function gateView(f: GateFacts, now: number): GateView {
  const rollbackAt = !f.flag.enabled && f.flag.rollback_at ? f.flag.rollback_at : null;
  if (rollbackAt === null) return { applies: false, rollback_at: null, decision: null, postmortem_url: null, passing_drill: null, cooldown_ends_at: null, missing: [] };
  const mine = f.aftermath?.rollback_at === rollbackAt ? f.aftermath : undefined;
  const since = Date.parse(rollbackAt);
  // When it finished, not when it was recorded: a drill run before the rollback and sent afterwards (from staging) does not count.
  const drill = f.passingDrills.filter((d) => Date.parse(d.finished_at) > since).sort((a, b) => a.seq - b.seq)[0] ?? null;
  const endsAt = since + f.cooldownSeconds * 1000;
  const missing: MissingRequirement[] = [];
  if (mine?.decision?.kind === 'permanent') missing.push({ code: 'rollback_permanent', message: `the rollback was decided permanent by ${mine.decision.by}: ${mine.decision.why} (reopen it with POST /rollback/decision {"kind":"temporary","why":...})` });
  if (!mine?.postmortem) missing.push({ code: 'postmortem_missing', message: 'no postmortem link for this rollback (POST /rollback/postmortem {"url":...})' });
  if (!drill) missing.push({ code: 'drill_missing', message: `no passing drill finished since the rollback at ${rollbackAt} (npm run drill, or on staging: npm run drill -- --gateway <staging> --record-to <this gateway>)` });
  if (now < endsAt) missing.push({ code: 'cooldown_running', message: `the cooldown runs until ${new Date(endsAt).toISOString()} (REENABLE_COOLDOWN ${f.cooldownSeconds} s after the rollback)` });
  return {
    applies: true,
    rollback_at: rollbackAt,
    decision: mine?.decision ?? null,
    postmortem_url: mine?.postmortem?.url ?? null,
    passing_drill: drill ? { seq: drill.seq, at: drill.at, finished_at: drill.finished_at, environment: drill.environment, elsewhere: drill.elsewhere } : null,
    cooldown_ends_at: new Date(endsAt).toISOString(),
    missing,
  };
}

export type GateAdmission = { ok: true; overridden: MissingRequirement[] } | { ok: false; missing: MissingRequirement[]; overridable: boolean };

/** May `change` go through, given the gate and an eng-lead's override reason? Pure. */
export function admit(view: GateView, change: Pick<FlagChange, 'enabled'>, overrideReason: string | undefined): GateAdmission {
  if (!change.enabled || !view.applies || view.missing.length === 0) return { ok: true, overridden: [] };
  const hard = view.missing.filter((m) => !OVERRIDABLE[m.code]);
  if (hard.length || overrideReason === undefined) return { ok: false, missing: view.missing, overridable: hard.length === 0 };
  return { ok: true, overridden: view.missing };
}

export type DecisionResult = { ok: true; decision: RollbackDecision; reopened: boolean } | { ok: false; reason: string };

export class ReenableGate {
  constructor(
    private readonly store: ControllerStore,
    private readonly drills: DrillLedger,
    private readonly cooldownSeconds: () => number,
    private readonly flag: () => FlagRecord,
    private readonly outbox: Outbox,
  ) {}

  view(now: number): GateView {
    return gateView({ flag: this.flag(), aftermath: this.store.get('aftermath'), passingDrills: this.drills.passing(), cooldownSeconds: this.cooldownSeconds() }, now);
  }

  /**
   * Checks a flag change against the gate; an override that lifts something
   * is audited (`reenable.overridden`) and announced before the change is made.
   */
  admit(change: FlagChange, overrideReason: string | undefined, now: number): GateAdmission {
    const a = admit(this.view(now), change, overrideReason);
    if (a.ok && a.overridden.length) {
      const codes = a.overridden.map((m) => m.code);
      this.store.appendAudit('reenable.overridden', change.actor, { reason: overrideReason ?? '', overridden: codes, rollback_at: this.flag().rollback_at ?? null }, new Date(now));
      this.outbox.notify('reenable.overridden', { reason: `re-enable gate overridden (${codes.join(', ')}): ${overrideReason}`, actor: change.actor, dryRun: false, details: { overridden: codes } }, now);
    }
    return a;
  }

  /** Temporary or permanent, for the rollback in force; a temporary decision after a permanent one reopens the path. */
  decide(kind: RollbackDecision['kind'], why: string, actor: string, now: number): DecisionResult {
    const current = this.current();
    if (!current) return { ok: false, reason: 'Olympus is not off after a rollback: there is no rollback to decide on.' };
    const previous = current.decision;
    const decision: RollbackDecision = { kind, why, by: actor, at: new Date(now).toISOString() };
    this.store.set('aftermath', { ...current, decision });
    const reopened = previous?.kind === 'permanent' && kind === 'temporary';
    this.store.appendAudit(reopened ? 'rollback.reopened' : 'rollback.decision', actor, { kind, why, previous: previous?.kind ?? null, rollback_at: current.rollback_at }, new Date(now));
    this.outbox.notify('rollback.decided', { reason: reopened ? `the rollback is reopened (temporary): ${why}` : `the rollback is ${kind}: ${why}`, actor, dryRun: false, details: { kind, reopened } }, now);
    return { ok: true, decision, reopened };
  }

  /** Links the postmortem of the rollback in force (a later link replaces it; both are audited). */
  linkPostmortem(url: string, actor: string, now: number): { ok: true; url: string } | { ok: false; reason: string } {
    const current = this.current();
    if (!current) return { ok: false, reason: 'Olympus is not off after a rollback: there is no rollback to link a postmortem to.' };
    this.store.set('aftermath', { ...current, postmortem: { url, by: actor, at: new Date(now).toISOString() } });
    this.store.appendAudit('postmortem.linked', actor, { url, previous: current.postmortem?.url ?? null, rollback_at: current.rollback_at }, new Date(now));
    return { ok: true, url };
  }

  /** The aftermath of the rollback in force (a fresh one when the stored record is an earlier rollback's). */
  private current(): Aftermath | undefined {
    const flag = this.flag();
    if (flag.enabled || !flag.rollback_at) return undefined;
    const stored = this.store.get('aftermath');
    return stored?.rollback_at === flag.rollback_at ? stored : { rollback_at: flag.rollback_at };
  }
}

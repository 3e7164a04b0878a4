/**
 * MigrationController: the one Durable Object that owns the migration state.
 *
 * This class is the object's RPC surface and nothing else: every public
 * method is one the worker calls through the stub (TypeScript `private` is
 * still callable over RPC, so the parts are `#private` fields). The jobs are
 * modules, one each:
 *
 * - flag-authority.ts: the authoritative flag, rollbacks, KV write-through.
 * - ingest.ts: outcome batches into 10 s buckets, once per login and delivery.
 * - rule-loop.ts: evaluation, streaks (streak-step.ts), the decision to flip.
 * - outbox.ts: notifications, audited and delivered by the alarm.
 * - signup-ledger.ts: captured signups and the reconcile job.
 * - status-view.ts: /status (ControllerStatus) and /metrics; history.ts: the console's series;
 *   live-feed.ts: the console's server-sent events (one snapshot a tick for all).
 * - drill-ledger.ts: drill results (switchback drill).
 * - mirror-state.ts: `switchback mirror`'s heartbeats, its lag and silence.
 * - reenable-gate.ts: after a rollback, what re-enabling needs (postmortem, drill, cooldown, decision).
 * - rule-book.ts: the rules in force.
 *
 * A Durable Object runs one event at a time and the flip is a synchronous
 * storage write before any await: a breach flips to Auth0 exactly once.
 * Nothing ever flips back to Olympus on its own.
 */
import { LiveFeed } from './live-feed.ts';
import { DrillLedger, type DrillOrigin, type DrillRecord } from './drill-ledger.ts';
import { DrillMode, type DrillOutcome, type DrillModeState } from './drill-mode.ts';
import type { Evaluation } from './rule-evaluator.ts';
import { CourierWatch } from './courier-check.ts';
import { CommsDesk, type CommsPreview, type PublishResult } from './comms-desk.ts';
import { signupsCreatedBetween, type AffectedSignup } from './incident-reads.ts';
import { ReenableGate, type DecisionResult, type GateView, type MissingRequirement, type RollbackDecision } from './reenable-gate.ts';
import { PauseSwitch, type AutoRollbackPause } from './auto-rollback-pause.ts';
import { HISTORY_RETENTION_MINUTES, historyFromMinute, historySeries, type History, type HistoryRange } from './history.ts';
import { DurableObject } from 'cloudflare:workers';
import { configFromEnv, type AdminRole } from '../config.ts';
import type { Env } from '../env.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { FlagChange } from '../flag/flag-transition.ts';
import type { CapturedSignup } from '../reconcile/signup-record.ts';
import { ControllerStore, type AuditEntry } from './controller-store.ts';
import { DeliveryLedger, dedupeWindowMs, longestDeliveryWindowMs } from './delivery-ledger.ts';
import { DetectorFeed } from './detector-feed.ts';
import { FlagAuthority, type ManualRollbackResult } from './flag-authority.ts';
import { Ingest } from './ingest.ts';
import { LoginLedger } from './login-ledger.ts';
import type { OutcomeBatch } from './outcome-events.ts';
import { CONTROLLER_ACTOR, Outbox } from './outbox.ts';
import { RuleBook, type RulesSourceName } from './rule-book.ts';
import { RuleLoop } from './rule-loop.ts';
import { SequentialDetector } from './sequential-detector.ts';
import { splitPercent } from './split-comparison.ts';
import type { RulesConfig } from './rules.ts';
import { SignupLedger, type ReconcileProgress, type SignupFields } from './signup-ledger.ts';
import type { SignupRow } from './signup-store.ts';
import { StatusView, type ControllerStatus } from './status-view.ts';
import { MirrorState, type MirrorHeartbeat } from './mirror-state.ts';
import { bucketOf, BUCKET_SECONDS, windowStartBucket } from './window-aggregation.ts';

export type { ManualRollbackResult, RollbackResult } from './flag-authority.ts';
export type { ControllerStatus, RuleStatus } from './status-view.ts';

const RETENTION_BUCKETS = (25 * 3600) / BUCKET_SECONDS;

export class MigrationController extends DurableObject<Env> {
  readonly #store: ControllerStore;
  readonly #logins: LoginLedger;
  readonly #deliveries: DeliveryLedger;
  readonly #ruleBook: RuleBook;
  readonly #outbox: Outbox;
  readonly #signups: SignupLedger;
  readonly #flags: FlagAuthority;
  readonly #ingest: Ingest;
  readonly #loop: RuleLoop;
  readonly #feed: DetectorFeed;
  readonly #detector: SequentialDetector;
  readonly #view: StatusView;
  readonly #live: LiveFeed;
  readonly #drills: DrillLedger;
  readonly #pause: PauseSwitch;
  readonly #mirror: MirrorState;
  readonly #gate: ReenableGate;
  readonly #drillMode: DrillMode;
  readonly #comms: CommsDesk;
  readonly #courierWatch: CourierWatch;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = () => configFromEnv(env);
    const sql = ctx.storage.sql;
    this.#store = new ControllerStore(sql);
    this.#logins = new LoginLedger(sql);
    this.#deliveries = new DeliveryLedger(sql);
    this.#pause = new PauseSwitch(this.#store);
    this.#drills = new DrillLedger(sql);
    this.#ruleBook = new RuleBook(this.#store, config, () => this.#pause.current(Date.now()) !== undefined);
    this.#outbox = new Outbox(this.#store, env, config, () => this.#flags.current());
    this.#signups = new SignupLedger(sql, this.#store, env, config, this.#outbox);
    this.#flags = new FlagAuthority(this.#store, env, ctx.storage, this.#ruleBook, this.#outbox, this.#signups);
    this.#gate = new ReenableGate(this.#store, this.#drills, () => config().reenableCooldownSeconds, () => this.#flags.current(), this.#outbox);
    this.#drillMode = new DrillMode(this.#store);
    this.#comms = new CommsDesk(this.#store, sql, config);
    this.#courierWatch = new CourierWatch(this.#store, config, this.#outbox, () => this.#flags.current());
    this.#feed = new DetectorFeed(sql);
    this.#detector = new SequentialDetector(this.#store, this.#feed, this.#ruleBook, () => this.#flags.current().enabled, () => splitPercent(this.#flags.current()));
    this.#ingest = new Ingest(this.#store, this.#logins, this.#deliveries, this.#ruleBook, this.#detector, this.#feed);
    this.#loop = new RuleLoop(this.#store, this.#ruleBook, this.#flags, this.#outbox, this.#detector);
    this.#mirror = new MirrorState(this.#store, this.#signups.rows, this.#outbox, config);
    this.#view = new StatusView(this.#store, config, this.#ruleBook, this.#flags, this.#loop, this.#signups, () => this.#outbox.receivers(), (now) => this.#pause.current(now), (now) => ({
      reenable_gate: this.#gate.view(now),
      courier: { configured: config().courier, last_check: this.#courierWatch.last() },
    }), this.#mirror);
    this.#live = new LiveFeed(() => ({ status: this.#view.status(Date.now()), audit_head: this.#store.auditHead() }));
    void ctx.blockConcurrencyWhile(() => this.#flags.adoptFromKv());
  }

  // ------------------------------------------------------------ rules

  /** Rules in force: replaced through the admin API, else ROLLBACK_RULES, else the plan's defaults. */
  rules(): RulesConfig {
    return this.#ruleBook.written();
  }

  /** Automatic rollback acts as a dry run for `minutes` (at most a day); audited and announced. */
  async pauseAutomaticRollback(minutes: number, actor: string, reason: string): Promise<AutoRollbackPause> {
    const now = Date.now();
    const p = this.#pause.pause(minutes, actor, reason, now);
    this.#outbox.notify('rollback.paused', { reason: `automatic rollback paused until ${new Date(p.until).toISOString()}: ${reason}`, actor, dryRun: false }, now);
    // The alarm records the end of the pause on time, whatever else is scheduled.
    const next = await this.ctx.storage.getAlarm();
    if (next === null || next > p.until) await this.ctx.storage.setAlarm(Math.min(p.until, this.#store.nextOutboxAt() ?? p.until));
    this.#live.publish();
    return p;
  }

  /** Automatic rollback acts again; false when it was not paused. */
  resumeAutomaticRollback(actor: string, reason: string): { resumed: boolean } {
    const now = Date.now();
    const resumed = this.#pause.resume(actor, reason, now);
    if (resumed) this.#outbox.notify('rollback.resumed', { reason: `automatic rollback resumed: ${reason}`, actor, dryRun: false }, now);
    this.#live.publish();
    return { resumed };
  }

  rulesSource(): { source: RulesSourceName; text: string } {
    return this.#ruleBook.source();
  }

  /** Validates and stores new rules; throws RulesError with the entry at fault. */
  setRules(text: string, actor: string): RulesConfig {
    return this.#ruleBook.replace(text, actor);
  }

  // ------------------------------------------------------------- flag

  getFlag(): FlagRecord {
    return this.#flags.current();
  }

  /** A manual decision (the plan's `manual_decision_by`). */
  async manualRollback(actor: string, role: AdminRole, reason: string): Promise<ManualRollbackResult> {
    const result = await this.#flags.manualRollback(actor, role, reason);
    this.#live.publish();
    return result;
  }

  /**
   * Admin flag change. Disabling an enabled flag is a rollback; enabling is audited and never automatic.
   * After a rollback, enabling goes through the re-enable gate first (an eng-lead's `overrideReason` may lift it).
   */
  async setFlag(change: FlagChange, role: AdminRole, overrideReason?: string): Promise<{ previous: FlagRecord; current: FlagRecord } | { blocked: MissingRequirement[]; overridable: boolean }> {
    const gate = this.#gate.admit(change, role === 'eng-lead' ? overrideReason : undefined, Date.now());
    if (!gate.ok) return { blocked: gate.missing, overridable: gate.overridable };
    const result = await this.#flags.set(change, role);
    this.#live.publish();
    return result;
  }

  /** What re-enabling Olympus needs now (the re-enable gate). */
  reenableGate(): GateView {
    return this.#gate.view(Date.now());
  }

  /** Temporary or permanent, for the rollback in force (eng-lead), audited and announced. */
  decideRollback(kind: RollbackDecision['kind'], why: string, actor: string): DecisionResult {
    const r = this.#gate.decide(kind, why, actor, Date.now());
    this.#live.publish();
    return r;
  }

  /** Ids and states (no emails) of the Olympus signups created in [from, to], for the postmortem bundle. */
  signupsBetween(from: string, to: string): AffectedSignup[] {
    return signupsCreatedBetween(this.ctx.storage.sql, from, to);
  }

  /** The texts for users, oncall and the status page, filled from the latest rollback (a draft until published). */
  commsPreview(origin: string): CommsPreview {
    return this.#comms.preview(origin);
  }

  /** Creates the Statuspage incident of the latest rollback, at most once per rollback. */
  publishStatuspage(actor: string, origin: string): Promise<PublishResult> {
    return this.#comms.publish(actor, origin, Date.now());
  }

  /** The postmortem link of the rollback in force, audited. */
  linkPostmortem(url: string, actor: string): { ok: true; url: string } | { ok: false; reason: string } {
    const r = this.#gate.linkPostmortem(url, actor, Date.now());
    this.#live.publish();
    return r;
  }

  // ----------------------------------------------------------- ingest

  /** The callback's synchronous ask: true for the first callback of a login, false for a replay. */
  settleLogin(id: string): { first: boolean } {
    return { first: this.#logins.settle(id, Date.now()) };
  }

  async ingest(batch: OutcomeBatch): Promise<{ accepted: number }> {
    const now = Date.now();
    const accepted = this.#ingest.record(batch, now);
    const before = this.#flags.current().version;
    // Every batch: the detector's evidence is checked at once; the full evaluation on its cadence.
    await this.#loop.afterBatch(now);
    if (this.#flags.current().version !== before) this.#live.publish();
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + this.#ruleBook.rules().evaluateEverySeconds * 1000);
    return { accepted };
  }

  // ---------------------------------------------------------- signups

  /** Records a signup from the Olympus after-registration hook (idempotent). */
  captureSignup(s: CapturedSignup): { captured: boolean } {
    return this.#signups.capture(s);
  }

  /** For /login: is this (normalised) email an Olympus-only user? */
  isOlympusOnlyUser(email: string): boolean {
    return this.#signups.isOlympusOnlyUser(email);
  }

  pendingSignupIds(before: string): string[] {
    return this.#signups.rows.pendingIds(before);
  }

  signup(id: string): SignupRow | undefined {
    return this.#signups.rows.get(id);
  }

  updateSignup(id: string, fields: SignupFields): void {
    this.#signups.rows.update(id, fields);
  }

  reconcileProgress(runId: string, p: ReconcileProgress): void {
    this.#signups.progress(runId, p);
  }

  /** A heartbeat from `switchback mirror`: its numbers, and the signups it has mirrored. */
  async mirrorHeartbeat(hb: MirrorHeartbeat, actor: string): Promise<{ acknowledged: number; silence_seconds: number }> {
    const now = Date.now();
    const r = this.#mirror.heartbeat(hb, actor, now);
    // The alarm notices a silence on time.
    const due = this.#mirror.silenceDueAt();
    const next = await this.ctx.storage.getAlarm();
    if (due !== undefined && (next === null || next > due)) await this.ctx.storage.setAlarm(due);
    return r;
  }

  // ------------------------------------------------------------ reads

  status(): ControllerStatus {
    return this.#view.status(Date.now());
  }

  metrics(): string {
    return this.#view.metrics(Date.now());
  }

  /** Stores a drill's result (switchback drill), audited. */
  recordDrill(verdict: 'pass' | 'fail', reportJson: string, actor: string, origin: DrillOrigin): { seq: number; at: string; elsewhere: boolean } {
    const d = this.#drills.record(verdict, reportJson, actor, origin);
    this.#store.appendAudit('drill.recorded', actor, { seq: d.seq, verdict, environment: origin.environment, elsewhere: origin.elsewhere, finished_at: origin.finishedAt });
    this.#live.publish();
    return { seq: d.seq, at: d.at, elsewhere: d.elsewhere };
  }

  /** Drill mode on for `minutes` (eng-lead, audited): synthetic login outcomes accepted, counted apart. */
  enableDrillMode(minutes: number, actor: string, reason: string): DrillModeState {
    const s = this.#drillMode.enable(minutes, actor, reason, Date.now());
    this.#live.publish();
    return s;
  }

  endDrillMode(actor: string, reason: string): { ended: boolean } {
    return { ended: this.#drillMode.stop(actor, reason, Date.now()) };
  }

  /** Drill mode in force, else the last one (ended), else null. */
  drillMode(): { active: boolean; state: DrillModeState | null } {
    const now = Date.now();
    const active = this.#drillMode.current(now);
    return { active: !!active, state: active ?? this.#drillMode.last() ?? null };
  }

  /** Synthetic outcomes of a drill: refused unless drill mode is on; never counted in the real windows. */
  async drillOutcomes(batch: DrillOutcome[], actor: string): Promise<{ ok: false; reason: string } | { ok: true; state: DrillModeState; evaluation: Evaluation | null; rolledBack: boolean; refusedClients: number }> {
    const now = Date.now();
    const r = this.#drillMode.record(batch, this.#ruleBook.rules(), this.#flags.current().enabled, now);
    if (!r.ok) return r;
    let rolledBack = false;
    if (r.rollBack && r.evaluation) {
      const ev = r.evaluation;
      const res = await this.#flags.rollBack({ actor: CONTROLLER_ACTOR, reason: `drill: rule ${ev.rule} breached on drill traffic (drill mode enabled by ${r.state.by}; synthetic outcomes from ${actor})`, evaluation: ev });
      rolledBack = res.rolledBack;
      this.#live.publish();
    }
    return { ok: true, state: r.state, evaluation: r.evaluation, rolledBack, refusedClients: r.refusedClients };
  }

  /** The latest drills, newest first (each report as the JSON text the CLI sent). */
  drills(limit = 20): DrillRecord[] {
    return this.#drills.list(Math.max(1, Math.min(200, limit)));
  }

  /** The console's live feed (server-sent events); undefined when too many consoles are open. */
  liveEvents(): ReadableStream<Uint8Array> | undefined {
    return this.#live.subscribe();
  }

  /** Per-step totals of every signal over `range`, for the console's charts. */
  history(range: HistoryRange): History {
    const now = Date.now();
    return historySeries(this.#store.history(historyFromMinute(now, range)), now, range);
  }

  audit(limit = 100, beforeSeq?: number): AuditEntry[] {
    return this.#store.audit(Math.max(1, Math.min(500, limit)), beforeSeq);
  }

  /** Audits an admin change made outside the object (e.g. a client configuration version). */
  recordAdminChange(type: string, actor: string, data: Record<string, string | number | boolean | null>): void {
    this.#store.appendAudit(type, actor, data);
  }

  // ------------------------------------------------------------ alarm

  override async alarm(): Promise<void> {
    const now = Date.now();
    const rules = this.#ruleBook.rules();
    this.#ingest.sweepOverdue(this.#detector.session(now)).commit();
    this.#ingest.sweepAbandoned(now);
    this.#drillMode.current(now);
    if (this.#pause.expire(now)) this.#outbox.notify('rollback.resumed', { reason: 'automatic rollback resumed: the pause ran out', actor: 'switchback-controller', dryRun: false }, now);
    const before = this.#flags.current().version;
    if (this.#loop.due(now, 50)) await this.#loop.evaluate(now);
    else await this.#loop.afterBatch(now);
    if (this.#flags.current().version !== before) this.#live.publish();
    await this.#flags.retryWriteThrough();
    this.#mirror.checkSilence(now);
    await this.#outbox.deliver(now);
    // After a rollback, once (after its notifications went out): is the legacy provider's email delivery alive, must the courier move?
    await this.#courierWatch.afterRollback(now);
    this.#store.pruneSamples(bucketOf(now) - RETENTION_BUCKETS);
    this.#store.pruneHistory(Math.floor(now / 60_000) - HISTORY_RETENTION_MINUTES);
    this.#logins.prune(now);
    this.#feed.prune(now, windowStartBucket(now, Math.max(300, ...rules.rules.map((r) => r.windowSeconds))));
    this.#deliveries.prune(now, dedupeWindowMs(rules.rules), longestDeliveryWindowMs(rules.rules));
    const busy = this.#flags.current().enabled || this.#store.pendingCount() > 0 || this.#store.get('kv_dirty');
    const nextOutbox = this.#store.nextOutboxAt();
    const candidates = [busy ? now + rules.evaluateEverySeconds * 1000 : undefined, nextOutbox, this.#pause.current(now)?.until, this.#mirror.silenceDueAt()].filter((t): t is number => t !== undefined);
    if (candidates.length) await this.ctx.storage.setAlarm(Math.max(now + 100, Math.min(...candidates)));
  }
}

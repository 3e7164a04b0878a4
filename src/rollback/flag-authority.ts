/**
 * The authoritative flag: the one place it changes. A rollback (automatic
 * or manual) and an admin change are written synchronously to storage
 * before the first await, so concurrent detections produce one rollback;
 * then written through to KV (the read path of every isolate; a failed write
 * is retried by the alarm), audited and notified. Nothing here enables
 * Olympus on its own: only set(), an audited admin action, can.
 */
import type { AdminRole } from '../admin/admin-role.ts';
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import { FLAG_KEY, parseFlagRecord, SAFE_DEFAULT_FLAG, type FlagRecord } from '../flag/flag-record.ts';
import { nextFlag, type FlagChange } from '../flag/flag-transition.ts';
import type { ControllerStore } from './controller-store.ts';
import type { Outbox } from './outbox.ts';
import type { Evaluation } from './rule-evaluator.ts';
import type { RuleBook } from './rule-book.ts';
import type { SignupLedger } from './signup-ledger.ts';

export interface RollbackResult {
  rolledBack: boolean;
  flag: FlagRecord;
  reason?: string;
}

export type ManualRollbackResult = RollbackResult | { rolledBack: false; forbidden: string };

export interface RollbackCause {
  actor: string;
  reason: string;
  evaluation?: Evaluation;
  role?: AdminRole;
  clientConfigVersion?: number | undefined;
  /** A rollback that names percent sets it (the share a later enable goes to). */
  percent?: number | undefined;
}

export class FlagAuthority {
  constructor(
    private readonly store: ControllerStore,
    private readonly env: Env,
    private readonly storage: DurableObjectStorage,
    private readonly ruleBook: RuleBook,
    private readonly outbox: Outbox,
    private readonly signups: SignupLedger,
  ) {}

  /** First start: adopt the flag already in KV (a gateway that ran without the controller). */
  async adoptFromKv(): Promise<void> {
    if (this.store.get('flag')) return;
    const text = await this.env.SWITCHBACK_KV.get(FLAG_KEY, 'text').catch(() => null);
    this.store.set('flag', (text && parseFlagRecord(text)) || SAFE_DEFAULT_FLAG);
  }

  current(): FlagRecord {
    return this.store.get('flag') ?? SAFE_DEFAULT_FLAG;
  }

  /** Flips to Auth0, once: the new state is written before the first await. */
  async rollBack(cause: RollbackCause): Promise<RollbackResult> {
    const current = this.current();
    if (!current.enabled) return { rolledBack: false, flag: current, reason: 'already on Auth0' };
    const now = new Date();
    const next = nextFlag(current, { enabled: false, reason: cause.reason, actor: cause.actor, client_config_version: cause.clientConfigVersion, percent: cause.percent }, now);
    this.store.set('flag', next);
    this.store.set('streaks', {});
    this.store.set('detectors', {});
    const ev = cause.evaluation;
    this.store.appendAudit('rollback', cause.actor, {
      reason: cause.reason,
      role: cause.role ?? null,
      rule: ev?.rule ?? null,
      value: ev?.value ?? null,
      bound: ev?.bound ?? null,
      threshold: ev?.threshold ?? null,
      mode: ev?.mode ?? null,
      window: ev?.windowSeconds ?? null,
      samples: ev?.samples ?? null,
      clients: ev?.clients ?? null,
      evidence: ev?.detector ? { detector: ev.detector.leading.family, p1: ev.detector.leading.p1, s: ev.detector.leading.s, h: ev.detector.leading.h, ratio: ev.detector.ratio } : null,
      from_version: current.version,
      to_version: next.version,
      rollback_at: next.rollback_at,
    }, now);
    log('warn', { event: 'rollback', reason: ev ? 'rule_breached' : 'manual_decision', rule: ev?.rule, actor: cause.actor, version: next.version });
    this.outbox.notify('rollback.triggered', { reason: cause.reason, evaluation: ev, actor: cause.actor, dryRun: false }, now.getTime());
    await this.writeThrough(next);
    await this.signups.startReconcile(next);
    this.outbox.notify('rollback.completed', { reason: 'Rollback complete. Auth0 is primary again.', evaluation: ev, actor: cause.actor, dryRun: false }, Date.now());
    await this.storage.setAlarm(Date.now());
    return { rolledBack: true, flag: next };
  }

  /** A manual decision (the plan's `manual_decision_by`), reserved to the roles the rules name. */
  async manualRollback(actor: string, role: AdminRole, reason: string): Promise<ManualRollbackResult> {
    const allowed = this.ruleBook.rules().manualRoles;
    if (!allowed.includes(role)) return { rolledBack: false, forbidden: `manual rollback is reserved to ${allowed.join(', ') || 'nobody'} by the rules` };
    return this.rollBack({ actor, role, reason: `manual decision: ${reason}` });
  }

  /** Admin flag change. Disabling an enabled flag is a rollback; enabling is audited and never automatic. */
  async set(change: FlagChange, role: AdminRole): Promise<{ previous: FlagRecord; current: FlagRecord }> {
    const previous = this.current();
    if (previous.enabled && !change.enabled) {
      await this.rollBack({ actor: change.actor, role, reason: `manual decision: ${change.reason}`, clientConfigVersion: change.client_config_version, percent: change.percent });
      return { previous, current: this.current() };
    }
    const current = nextFlag(previous, change, new Date());
    this.store.set('flag', current);
    // The start of the migration window a reconcile covers: the first time Olympus was enabled.
    if (current.enabled && !this.store.get('migration_started_at')) this.store.set('migration_started_at', current.updated_at);
    this.store.set('streaks', {});
    this.store.appendAudit('flag.changed', change.actor, { role, from: previous, to: current });
    this.outbox.notify('flag.changed', { reason: change.reason, actor: change.actor, dryRun: false }, Date.now());
    await this.writeThrough(current);
    await this.storage.setAlarm(Date.now());
    return { previous, current };
  }

  /** The alarm's retry of a failed write-through. */
  async retryWriteThrough(): Promise<void> {
    if (this.store.get('kv_dirty')) await this.writeThrough(this.current());
  }

  private async writeThrough(flag: FlagRecord): Promise<void> {
    const json = JSON.stringify(flag);
    try {
      await this.env.SWITCHBACK_KV.put(`${FLAG_KEY}:v${flag.version}`, json);
      await this.env.SWITCHBACK_KV.put(FLAG_KEY, json);
      this.store.set('kv_dirty', false);
    } catch (err) {
      this.store.set('kv_dirty', true);
      log('error', { event: 'flag_write_through_failed', reason: 'kv_unwritable', error: String(err) });
    }
  }
}

/**
 * What the controller shows: /status (ControllerStatus, the admin API's
 * response type, shared with its clients) and /metrics (Prometheus text).
 * Reads only: every number a rule decides on, with its verdict and reason.
 */
import type { AdminRole, GatewayConfig } from '../config.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { ControllerStore } from './controller-store.ts';
import type { FlagAuthority } from './flag-authority.ts';
import type { AutoRollbackPause, ReconcileJob } from './meta-keys.ts';
import { prometheusText } from './prometheus.ts';
import type { RuleBook } from './rule-book.ts';
import type { RuleLoop, RuleStatus } from './rule-loop.ts';
import type { SignupLedger } from './signup-ledger.ts';
import type { MirrorState, MirrorStatus } from './mirror-state.ts';
import type { NotifyReceiver } from './outbox.ts';
import type { GateView } from './reenable-gate.ts';
import type { CourierCheck } from './meta-keys.ts';
import { windowStartBucket } from './window-aggregation.ts';

export type { RuleStatus };

/** Counts per provider and outcome (or result). */
export type ByProvider = Record<string, Record<string, number>>;

export interface ControllerStatus {
  flag: FlagRecord;
  issuers: { auth0: string; olympus: string };
  migration: { started_at: string | null; rollback_at: string | null };
  /** "auth0", "olympus" or "olympus for N% of browsers". */
  active_provider: string;
  /** True when the rules act as a dry run: written so, or automatic rollback paused. */
  dry_run: boolean;
  /** A pause of automatic rollback in force (then `dry_run` is true), or null. */
  automatic_rollback_paused: { until: string; by: string; reason: string } | null;
  /** The token overlap after the last rollback (null if none). */
  overlap: { rollback_at: string; ends_at: string; seconds_left: number } | null;
  rules: RuleStatus[];
  manual_decision_by: AdminRole[];
  evaluate_every_seconds: number;
  last_evaluated_at: string | null;
  last_5_minutes: { logins: ByProvider; api: ByProvider; failure_reasons: Record<string, number> };
  signups: { captured: number; since_migration_start: number; by_state: Record<string, number>; by_email_state: Record<string, number>; stranded_if_rolled_back_now: number };
  reconcile_job: ReconcileJob | null;
  /** `switchback mirror`: lag, backlog, last sweep (null until its first heartbeat). */
  mirror: MirrorStatus | null;
  pending_logins: number;
  events_lost_total: number;
  hook_deliveries_duplicate_total: number;
  notifications_pending: number;
  /** Where notifications go (`webhook`: NOTIFY_WEBHOOK_URL, `email`: ONCALL_EMAIL with NOTIFY_EMAIL_*); empty: nowhere. */
  notification_receivers: NotifyReceiver[];
  flag_write_through_pending: boolean;
  /** After a rollback: what re-enabling Olympus needs (reenable-gate.ts); `applies` false otherwise. */
  reenable_gate: GateView | null;
  /** Which system sends transactional email (COURIER) and the check made after the last rollback. */
  courier: { configured: 'olympus' | 'legacy'; last_check: CourierCheck | null };
}

const FUNNEL_SECONDS = 300;

export class StatusView {
  constructor(
    private readonly store: ControllerStore,
    private readonly config: () => GatewayConfig,
    private readonly ruleBook: RuleBook,
    private readonly flags: FlagAuthority,
    private readonly loop: RuleLoop,
    private readonly signups: SignupLedger,
    private readonly receivers: () => NotifyReceiver[],
    private readonly pause: (now: number) => AutoRollbackPause | undefined = () => undefined,
    private readonly aftermath: (now: number) => Pick<ControllerStatus, 'reenable_gate' | 'courier'> = () => ({ reenable_gate: null, courier: { configured: 'legacy', last_check: null } }),
    private readonly mirror?: MirrorState,
  ) {}

  /** The signups, with the stranded count taking the mirror's own count into account. */
  private signupSummary(): ControllerStatus['signups'] {
    const s = this.signups.summary();
    return this.mirror ? { ...s, stranded_if_rolled_back_now: this.mirror.stranded(s.stranded_if_rolled_back_now) } : s;
  }

  status(now: number): ControllerStatus {
    const flag = this.flags.current();
    const rules = this.ruleBook.rules();
    const cfg = this.config();
    const rolledBackAt = flag.rollback_at ?? undefined;
    const endsAt = rolledBackAt !== undefined ? Date.parse(rolledBackAt) + cfg.tokenOverlapSeconds * 1000 : undefined;
    const from = windowStartBucket(now, FUNNEL_SECONDS);
    const lastEvaluatedAt = this.loop.lastEvaluatedAt();
    const totals = this.store.get('totals') ?? {};
    return {
      flag,
      issuers: { auth0: cfg.providers.auth0.issuer, olympus: cfg.providers.olympus.issuer },
      migration: { started_at: this.store.get('migration_started_at') ?? null, rollback_at: flag.rollback_at ?? null },
      active_provider: flag.enabled ? (flag.percent !== undefined && flag.percent < 100 ? `olympus for ${flag.percent}% of browsers` : 'olympus') : 'auth0',
      dry_run: rules.dryRun,
      automatic_rollback_paused: ((p) => (p ? { until: new Date(p.until).toISOString(), by: p.by, reason: p.reason } : null))(this.pause(now)),
      overlap: rolledBackAt === undefined || endsAt === undefined ? null : { rollback_at: rolledBackAt, ends_at: new Date(endsAt).toISOString(), seconds_left: Math.max(0, Math.ceil((endsAt - now) / 1000)) },
      rules: this.loop.current(now),
      manual_decision_by: rules.manualRoles,
      evaluate_every_seconds: rules.evaluateEverySeconds,
      last_evaluated_at: lastEvaluatedAt ? new Date(lastEvaluatedAt).toISOString() : null,
      last_5_minutes: { logins: this.byProvider('login', from), api: this.byProvider('api', from), failure_reasons: this.failureReasons(from) },
      signups: this.signupSummary(),
      reconcile_job: this.store.get('reconcile_job') ?? null,
      mirror: this.mirror?.status(now) ?? null,
      pending_logins: this.store.pendingCount(),
      events_lost_total: totals.events_lost ?? 0,
      hook_deliveries_duplicate_total: totals.hook_deliveries_duplicate ?? 0,
      notifications_pending: this.store.outboxSize(),
      notification_receivers: this.receivers(),
      flag_write_through_pending: this.store.get('kv_dirty') ?? false,
      ...this.aftermath(now),
    };
  }

  metrics(now: number): string {
    const text = prometheusText({ flag: this.flags.current(), totals: this.store.get('totals') ?? {}, evaluations: this.loop.current(now), pendingLogins: this.store.pendingCount(), outbox: this.store.outboxSize() });
    return this.mirror ? text + this.mirror.metricsText(now, this.signupSummary().stranded_if_rolled_back_now) : text;
  }

  private byProvider(signal: string, from: number): ByProvider {
    const out: ByProvider = {};
    for (const t of this.store.totals(signal, from)) (out[t.provider] ??= {})[t.outcome] = t.n;
    return out;
  }

  private failureReasons(from: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.store.totals('login_failure_reason', from)) out[`${t.provider}:${t.outcome}`] = t.n;
    return out;
  }
}

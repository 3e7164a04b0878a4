/**
 * Every key of the controller's `meta(key, value)` table, declared once with
 * the type of its JSON value (docs/storage.md lists the same keys). The store
 * reads and writes only these keys, so a typo or a wrong value type is a
 * compile error instead of a cast that silently returns the wrong shape.
 */
import type { FlagRecord } from '../flag/flag-record.ts';
import type { HorizonState } from './sequential/callback-horizon.ts';
import type { DetectorState } from './sequential/detector-bank.ts';
import type { CohortWindow } from './split-comparison.ts';

/** The durable reconcile job's progress, as shown by /status. */
export interface ReconcileJob {
  run_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed_to_start';
  total?: number;
  done?: number;
  totals?: Record<string, number>;
  started_at?: string;
  updated_at?: string;
  error?: string;
}

/** Automatic rollback paused by a person until `until` (ms): the rules act as a dry run meanwhile. */
export interface AutoRollbackPause {
  at: number;
  until: number;
  by: string;
  reason: string;
}

/** What `switchback mirror` reports about itself: its snapshot, the heartbeat's body, the stored record. */
export interface MirrorReport {
  mirror_id: string;
  backlog: number;
  /** New signups not yet in the legacy provider (queued, or failed and waiting for the next sweep). */
  unmirrored_signups: number;
  oldest_unmirrored_created_at: string | null;
  last_sweep_at: string | null;
  last_sweep_seen: number;
  counts: {
    mirrored: number;
    with_password: number;
    without_password: number;
    skipped: number;
    failed: number;
    hooks_dropped: number;
    hooks: number;
    /** Users imported from the legacy provider who changed their password in Olympus (legacy-password.ts); absent from an older mirror. */
    legacy_password_changed?: number;
    /** Of them, those the legacy provider still holds with the OLD password: each gets one reset email from the reconcile at rollback. */
    old_password_if_rolled_back_now?: number;
  };
  /** Signup-to-mirrored lag of the users created since the mirror started (ms). */
  lag_ms: { p50: number; p99: number; max: number; n: number } | null;
}

/** The last heartbeat of `switchback mirror` (mirror-state.ts), without the ids it carried. */
export interface MirrorRecord extends MirrorReport {
  received_at: string;
  /** Set when the silence was noticed (and notified); null while it reports. */
  silent_since: string | null;
}

/** Temporary (fix and try again) or permanent (stay on the legacy provider), with why, who and when. */
export interface RollbackDecision {
  kind: 'temporary' | 'permanent';
  why: string;
  by: string;
  at: string;
}

/** What was decided and linked after one rollback (reenable-gate.ts); `rollback_at` names the rollback. */
export interface Aftermath {
  rollback_at: string;
  decision?: RollbackDecision;
  postmortem?: { url: string; by: string; at: string };
}

/** A drill mode (drill-mode.ts): synthetic login outcomes accepted until `until` (ms), counted here only. */
export interface DrillModeState {
  id: string;
  at: string;
  until: number;
  by: string;
  reason: string;
  /** Synthetic outcomes per synthetic client (at most 500 clients). */
  per_client: Record<string, { succeeded: number; failed: number }>;
  counters: { batches: number; succeeded: number; failed: number; clients: number };
  /** Consecutive breaching evaluations of the login rule on drill traffic. */
  streak: number;
  last_verdict: 'breach' | 'ok' | 'inconclusive' | null;
  /** When drill traffic made the controller roll back (ISO 8601), or null. */
  rolled_back_at: string | null;
  ended: { at: string; by: string; reason: string } | null;
}

/** The Statuspage incident of one rollback (comms-desk.ts): claimed, created, or failed. */
export interface StatuspageRecord {
  rollback_seq: number;
  state: 'publishing' | 'published' | 'failed';
  at: string;
  by: string;
  id?: string;
  shortlink?: string | null;
  error?: string;
}

/** The courier check after one rollback (courier-check.ts). */
export interface CourierCheck {
  rollback_at: string;
  at: string;
  courier: 'olympus' | 'legacy';
  state: 'checking' | 'checked';
  /**
   * `checked` false: the check could not run (no credentials, or a provider
   * that does not say: Clerk). `verdict` (courier-check.ts): ok, warning
   * (answers but will not carry it: Cognito's COGNITO_DEFAULT), failed, unknown.
   */
  legacy: { kind: string; checked: boolean; ok: boolean; verdict: 'ok' | 'warning' | 'failed' | 'unknown'; detail: string } | null;
  olympus: { ok: boolean; detail: string } | null;
  must_move: boolean;
}

export interface MetaKeys {
  /** The authoritative flag record (same format as KV). */
  flag: FlagRecord;
  /** Rules replaced through the admin API (YAML or JSON text). */
  rules_text: string;
  /** Each rule's verdict at the last evaluation while Olympus was on (a change is audited as rule.verdict). */
  rule_verdicts: Record<string, 'breach' | 'ok' | 'inconclusive'>;
  /** Consecutive breaching evaluations per rule id. */
  streaks: Record<string, number>;
  /** When each rule last breached (ms): a held streak expires one window after it. */
  streak_breach_at: Record<string, number>;
  /** The sequential detector's charts per rule id (sequential-detector.ts); empty after a rollback. */
  detectors: Record<string, DetectorState>;
  /** Capped samples in each detector rule's window at the last evaluation: sets h and the attack floor. */
  detector_window_samples: Record<string, number>;
  /** Capped outcomes of both cohorts in each compare_cohorts detector rule's window at the last evaluation: the split comparison's null, h and attack floor. */
  cohort_windows: Record<string, CohortWindow>;
  /** Time-to-callback histogram and timely/overdue counts per provider, decaying (callback-horizon.ts). */
  callback_horizon: Record<string, HorizonState>;
  /** Per provider: pending logins started before this (ms) have been observed as overdue. */
  overdue_swept_until: Record<string, number>;
  /** When the rules were last evaluated (ms). */
  last_evaluated_at: number;
  /** Cumulative counters for /metrics (login_<provider>_<outcome>, api_..., tickets, events_lost, ...). */
  totals: Record<string, number>;
  /** A flag write-through to KV still to retry. */
  kv_dirty: boolean;
  /** The first time Olympus was enabled (ISO 8601): the start of the window a reconcile covers. */
  migration_started_at: string;
  /** A pause of automatic rollback (null once resumed or expired). */
  auto_rollback_pause: AutoRollbackPause | null;
  /** The mirror's last heartbeat (mirror-state.ts). */
  mirror: MirrorRecord;
  /** The aftermath of the last rollback: decision and postmortem link (the re-enable gate). */
  aftermath: Aftermath;
  /** Drill mode in force (null when off or ended). */
  drill_mode: DrillModeState | null;
  /** The last drill mode, with its counters, after it ended too (GET /drill-mode, the drill's report). */
  drill_mode_last: DrillModeState;
  /** Statuspage incidents by rollback audit seq (the last 20): one per rollback. */
  statuspage_incidents: Record<string, StatuspageRecord>;
  /** The courier check of the last rollback (claimed before its calls, so once per rollback). */
  courier_check: CourierCheck;
  /** The reconcile job started by the last rollback. */
  reconcile_job: ReconcileJob;
  /** Last "looks breached but inconclusive" notice per rule (ms), at most one per window. */
  [inconclusive: `inconclusive_notice:${string}`]: number;
  /** Last dry-run "would roll back" notice per rule (ms), at most one per window. */
  [dryRun: `dry_run_notice:${string}`]: number;
}

export type MetaKey = keyof MetaKeys;

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

/** The last heartbeat of `switchback mirror` (mirror-state.ts), without the ids it carried. */
export interface MirrorRecord {
  mirror_id: string;
  backlog: number;
  unmirrored_signups: number;
  oldest_unmirrored_created_at: string | null;
  last_sweep_at: string | null;
  last_sweep_seen: number;
  counts: { mirrored: number; with_password: number; without_password: number; skipped: number; failed: number; hooks_dropped: number; hooks: number };
  lag_ms: { p50: number; p99: number; max: number; n: number } | null;
  received_at: string;
  /** Set when the silence was noticed (and notified); null while it reports. */
  silent_since: string | null;
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
  /** The reconcile job started by the last rollback. */
  reconcile_job: ReconcileJob;
  /** Last "looks breached but inconclusive" notice per rule (ms), at most one per window. */
  [inconclusive: `inconclusive_notice:${string}`]: number;
  /** Last dry-run "would roll back" notice per rule (ms), at most one per window. */
  [dryRun: `dry_run_notice:${string}`]: number;
}

export type MetaKey = keyof MetaKeys;

/**
 * What the controller knows of `switchback mirror` (src/mirror/): its last
 * heartbeat (meta key `mirror`), which captured signups it has brought to the
 * legacy provider (their rows become `mirrored`, or `mirrored_reset` when no
 * password came along: the rollback's reconcile then only sends that reset
 * email), and what /status and /metrics show: the mirror's lag (the age of
 * the oldest signup not yet mirrored), backlog, last sweep, and
 * `stranded_if_rolled_back_now` computed from both the edge's captured
 * signups and the mirror's own count (each is a lower bound: the larger one
 * is shown). A mirror silent for MIRROR_SILENCE_SECONDS raises one
 * `mirror.silent` notification, and `mirror.resumed` when it is heard again.
 */
import type { GatewayConfig } from '../config.ts';
import type { ControllerStore } from './controller-store.ts';
import type { MirrorRecord, MirrorReport } from './meta-keys.ts';
import type { Outbox } from './outbox.ts';
import type { SignupStore } from './signup-store.ts';

/** What `switchback mirror` sends (POST /_switchback/api/mirror/heartbeat, src/routes/admin-mirror.ts). */
export interface MirrorHeartbeat extends MirrorReport {
  /** Identities mirrored since the last heartbeat, with their password (their signups stop counting as stranded). */
  mirrored_with_password: string[];
  mirrored_without_password: string[];
  /**
   * Signups whose email an account of the legacy provider already held before
   * the signup, one switchback did not create (the mirror found it and left it
   * alone): their rows become `exists`, like the reconcile's, so /login no
   * longer sends that email to Olympus as an Olympus-only user. Absent from
   * older mirrors.
   */
  legacy_owned?: string[];
}

export interface MirrorStatus {
  mirror_id: string;
  last_heartbeat_at: string;
  seconds_since_heartbeat: number;
  /** No heartbeat for MIRROR_SILENCE_SECONDS: its numbers are stale. */
  silent: boolean;
  silence_seconds: number;
  /** Age of the oldest signup not yet in the legacy provider (0: none), edge and mirror combined. */
  lag_seconds: number;
  oldest_unmirrored_created_at: string | null;
  backlog: number;
  unmirrored_signups: number;
  last_sweep_at: string | null;
  last_sweep_seen: number;
  counts: MirrorHeartbeat['counts'];
  /** Signup-to-mirrored lag over the mirror's life (ms). */
  lag_ms: MirrorHeartbeat['lag_ms'];
}

const ACTOR = 'switchback-mirror';

export class MirrorState {
  constructor(
    private readonly store: ControllerStore,
    private readonly signups: SignupStore,
    private readonly outbox: Outbox,
    private readonly config: () => GatewayConfig,
  ) {}

  /** Records a heartbeat; returns the ids it recorded (the mirror stops resending them). */
  heartbeat(hb: MirrorHeartbeat, actor: string, now: number): { acknowledged: number; silence_seconds: number } {
    const before = this.store.get('mirror');
    const { mirrored_with_password: kept, mirrored_without_password: reset, legacy_owned: owned = [], ...rest } = hb;
    for (const id of kept) this.signups.markMirrored(id, 'kept');
    for (const id of reset) this.signups.markMirrored(id, 'reset');
    const held = owned.filter((id) => this.signups.markLegacyOwned(id));
    // Someone signed up in Olympus with an address a legacy account holds: the same person twice, or someone else's
    // address (no verification needed to sign up). Either way the legacy account keeps its sign-ins; the audit names the ids.
    if (held.length) this.store.appendAudit('signup.legacy_owned', actor, { mirror_id: hb.mirror_id, ids: held });
    const record: MirrorRecord = { ...rest, received_at: new Date(now).toISOString(), silent_since: null };
    this.store.set('mirror', record);
    if (!before) this.store.appendAudit('mirror.first_heartbeat', actor, { mirror_id: hb.mirror_id });
    else if (before.silent_since) this.outbox.notify('mirror.resumed', { reason: `the mirror ${hb.mirror_id} reports again (silent since ${before.silent_since}); backlog ${hb.backlog}`, actor: ACTOR, dryRun: false }, now);
    return { acknowledged: kept.length + reset.length + owned.length, silence_seconds: this.config().mirrorSilenceSeconds };
  }

  /** From the alarm: one notification when the mirror falls silent. */
  checkSilence(now: number): void {
    const m = this.store.get('mirror');
    if (!m || m.silent_since) return;
    const silence = this.config().mirrorSilenceSeconds;
    if (now - Date.parse(m.received_at) < silence * 1000) return;
    this.store.set('mirror', { ...m, silent_since: new Date(now).toISOString() });
    const stranded = Math.max(this.signups.counts(null).by_state.pending ?? 0, m.unmirrored_signups);
    this.outbox.notify('mirror.silent', { reason: `no heartbeat from the mirror ${m.mirror_id} for ${silence} s (last ${m.received_at}): signups are no longer copied to the legacy provider; a rollback now would strand at least ${stranded}`, actor: ACTOR, dryRun: false, details: { mirror_id: m.mirror_id, last_heartbeat_at: m.received_at, silence_seconds: silence } }, now);
  }

  /** The soonest the alarm must run to notice a silence (ms), when a mirror has reported. */
  silenceDueAt(): number | undefined {
    const m = this.store.get('mirror');
    if (!m || m.silent_since) return undefined;
    return Date.parse(m.received_at) + this.config().mirrorSilenceSeconds * 1000;
  }

  /** Who a rollback would strand now: the larger of the edge's pending signups and the mirror's count. */
  stranded(edgePending: number): number {
    const m = this.store.get('mirror');
    return Math.max(edgePending, m?.unmirrored_signups ?? 0);
  }

  status(now: number): MirrorStatus | null {
    const m = this.store.get('mirror');
    if (!m) return null;
    const silence = this.config().mirrorSilenceSeconds;
    const since = Math.max(0, Math.floor((now - Date.parse(m.received_at)) / 1000));
    const edgeOldest = this.signups.oldestPendingCreatedAt();
    const oldest = [edgeOldest, m.oldest_unmirrored_created_at].filter((t): t is string => t !== null).sort()[0] ?? null;
    return {
      mirror_id: m.mirror_id,
      last_heartbeat_at: m.received_at,
      seconds_since_heartbeat: since,
      silent: since >= silence,
      silence_seconds: silence,
      lag_seconds: oldest ? Math.max(0, Math.floor((now - Date.parse(oldest)) / 1000)) : 0,
      oldest_unmirrored_created_at: oldest,
      backlog: m.backlog,
      unmirrored_signups: m.unmirrored_signups,
      last_sweep_at: m.last_sweep_at,
      last_sweep_seen: m.last_sweep_seen,
      counts: m.counts,
      lag_ms: m.lag_ms,
    };
  }

  /** Prometheus lines (help and type included); empty before the first heartbeat. */
  metricsText(now: number, stranded: number): string {
    const s = this.status(now);
    const out: string[] = [];
    const g = (name: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...lines);
    g('switchback_stranded_if_rolled_back_now', 'Users a rollback would strand right now (signed up in Olympus, not yet in the legacy provider).', [`switchback_stranded_if_rolled_back_now ${stranded}`]);
    if (!s) return `${out.join('\n')}\n`;
    g('switchback_mirror_up', '1 while the mirror has sent a heartbeat within MIRROR_SILENCE_SECONDS.', [`switchback_mirror_up ${s.silent ? 0 : 1}`]);
    g('switchback_mirror_lag_seconds', 'Age of the oldest signup not yet mirrored to the legacy provider (0: none).', [`switchback_mirror_lag_seconds ${s.lag_seconds}`]);
    g('switchback_mirror_backlog', 'Identities waiting in the mirror (new signups and changes).', [`switchback_mirror_backlog ${s.backlog}`]);
    g('switchback_mirror_last_sweep_timestamp_seconds', 'When the mirror last finished a sweep of GET /admin/identities (0: never).', [`switchback_mirror_last_sweep_timestamp_seconds ${s.last_sweep_at ? Date.parse(s.last_sweep_at) / 1000 : 0}`]);
    g('switchback_mirror_last_heartbeat_timestamp_seconds', 'When the controller last heard from the mirror.', [`switchback_mirror_last_heartbeat_timestamp_seconds ${Date.parse(s.last_heartbeat_at) / 1000}`]);
    g('switchback_mirror_users', 'Identities the mirror has handled, by outcome.', (['with_password', 'without_password', 'skipped', 'failed'] as const).map((k) => `switchback_mirror_users{outcome="${k}"} ${s.counts[k]}`));
    g('switchback_old_password_if_rolled_back_now', 'Users imported from the legacy provider who changed their password in Olympus, and whom the legacy provider still holds with the old one (one reset email each at rollback).', [`switchback_old_password_if_rolled_back_now ${s.counts.old_password_if_rolled_back_now ?? 0}`]);
    return `${out.join('\n')}\n`;
  }
}

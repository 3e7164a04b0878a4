/**
 * Pausing automatic rollback: for a stated reason and a bounded time, the
 * rules keep measuring and notifying but act as a dry run (a planned
 * maintenance of the app that would look like an outage, a known-bad hour).
 * It ends by itself at `until`, or earlier when someone resumes; both ends
 * are audited and announced. A manual rollback is never paused.
 *
 * Pausing is an eng-lead decision (it switches a safety off); resuming is
 * oncall's too (it switches it back on). The longest pause is a day: a
 * forgotten pause must not disable the safety for the rest of the migration.
 */
import type { ControllerStore } from './controller-store.ts';
import type { AutoRollbackPause } from './meta-keys.ts';

export type { AutoRollbackPause };

export const MAX_PAUSE_MINUTES = 24 * 60;

export class PauseSwitch {
  constructor(private readonly store: ControllerStore) {}

  /** The pause in force at `now`, if any. */
  current(now: number): AutoRollbackPause | undefined {
    const p = this.store.get('auto_rollback_pause');
    return p && p.until > now ? p : undefined;
  }

  pause(minutes: number, actor: string, reason: string, now: number): AutoRollbackPause {
    const p: AutoRollbackPause = { at: now, until: now + Math.min(MAX_PAUSE_MINUTES, Math.max(1, Math.floor(minutes))) * 60_000, by: actor, reason };
    this.store.set('auto_rollback_pause', p);
    this.store.appendAudit('automatic_rollback.paused', actor, { until: new Date(p.until).toISOString(), minutes: Math.round((p.until - now) / 60_000), reason });
    return p;
  }

  /** Ends a pause now; false when none was in force. */
  resume(actor: string, reason: string, now: number): boolean {
    const p = this.current(now);
    this.store.set('auto_rollback_pause', null);
    if (!p) return false;
    this.store.appendAudit('automatic_rollback.resumed', actor, { reason, paused_by: p.by });
    return true;
  }

  /** Records a pause that ran out (the alarm calls this): once, then the key is cleared. */
  expire(now: number): AutoRollbackPause | undefined {
    const p = this.store.get('auto_rollback_pause');
    if (!p || p.until > now) return undefined;
    this.store.set('auto_rollback_pause', null);
    this.store.appendAudit('automatic_rollback.resumed', 'switchback-controller', { reason: 'the pause ran out', paused_by: p.by });
    return p;
  }
}

/**
 * One flag change, as a pure transition: version + 1, who and why, and
 * `rollback_at` when the flag goes from enabled to disabled (the start of the
 * token overlap). The controller object applies it (it is the single writer;
 * KV has no compare-and-swap).
 *
 * What a change does not name, it keeps: `percent` (so a rollback and a
 * later re-enable, or an enable that only changes the reason, leave the
 * split where it was; send `"percent": 100` for everyone) and
 * `client_config_version`. Free text is clipped to the record's limits
 * (the audit keeps it whole), so no accepted admin input can fail here.
 */
import { clipText } from '../core/clip.ts';
import { FLAG_TEXT_LIMITS, FlagRecordSchema, type FlagRecord } from './flag-record.ts';

export interface FlagChange {
  enabled: boolean;
  percent?: number | undefined;
  reason: string;
  actor: string;
  client_config_version?: number | undefined;
}

export function nextFlag(current: FlagRecord, change: FlagChange, now: Date): FlagRecord {
  const rollingBack = current.enabled && !change.enabled;
  const next: FlagRecord = {
    enabled: change.enabled,
    version: current.version + 1,
    updated_at: now.toISOString(),
    updated_by: clipText(change.actor, FLAG_TEXT_LIMITS.updated_by) || 'unknown',
    reason: clipText(change.reason, FLAG_TEXT_LIMITS.reason),
    rollback_at: rollingBack ? now.toISOString() : change.enabled ? null : (current.rollback_at ?? null),
  };
  const percent = change.percent ?? current.percent;
  if (percent !== undefined) next.percent = percent;
  const cfg = change.client_config_version ?? current.client_config_version;
  if (cfg !== undefined) next.client_config_version = cfg;
  return FlagRecordSchema.parse(next);
}

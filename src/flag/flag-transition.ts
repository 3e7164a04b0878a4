/**
 * One flag change, as a pure transition: version + 1, who and why, and
 * `rollback_at` when the flag goes from enabled to disabled (the start of the
 * token overlap). The controller object applies it (it is the single writer;
 * KV has no compare-and-swap).
 */
import { FlagRecordSchema, type FlagRecord } from './flag-record.ts';

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
    updated_by: change.actor,
    reason: change.reason,
    rollback_at: rollingBack ? now.toISOString() : change.enabled ? null : (current.rollback_at ?? null),
  };
  if (change.percent !== undefined) next.percent = change.percent;
  const cfg = change.client_config_version ?? current.client_config_version;
  if (cfg !== undefined) next.client_config_version = cfg;
  return FlagRecordSchema.parse(next);
}

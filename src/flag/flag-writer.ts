/**
 * Changes the flag: version + 1, who and why, and `rollback_at` when it goes
 * from enabled to disabled (the start of the token overlap). Each version is
 * also kept under `olympus_auth:v<N>` so the history can be read and reverted.
 *
 * KV has no compare-and-swap: two writers at once can both win. The rollback
 * controller (a Durable Object) is the single writer in production; this path
 * serves the admin API and the embedded default.
 */
import { FLAG_KEY, FlagRecordSchema, parseFlagRecord, SAFE_DEFAULT_FLAG, type FlagRecord } from './flag-record.ts';
import { invalidateFlagCache } from './flag-store.ts';

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

export async function writeFlag(kv: KVNamespace, change: FlagChange, now = new Date()): Promise<{ previous: FlagRecord; current: FlagRecord }> {
  const text = await kv.get(FLAG_KEY, 'text');
  const previous = (text && parseFlagRecord(text)) || SAFE_DEFAULT_FLAG;
  const current = nextFlag(previous, change, now);
  const json = JSON.stringify(current);
  await kv.put(`${FLAG_KEY}:v${current.version}`, json);
  await kv.put(FLAG_KEY, json);
  invalidateFlagCache();
  return { previous, current };
}

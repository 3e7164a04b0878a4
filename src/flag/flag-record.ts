/**
 * The `olympus_auth` flag as stored in KV (format in docs/storage.md).
 * A value that fails this schema is treated exactly like an unreadable KV.
 */
import * as z from '../core/schema.ts';

export const FLAG_KEY = 'olympus_auth';

/** Limits of the free-text fields; writers clip to them (src/core/clip.ts). */
export const FLAG_TEXT_LIMITS = { updated_by: 200, reason: 1000 } as const;

export const FlagRecordSchema = z.strictObject({
  enabled: z.boolean(),
  /** Share of browsers (sticky cohort) sent to Olympus while enabled; absent means all. */
  percent: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  version: z.int().check(z.minimum(0)),
  updated_at: z.iso.datetime(),
  updated_by: z.string().check(z.minLength(1), z.maxLength(FLAG_TEXT_LIMITS.updated_by)),
  reason: z.string().check(z.maxLength(FLAG_TEXT_LIMITS.reason)),
  /** Set when the flag goes from enabled to disabled: the start of the token overlap. */
  rollback_at: z.optional(z.nullable(z.iso.datetime())),
  /** Client configuration version that goes with this flag state (see client-config). */
  client_config_version: z.optional(z.int().check(z.minimum(0))),
});

export type FlagRecord = z.Infer<typeof FlagRecordSchema>;

/** What a missing flag means: Auth0, the safe side. */
export const SAFE_DEFAULT_FLAG: FlagRecord = Object.freeze({
  enabled: false,
  version: 0,
  updated_at: '1970-01-01T00:00:00.000Z',
  updated_by: 'switchback-default',
  reason: 'no flag stored: Auth0 is the safe default',
  rollback_at: null,
}) as FlagRecord;

export function parseFlagRecord(text: string): FlagRecord | undefined {
  try {
    const r = FlagRecordSchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

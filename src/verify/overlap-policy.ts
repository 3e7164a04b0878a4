/**
 * How long Olympus credentials stay valid. Pure: flag, clock and credential
 * expiry in, a decision out.
 *
 * While the flag is enabled, Olympus tokens and sessions are accepted. After a
 * rollback at time T they are accepted until the earlier of their own expiry
 * and T + TOKEN_OVERLAP_SECONDS; after that they get `session_expired`.
 * Olympus's tokens live 1 h and refresh tokens 30 days, so this cut, not their
 * expiry, is what ends them. With no recorded rollback and the flag off (never
 * enabled, or KV unreadable on a cold isolate) Olympus credentials are
 * refused: fail closed on identity, toward Auth0.
 */
import type { FlagRecord } from '../flag/flag-record.ts';

export type OverlapDecision = { accept: true; until: number } | { accept: false; endedAt: number | undefined };

/** `now` and the returned times are Unix seconds. */
export function olympusOverlap(flag: Pick<FlagRecord, 'enabled' | 'rollback_at'>, overlapSeconds: number, credentialExpiresAt: number, now: number): OverlapDecision {
  if (flag.enabled) return { accept: true, until: credentialExpiresAt };
  if (!flag.rollback_at) return { accept: false, endedAt: undefined };
  const cutoff = Math.floor(Date.parse(flag.rollback_at) / 1000) + overlapSeconds;
  const until = Math.min(credentialExpiresAt, cutoff);
  return now < cutoff ? { accept: true, until } : { accept: false, endedAt: cutoff };
}

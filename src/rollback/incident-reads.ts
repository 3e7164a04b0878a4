/**
 * Reads for the postmortem bundle (`switchback postmortem`): who an incident
 * touched, as ids and states only. The signups table holds emails and
 * Kratos identities; a postmortem needs neither, so this query never selects
 * them (the bundle is shared more widely than the admin API).
 */
export interface AffectedSignup {
  id: string;
  created_at: string;
  state: string;
  email_state: string;
}

export const MAX_AFFECTED_IDS = 5000;

/** Olympus signups created in [from, to] (ISO 8601), oldest first, at most MAX_AFFECTED_IDS. */
export function signupsCreatedBetween(sql: SqlStorage, from: string, to: string): AffectedSignup[] {
  return sql
    .exec<{ id: string; created_at: string; state: string; email_state: string }>(
      'SELECT id, created_at, state, email_state FROM signups WHERE created_at >= ? AND created_at <= ? ORDER BY created_at LIMIT ?',
      from, to, MAX_AFFECTED_IDS,
    )
    .toArray();
}

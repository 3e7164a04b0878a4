/**
 * Signups captured at the edge (table `signups`, schema v1), and where each
 * stands in the reconcile: pending, created in Auth0, already there, skipped,
 * failed; and whether its reset email was sent (at most once: `sending` is
 * written before the send, so an interrupted send is never repeated).
 */
import type { CapturedSignup } from '../reconcile/signup-record.ts';

/**
 * `mirrored`: `switchback mirror` brought it to the legacy provider with its password (nothing to do at
 * rollback); `mirrored_reset`: brought without one (a rollback's reconcile sends its one reset email).
 */
export type SignupState = 'pending' | 'created' | 'exists' | 'skipped' | 'failed' | 'mirrored' | 'mirrored_reset';
export type EmailState = 'none' | 'sending' | 'sent' | 'skipped_courier' | 'failed';

export interface SignupRow {
  id: string;
  email: string | null;
  created_at: string;
  identity: string;
  state: SignupState;
  email_state: EmailState;
  auth0_user_id: string | null;
  detail: string | null;
}

export class SignupStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS signups (
      id TEXT PRIMARY KEY, email TEXT, created_at TEXT NOT NULL, identity TEXT NOT NULL, captured_at TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending', email_state TEXT NOT NULL DEFAULT 'none', auth0_user_id TEXT, detail TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS signups_by_created ON signups (created_at);
    CREATE INDEX IF NOT EXISTS signups_by_email ON signups (email);`);
  }

  /** Idempotent: Kratos retries web hooks. */
  capture(s: CapturedSignup, now = new Date()): boolean {
    return this.sql.exec('INSERT OR IGNORE INTO signups (id, email, created_at, identity, captured_at) VALUES (?, ?, ?, ?, ?)', s.id, s.email, s.created_at, JSON.stringify(s.identity), now.toISOString()).rowsWritten > 0;
  }

  /**
   * Signed up in Olympus and not (yet) brought to Auth0: sending this person
   * to Auth0 would strand them. Imported-from-Auth0 identities (`skipped`) and
   * reconciled ones (`created`, `exists`) exist on both sides.
   */
  existsOnlyInOlympus(email: string): boolean {
    // mirrored_reset: in the legacy provider, but without a password it could sign in with.
    return this.sql.exec("SELECT 1 FROM signups WHERE email = ? AND state IN ('pending', 'failed', 'mirrored_reset') LIMIT 1", email).toArray().length > 0;
  }

  pendingIds(before: string, limit = 100_000): string[] {
    return this.sql.exec<{ id: string }>("SELECT id FROM signups WHERE state IN ('pending', 'mirrored_reset') AND created_at <= ? ORDER BY created_at, id LIMIT ?", before, limit).toArray().map((r) => r.id);
  }

  /** The mirror brought this signup to the legacy provider (only a signup no reconcile has settled yet). */
  markMirrored(id: string, password: 'kept' | 'reset'): void {
    this.sql.exec("UPDATE signups SET state = ?, detail = 'mirrored' WHERE id = ? AND state IN ('pending', 'mirrored_reset')", password === 'kept' ? 'mirrored' : 'mirrored_reset', id);
  }

  /**
   * The mirror found this signup's email held by a legacy account it did not
   * create: `exists` (as the reconcile records it), so it is no longer
   * Olympus-only and no reconcile picks it up. Only from a state that means
   * "not in the legacy provider yet"; true when the row changed.
   */
  markLegacyOwned(id: string): boolean {
    return this.sql.exec("UPDATE signups SET state = 'exists', detail = 'email held by a legacy account switchback did not create' WHERE id = ? AND state IN ('pending', 'failed')", id).rowsWritten > 0;
  }

  /** created_at of the oldest signup in no legacy provider yet, or null. */
  oldestPendingCreatedAt(): string | null {
    return this.sql.exec<{ t: string | null }>("SELECT MIN(created_at) AS t FROM signups WHERE state = 'pending'").one().t;
  }

  get(id: string): SignupRow | undefined {
    return this.sql.exec<Record<string, string | null>>('SELECT id, email, created_at, identity, state, email_state, auth0_user_id, detail FROM signups WHERE id = ?', id).toArray()[0] as SignupRow | undefined;
  }

  update(id: string, fields: Partial<Pick<SignupRow, 'state' | 'email_state' | 'auth0_user_id' | 'detail'>>): void {
    const cur = this.get(id);
    if (!cur) return;
    const next = { ...cur, ...fields };
    this.sql.exec('UPDATE signups SET state = ?, email_state = ?, auth0_user_id = ?, detail = ? WHERE id = ?', next.state, next.email_state, next.auth0_user_id, next.detail, id);
  }

  counts(since: string | null): { captured: number; since_migration_start: number; by_state: Record<string, number>; by_email_state: Record<string, number> } {
    const captured = this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM signups').one().c;
    const sinceStart = since ? this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM signups WHERE created_at >= ?', since).one().c : captured;
    const by_state: Record<string, number> = {};
    for (const r of this.sql.exec<{ state: string; c: number }>('SELECT state, COUNT(*) AS c FROM signups GROUP BY state')) by_state[r.state] = r.c;
    const by_email_state: Record<string, number> = {};
    for (const r of this.sql.exec<{ email_state: string; c: number }>('SELECT email_state, COUNT(*) AS c FROM signups GROUP BY email_state')) by_email_state[r.email_state] = r.c;
    return { captured, since_migration_start: sinceStart, by_state, by_email_state };
  }
}

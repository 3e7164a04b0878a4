/**
 * Login transactions that have come back: each one settles once.
 *
 * The sealed login cookie is valid for its whole TTL, so without this a
 * single /login could be replayed at /callback hundreds of times, each
 * replay counted as a failed login. The callback asks the controller to
 * settle the login id before it counts or redeems anything; only the first
 * asks wins. The row lives as long as the cookie could (LOGIN_TTL_SECONDS
 * after the settle), then is pruned.
 *
 * Settling does not depend on `login_started` having arrived: that event
 * travels through the buffered telemetry and may come after the callback. A
 * `login_started` for a settled id must not open a pending login (it would
 * later count as abandoned). And the controller's ingest counts at most one
 * `login_outcome` per id (`claimOutcome`), whatever the batches say.
 *
 * Table `settled_logins` (docs/storage.md). Synchronous SQLite calls: inside
 * the Durable Object two settles of one id cannot interleave.
 */
import { LOGIN_TTL_SECONDS } from '../oidc/login-transaction.ts';

const TTL_MS = LOGIN_TTL_SECONDS * 1000;
/** Login ids are short hex digests (loginId); anything else is refused, never stored. */
const MAX_ID_LENGTH = 128;

function validId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH;
}

export class LoginLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS settled_logins (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, outcome_counted INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS settled_by_expiry ON settled_logins (expires_at);
    `);
  }

  /** True for the first callback of this login id; false for every later one (a replay) and for an invalid id. */
  settle(id: unknown, now: number): boolean {
    if (!validId(id)) return false;
    return this.sql.exec('INSERT OR IGNORE INTO settled_logins (id, expires_at) VALUES (?, ?)', id, now + TTL_MS).rowsWritten > 0;
  }

  isSettled(id: string): boolean {
    return this.sql.exec('SELECT 1 FROM settled_logins WHERE id = ? LIMIT 1', id).toArray().length > 0;
  }

  /**
   * True the first time an outcome of this login id is counted. An outcome
   * with no settle before it (an isolate of an older version) settles it.
   */
  claimOutcome(id: string, now: number): boolean {
    if (!validId(id)) return false;
    return (
      this.sql.exec(
        'INSERT INTO settled_logins (id, expires_at, outcome_counted) VALUES (?, ?, 1) ON CONFLICT(id) DO UPDATE SET outcome_counted = 1 WHERE outcome_counted = 0',
        id, now + TTL_MS,
      ).rowsWritten > 0
    );
  }

  prune(now: number): void {
    this.sql.exec('DELETE FROM settled_logins WHERE expires_at < ?', now);
  }
}

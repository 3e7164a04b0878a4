/**
 * What each client may feed the sequential detector, and which clients are
 * known. Synchronous SQLite in the controller's storage (docs/storage.md).
 *
 * - `detector_feed`: observations each client fed a rule's detector, per
 *   10 s bucket. Before an observation goes in, the client's sum over the
 *   rule's window is checked: at most `max_per_client` observations and at
 *   most `badPerClient` bad ones per sliding window. One client (an address,
 *   an IPv6 /64) cannot push a chart further than that, whatever it sends.
 * - `known_clients`: clients that completed a login in the last 30 days.
 *   Only their started logins can become overdue or abandoned, so a
 *   prefetcher, a link previewer or a bot that hits /login and never comes
 *   back moves neither the rate nor the detector.
 */
const KNOWN_TTL_MS = 30 * 86400 * 1000;

export interface FeedLimits {
  fromBucket: number;
  maxPerClient: number;
  badPerClient: number;
}

export class DetectorFeed {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS detector_feed (rule TEXT NOT NULL, client TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL, bad INTEGER NOT NULL, PRIMARY KEY (rule, client, bucket)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS known_clients (client TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS known_by_expiry ON known_clients (expires_at);
    `);
  }

  /** How many of `n` observations (all bad or all good) this client may still feed `rule`; records them. */
  admit(rule: string, client: string, bad: boolean, n: number, bucket: number, limits: FeedLimits): number {
    const used = this.sql.exec<{ n: number | null; bad: number | null }>('SELECT SUM(n) AS n, SUM(bad) AS bad FROM detector_feed WHERE rule = ? AND client = ? AND bucket >= ?', rule, client, limits.fromBucket).one();
    let room = limits.maxPerClient - (used.n ?? 0);
    if (bad) room = Math.min(room, limits.badPerClient - (used.bad ?? 0));
    const take = Math.max(0, Math.min(n, room));
    if (take > 0) {
      this.sql.exec(
        'INSERT INTO detector_feed (rule, client, bucket, n, bad) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n, bad = bad + excluded.bad',
        rule, client, bucket, take, bad ? take : 0,
      );
    }
    return take;
  }

  remember(client: string, now: number): void {
    this.sql.exec('INSERT INTO known_clients (client, expires_at) VALUES (?, ?) ON CONFLICT(client) DO UPDATE SET expires_at = excluded.expires_at', client, now + KNOWN_TTL_MS);
  }

  known(client: string, now: number): boolean {
    return this.sql.exec('SELECT 1 FROM known_clients WHERE client = ? AND expires_at >= ? LIMIT 1', client, now).toArray().length > 0;
  }

  knownCount(now: number): number {
    return this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM known_clients WHERE expires_at >= ?', now).one().c;
  }

  prune(now: number, beforeBucket: number): void {
    this.sql.exec('DELETE FROM detector_feed WHERE bucket < ?', beforeBucket);
    this.sql.exec('DELETE FROM known_clients WHERE expires_at < ?', now);
  }
}

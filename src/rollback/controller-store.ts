/**
 * The controller's tables in its SQLite-backed Durable Object storage
 * (schema v1; documented in docs/storage.md). All calls are synchronous:
 * inside a Durable Object a read-modify-write here cannot interleave with
 * another request, which is what makes "exactly one rollback" hold.
 */
import { BUCKET_SECONDS, type ClientRow } from './window-aggregation.ts';

import type { AuditEntry } from './audit-entry.ts';
import type { MetaKey, MetaKeys } from './meta-keys.ts';

export type { AuditEntry };

/** One minute of one signal's outcome for one provider (no client dimension). */
export type HistoryRow = {
  minute: number;
  signal: string;
  provider: string;
  outcome: string;
  n: number;
};

export interface OutboxEntry {
  id: number;
  event: string;
  channel: 'webhook' | 'email';
  attempts: number;
  next_at: number;
}

export class ControllerStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS samples (
        bucket INTEGER NOT NULL, provider TEXT NOT NULL, signal TEXT NOT NULL, outcome TEXT NOT NULL, client TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (bucket, provider, signal, outcome, client)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS pending_logins (id TEXT PRIMARY KEY, provider TEXT NOT NULL, client TEXT NOT NULL, started_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS pending_by_time ON pending_logins (started_at);
      CREATE TABLE IF NOT EXISTS abandoned_logins (id TEXT PRIMARY KEY, provider TEXT NOT NULL, client TEXT NOT NULL, bucket INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, channel TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL);
    `);
    // Per-minute totals without the client dimension, for the console's charts (history.ts): written
    // with every count (summed over an ingest batch first, batchHistory), so reading 24 hours is 1,440
    // minutes of a few rows, never a scan of the buckets.
    sql.exec(`
      CREATE TABLE IF NOT EXISTS history_minutes (
        minute INTEGER NOT NULL, signal TEXT NOT NULL, provider TEXT NOT NULL, outcome TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (minute, signal, provider, outcome)
      ) WITHOUT ROWID;
    `);
  }

  /** A `meta` value, typed by its key (src/rollback/meta-keys.ts). */
  get<K extends MetaKey>(key: K): MetaKeys[K] | undefined {
    const row = this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    return row ? (JSON.parse(row.value) as MetaKeys[K]) : undefined;
  }

  set<K extends MetaKey>(key: K, value: MetaKeys[K]): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', key, JSON.stringify(value));
  }

  count(bucket: number, provider: string, signal: string, outcome: string, client: string, n: number): void {
    this.sql.exec(
      'INSERT INTO samples (bucket, provider, signal, outcome, client, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n',
      bucket, provider, signal, outcome, client, n,
    );
    this.countHistory(bucket, provider, signal, outcome, n);
  }

  /** A count for the console's per-minute history only (no rule reads it): a finer reading of an event than its window sample. */
  countHistory(bucket: number, provider: string, signal: string, outcome: string, n: number): void {
    const minute = Math.floor((bucket * BUCKET_SECONDS) / 60);
    if (this.#history) {
      const key = JSON.stringify([minute, signal, provider, outcome]);
      this.#history.set(key, (this.#history.get(key) ?? 0) + n);
    } else this.#addHistory(minute, signal, provider, outcome, n);
  }

  /**
   * Runs `body` with the per-minute history summed in memory and written once
   * per (minute, signal, provider, outcome) at its end: a batch of a thousand
   * events is a handful of history upserts, not a thousand. Synchronous, so
   * nothing else runs between the counts and the write.
   */
  batchHistory<T>(body: () => T): T {
    if (this.#history) return body();
    this.#history = new Map();
    try {
      return body();
    } finally {
      const sums = this.#history;
      this.#history = undefined;
      for (const [key, n] of sums) {
        const [minute, signal, provider, outcome] = JSON.parse(key) as [number, string, string, string];
        if (n !== 0) this.#addHistory(minute, signal, provider, outcome, n);
      }
    }
  }

  #history: Map<string, number> | undefined;

  #addHistory(minute: number, signal: string, provider: string, outcome: string, n: number): void {
    this.sql.exec(
      'INSERT INTO history_minutes (minute, signal, provider, outcome, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n',
      minute, signal, provider, outcome, n,
    );
  }

  /** Per-minute totals from `fromMinute` (minutes since the epoch), oldest first. */
  history(fromMinute: number): HistoryRow[] {
    return this.sql
      .exec<HistoryRow>('SELECT minute, signal, provider, outcome, n FROM history_minutes WHERE minute >= ? ORDER BY minute', fromMinute)
      .toArray();
  }

  pruneHistory(beforeMinute: number): void {
    this.sql.exec('DELETE FROM history_minutes WHERE minute < ?', beforeMinute);
  }

  /** Per-client sums of one signal from `fromBucket` on. */
  clientRows(signal: string, fromBucket: number): ClientRow[] {
    return this.sql
      .exec<{ provider: string; outcome: string; client: string; n: number }>(
        'SELECT provider, outcome, client, SUM(n) AS n FROM samples WHERE signal = ? AND bucket >= ? GROUP BY provider, outcome, client',
        signal, fromBucket,
      )
      .toArray();
  }

  /** Uncapped totals per provider and outcome, for /status and /metrics. */
  totals(signal: string, fromBucket: number): { provider: string; outcome: string; n: number }[] {
    return this.sql
      .exec<{ provider: string; outcome: string; n: number }>('SELECT provider, outcome, SUM(n) AS n FROM samples WHERE signal = ? AND bucket >= ? GROUP BY provider, outcome', signal, fromBucket)
      .toArray();
  }

  pruneSamples(beforeBucket: number): void {
    this.sql.exec('DELETE FROM samples WHERE bucket < ?', beforeBucket);
    this.sql.exec('DELETE FROM abandoned_logins WHERE bucket < ?', beforeBucket);
  }

  addPending(id: string, provider: string, client: string, startedAt: number): boolean {
    return this.sql.exec('INSERT OR IGNORE INTO pending_logins (id, provider, client, started_at) VALUES (?, ?, ?, ?)', id, provider, client, startedAt).rowsWritten > 0;
  }

  /** A pending login came back: removed; its start time, or undefined if it was not pending. */
  resolvePending(id: string): { startedAt: number } | undefined {
    const row = this.sql.exec<{ started_at: number }>('DELETE FROM pending_logins WHERE id = ? RETURNING started_at', id).toArray()[0];
    return row ? { startedAt: row.started_at } : undefined;
  }

  /** Logins of `provider` started in [from, to) and still pending: past their horizon, not back. */
  pendingStartedBetween(provider: string, from: number, to: number, limit = 5000): { id: string; client: string }[] {
    return this.sql.exec<{ id: string; client: string }>('SELECT id, client FROM pending_logins WHERE provider = ? AND started_at >= ? AND started_at < ? ORDER BY started_at LIMIT ?', provider, from, to, limit).toArray();
  }

  /**
   * Moves the logins started before `before` that never came back to
   * `abandoned_logins` (remembering the bucket they were counted in) and
   * returns them.
   */
  takeAbandoned(before: number, bucket: number, limit = 5000): { provider: string; client: string }[] {
    const rows = this.sql.exec<{ id: string; provider: string; client: string }>('SELECT id, provider, client FROM pending_logins WHERE started_at < ? ORDER BY started_at LIMIT ?', before, limit).toArray();
    for (const r of rows) {
      this.sql.exec('DELETE FROM pending_logins WHERE id = ?', r.id);
      this.sql.exec('INSERT OR REPLACE INTO abandoned_logins (id, provider, client, bucket) VALUES (?, ?, ?, ?)', r.id, r.provider, r.client, bucket);
    }
    return rows;
  }

  /** A login counted as abandoned came back after all: take it out of the abandoned count. */
  unabandon(id: string): { provider: string; client: string; bucket: number } | undefined {
    return this.sql.exec<{ provider: string; client: string; bucket: number }>('DELETE FROM abandoned_logins WHERE id = ? RETURNING provider, client, bucket', id).toArray()[0];
  }

  pendingCount(): number {
    return this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM pending_logins').one().c;
  }

  appendAudit(type: string, actor: string, data: Record<string, unknown>, at = new Date()): AuditEntry {
    const cursor = this.sql.exec<{ seq: number }>('INSERT INTO audit (at, type, actor, data) VALUES (?, ?, ?, ?) RETURNING seq', at.toISOString(), type, actor, JSON.stringify(data));
    return { seq: cursor.one().seq, at: at.toISOString(), type, actor, data };
  }

  /** The newest audit sequence number (0 when the log is empty). */
  auditHead(): number {
    return this.sql.exec<{ s: number | null }>('SELECT MAX(seq) AS s FROM audit').one().s ?? 0;
  }

  audit(limit: number, beforeSeq?: number): AuditEntry[] {
    const rows = this.sql
      .exec<{ seq: number; at: string; type: string; actor: string; data: string }>(
        'SELECT seq, at, type, actor, data FROM audit WHERE seq < ? ORDER BY seq DESC LIMIT ?',
        beforeSeq ?? Number.MAX_SAFE_INTEGER, limit,
      )
      .toArray();
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  enqueue(event: string, channel: 'webhook' | 'email', now: number): void {
    this.sql.exec('INSERT INTO outbox (event, channel, attempts, next_at) VALUES (?, ?, 0, ?)', event, channel, now);
  }

  dueOutbox(now: number, limit = 20): OutboxEntry[] {
    return this.sql
      .exec<{ id: number; event: string; channel: string; attempts: number; next_at: number }>('SELECT id, event, channel, attempts, next_at FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?', now, limit)
      .toArray() as OutboxEntry[];
  }

  outboxSize(): number {
    return this.sql.exec<{ c: number }>('SELECT COUNT(*) AS c FROM outbox').one().c;
  }

  nextOutboxAt(): number | undefined {
    const row = this.sql.exec<{ t: number | null }>('SELECT MIN(next_at) AS t FROM outbox').one();
    return row.t ?? undefined;
  }

  delivered(id: number): void {
    this.sql.exec('DELETE FROM outbox WHERE id = ?', id);
  }

  retryLater(id: number, attempts: number, nextAt: number): void {
    this.sql.exec('UPDATE outbox SET attempts = ?, next_at = ? WHERE id = ?', attempts, nextAt, id);
  }
}

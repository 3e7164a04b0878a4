/**
 * The delivery ledger: which hook deliveries (support tickets, Auth0 log
 * entries, Kratos after-login calls) the controller has already counted.
 * A signature proves who sent a body, not that it was sent once: without
 * this, one captured signed ticket posted 90 times from 90 addresses counted
 * 90 tickets and rolled back. The controller is the one place that sees
 * every isolate's deliveries, so the ledger lives in its SQLite storage.
 *
 * A key counts at most once per dedupe window (the longest rule window,
 * never less than the signature timestamp tolerance); rows older than that
 * are pruned with the samples. Table in docs/storage.md.
 */
import type { MetricRule } from './rules.ts';

const MIN_WINDOW_SECONDS = 300;

/** How long a delivery is remembered: any rule's window, so a replay can never count twice in one. */
export function dedupeWindowMs(rules: readonly Pick<MetricRule, 'windowSeconds'>[]): number {
  return Math.max(MIN_WINDOW_SECONDS, ...rules.map((r) => r.windowSeconds)) * 1000;
}

export class DeliveryLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS delivery_ledger (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS delivery_ledger_by_time ON delivery_ledger (seen_at);
    `);
  }

  /**
   * True the first time `key` is seen within `windowMs` (and records it);
   * false for a repeat. A repeat does not extend the window: a delivery
   * counts at most once per window length.
   */
  firstDelivery(key: string, now: number, windowMs: number): boolean {
    return (
      this.sql.exec(
        'INSERT INTO delivery_ledger (key, seen_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_at < ?',
        key, now, now - windowMs,
      ).rowsWritten > 0
    );
  }

  prune(now: number, windowMs: number): void {
    this.sql.exec('DELETE FROM delivery_ledger WHERE seen_at < ?', now - windowMs);
  }
}

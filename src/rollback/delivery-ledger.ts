/**
 * The delivery ledger: which hook deliveries (support tickets, Auth0 log
 * entries, Kratos after-login calls) the controller has already counted.
 * A signature proves who sent a body, not that it was sent once: without
 * this, one captured signed ticket posted 90 times from 90 addresses counted
 * 90 tickets and rolled back. The controller is the one place that sees
 * every isolate's deliveries, so the ledger lives in its SQLite storage.
 *
 * A key counts at most once per dedupe window (the longest rule window,
 * never less than the signature timestamp tolerance). A support ticket is
 * remembered for a day instead: its id names one ticket however often the
 * helpdesk updates it, and a captured body without a signed timestamp could
 * otherwise be replayed once per window (4 an hour at the 15-minute ticket
 * window: 13 captured tickets would reach the plan's 50 an hour). Rows older
 * than their window are pruned by the alarm. Table in docs/storage.md.
 */
import type { MetricRule } from './rules.ts';

const MIN_WINDOW_SECONDS = 300;
const TICKET_MEMORY_SECONDS = 24 * 3600;

/** How long a delivery is remembered: any rule's window, so a replay can never count twice in one. */
export function dedupeWindowMs(rules: readonly Pick<MetricRule, 'windowSeconds'>[]): number {
  return Math.max(MIN_WINDOW_SECONDS, ...rules.map((r) => r.windowSeconds)) * 1000;
}

/** The window of one delivery key (`<kind>:<id|digest>:<hash>`, src/telemetry/delivery-key.ts): a day for tickets. */
export function deliveryWindowMs(key: string, rules: readonly Pick<MetricRule, 'windowSeconds'>[]): number {
  const base = dedupeWindowMs(rules);
  return key.startsWith('ticket:') ? Math.max(base, TICKET_MEMORY_SECONDS * 1000) : base;
}

/** The longest any key is remembered: what the alarm may prune beyond. */
export function longestDeliveryWindowMs(rules: readonly Pick<MetricRule, 'windowSeconds'>[]): number {
  return Math.max(dedupeWindowMs(rules), TICKET_MEMORY_SECONDS * 1000);
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

  /** Drops rows past their window: tickets after `longestMs`, every other kind after `windowMs`. */
  prune(now: number, windowMs: number, longestMs = windowMs): void {
    this.sql.exec("DELETE FROM delivery_ledger WHERE seen_at < ? AND key NOT LIKE 'ticket:%'", now - windowMs);
    this.sql.exec('DELETE FROM delivery_ledger WHERE seen_at < ?', now - longestMs);
  }
}

/**
 * Ingest: outcome batches from the gateway's isolates become counts in 10 s
 * buckets (`samples`) and cumulative totals (`meta.totals`). Each login is
 * counted once by its outcome (login ledger), each hook delivery once per
 * dedupe window (delivery ledger), and logins that never come back are
 * counted as abandoned by the alarm's sweep.
 */
import type { ControllerStore } from './controller-store.ts';
import { deliveryWindowMs, type DeliveryLedger } from './delivery-ledger.ts';
import type { LoginLedger } from './login-ledger.ts';
import type { OutcomeBatch, OutcomeEvent } from './outcome-events.ts';
import { counterFor } from './metrics/registry.ts';
import type { RuleBook } from './rule-book.ts';
import { bucketOf } from './window-aggregation.ts';

const MAX_EVENTS_PER_BATCH = 20_000;

type Bump = (key: string, n: number) => void;

export class Ingest {
  constructor(
    private readonly store: ControllerStore,
    private readonly ledger: LoginLedger,
    private readonly deliveries: DeliveryLedger,
    private readonly ruleBook: RuleBook,
  ) {}

  /** Counts a batch; returns how many events were taken (the rest count as lost). */
  record(batch: OutcomeBatch, now: number): number {
    const events = Array.isArray(batch?.events) ? batch.events.slice(0, MAX_EVENTS_PER_BATCH) : [];
    this.withTotals((bump) => {
      for (const e of events) this.apply(e, now, bump);
      const lost = (typeof batch?.lost === 'number' && batch.lost > 0 ? batch.lost : 0) + Math.max(0, (batch?.events?.length ?? 0) - events.length);
      if (lost) bump('events_lost', lost);
    });
    return events.length;
  }

  /** The alarm's sweep: logins started more than `abandon_after` ago and not back count as abandoned. */
  sweepAbandoned(now: number): void {
    const bucket = bucketOf(now);
    for (const a of this.store.takeAbandoned(now - this.ruleBook.rules().abandonAfterSeconds * 1000, bucket)) {
      this.store.count(bucket, a.provider, 'login', 'abandoned', a.client, 1);
      this.withTotals((bump) => bump(`login_${a.provider}_abandoned`, 1));
    }
  }

  private withTotals(body: (bump: Bump) => void): void {
    const totals = this.store.get('totals') ?? {};
    body((key, n) => (totals[key] = (totals[key] ?? 0) + n));
    this.store.set('totals', totals);
  }

  private apply(e: OutcomeEvent, now: number, bump: Bump): void {
    // Counts land in the bucket of arrival, clamped to the recent past, so a skewed isolate clock cannot write into old windows.
    const at = typeof e.at === 'number' ? Math.min(now, Math.max(now - 60_000, e.at)) : now;
    const bucket = bucketOf(at);
    // A hook delivery seen before within the dedupe window is a replay or a retry: counted once.
    if ('delivery' in e && typeof e.delivery === 'string' && !this.deliveries.firstDelivery(e.delivery, now, deliveryWindowMs(e.delivery, this.ruleBook.rules().rules))) {
      bump('hook_deliveries_duplicate', 1);
      return;
    }
    switch (e.k) {
      case 'login_started':
        // Settled before this event arrived (telemetry is buffered): counted as started, never pending.
        if (this.ledger.isSettled(String(e.id)) || this.store.addPending(String(e.id), e.provider, String(e.client), at)) {
          this.store.count(bucket, e.provider, 'login', 'started', String(e.client), 1);
          bump(`login_${e.provider}_started`, 1);
        }
        return;
      case 'login_outcome':
        if (!this.ledger.claimOutcome(String(e.id), now)) return; // one outcome per login, whatever the batches say
        if (!this.store.resolvePending(String(e.id))) {
          // A slow login already counted as abandoned: it is one login, counted once, by its outcome.
          const a = this.store.unabandon(String(e.id));
          if (a) {
            this.store.count(a.bucket, a.provider, 'login', 'abandoned', a.client, -1);
            bump(`login_${a.provider}_abandoned`, -1);
          }
        }
        this.store.count(bucket, e.provider, 'login', e.outcome, String(e.client), 1);
        bump(`login_${e.provider}_${e.outcome}`, 1);
        if (e.outcome === 'failed') {
          const reason = /^[a-z0-9_]{1,64}$/.test(e.reason ?? '') ? e.reason! : 'unknown';
          this.store.count(bucket, e.provider, 'login_failure_reason', reason, '-', 1);
        }
        return;
      case 'provider_login':
        this.store.count(bucket, e.provider, 'provider_login', e.outcome, e.source, Math.max(1, Math.floor(e.n)));
        bump(`provider_login_${e.provider}_${e.outcome}`, Math.max(1, Math.floor(e.n)));
        return;
      default: {
        // The events a metric owns (api, ticket, ...) are counted by its definition (metrics/registry.ts).
        const owner = counterFor(e.k);
        const s = owner?.counter.sample(e);
        if (!owner || !s) return;
        this.store.count(bucket, s.provider, owner.signal, s.outcome, s.client, s.n);
        bump(s.total, s.n);
        return;
      }
    }
  }
}

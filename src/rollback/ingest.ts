/**
 * Ingest: outcome batches from the gateway's isolates become counts in 10 s
 * buckets (`samples`) and cumulative totals (`meta.totals`). Each login is
 * counted once by its outcome (login ledger), each hook delivery once per
 * dedupe window (delivery ledger), and logins that never come back are
 * counted as abandoned by the alarm's sweep. Each observation also goes to
 * the sequential detector (sequential-detector.ts), and logins of known
 * clients not back by the learnt horizon are swept to it as overdue on every
 * batch and alarm. Only known clients' logins are pending (detector-feed.ts):
 * a bot that never completes a login cannot become abandoned or overdue.
 */
import type { ControllerStore } from './controller-store.ts';
import { deliveryWindowMs, type DeliveryLedger } from './delivery-ledger.ts';
import type { DetectorFeed } from './detector-feed.ts';
import type { LoginLedger } from './login-ledger.ts';
import type { OutcomeBatch, OutcomeEvent } from './outcome-events.ts';
import { counterFor } from './metrics/registry.ts';
import type { RuleBook } from './rule-book.ts';
import type { DetectorSession, SequentialDetector } from './sequential-detector.ts';
import { BAD_OUTCOMES, bucketOf, GOOD_OUTCOMES } from './window-aggregation.ts';

const MAX_EVENTS_PER_BATCH = 20_000;

type Bump = (key: string, n: number) => void;

export class Ingest {
  constructor(
    private readonly store: ControllerStore,
    private readonly ledger: LoginLedger,
    private readonly deliveries: DeliveryLedger,
    private readonly ruleBook: RuleBook,
    private readonly detector: SequentialDetector,
    private readonly feed: DetectorFeed,
  ) {}

  /** Counts a batch; returns how many events were taken (the rest count as lost). */
  record(batch: OutcomeBatch, now: number): number {
    const events = Array.isArray(batch?.events) ? batch.events.slice(0, MAX_EVENTS_PER_BATCH) : [];
    const d = this.detector.session(now);
    this.store.batchHistory(() =>
      this.withTotals((bump) => {
        for (const e of events) this.apply(e, now, bump, d);
        const lost = (typeof batch?.lost === 'number' && batch.lost > 0 ? batch.lost : 0) + Math.max(0, (batch?.events?.length ?? 0) - events.length);
        if (lost) bump('events_lost', lost);
      }),
    );
    this.sweepOverdue(d);
    d.commit();
    return events.length;
  }

  /** Logins past their provider's horizon and not back: one overdue observation each (batches and the alarm). */
  sweepOverdue(d: DetectorSession): DetectorSession {
    const swept = this.store.get('overdue_swept_until') ?? {};
    let changed = false;
    for (const provider of ['olympus', 'auth0']) {
      const until = d.now - d.horizonMs(provider);
      const from = swept[provider];
      // The first sweep starts here: logins pending from before (an upgrade) are not a burst of evidence.
      if (from !== undefined && until > from) {
        for (const p of this.store.pendingStartedBetween(provider, from, until)) {
          d.learnArrival(provider, true);
          d.observe('login', provider, p.client, 'overdue', true);
        }
      }
      if (from === undefined || until > from) {
        swept[provider] = until;
        changed = true;
      }
    }
    if (changed) this.store.set('overdue_swept_until', swept);
    return d;
  }

  /** The alarm's sweep: logins started more than `abandon_after` ago and not back count as abandoned. */
  sweepAbandoned(now: number): void {
    const bucket = bucketOf(now);
    const d = this.detector.session(now);
    for (const a of this.store.takeAbandoned(now - this.ruleBook.rules().abandonAfterSeconds * 1000, bucket)) {
      this.store.count(bucket, a.provider, 'login', 'abandoned', a.client, 1);
      this.withTotals((bump) => bump(`login_${a.provider}_abandoned`, 1));
      // The rate counts an abandoned login as a failure: so does the outcome chart family.
      d.observe('login', a.provider, a.client, 'outcome', true);
    }
    d.commit();
  }

  private withTotals(body: (bump: Bump) => void): void {
    const totals = this.store.get('totals') ?? {};
    body((key, n) => (totals[key] = (totals[key] ?? 0) + n));
    this.store.set('totals', totals);
  }

  private apply(e: OutcomeEvent, now: number, bump: Bump, d: DetectorSession): void {
    // Counts land in the bucket of arrival, clamped to the recent past, so a skewed isolate clock cannot write into old windows.
    const at = typeof e.at === 'number' ? Math.min(now, Math.max(now - 60_000, e.at)) : now;
    const bucket = bucketOf(at);
    // A hook delivery seen before within the dedupe window is a replay or a retry: counted once.
    if ('delivery' in e && typeof e.delivery === 'string' && !this.deliveries.firstDelivery(e.delivery, now, deliveryWindowMs(e.delivery, this.ruleBook.rules().rules))) {
      bump('hook_deliveries_duplicate', 1);
      return;
    }
    switch (e.k) {
      case 'login_started': {
        // Settled before this event arrived (telemetry is buffered): counted as started, never pending.
        // A client that never completed a login (a prefetcher, a bot) is counted as started, never pending.
        const id = String(e.id);
        const client = String(e.client);
        const counted = this.ledger.isSettled(id) || !this.feed.known(client, now) || this.store.addPending(id, e.provider, client, at);
        if (counted) {
          this.store.count(bucket, e.provider, 'login', 'started', client, 1);
          bump(`login_${e.provider}_started`, 1);
        }
        return;
      }
      case 'login_outcome': {
        if (!this.ledger.claimOutcome(String(e.id), now)) return; // one outcome per login, whatever the batches say
        const client = String(e.client);
        const pending = this.store.resolvePending(String(e.id));
        // Observed already as overdue (past its horizon): back late, it is no timely arrival.
        const overdue = pending !== undefined && pending.startedAt < (this.store.get('overdue_swept_until')?.[e.provider] ?? -Infinity);
        let abandoned = false;
        if (!pending) {
          // A slow login already counted as abandoned: it is one login, counted once, by its outcome.
          const a = this.store.unabandon(String(e.id));
          if (a) {
            abandoned = true;
            this.store.count(a.bucket, a.provider, 'login', 'abandoned', a.client, -1);
            bump(`login_${a.provider}_abandoned`, -1);
          }
        }
        if (pending && !overdue) {
          d.learnArrival(e.provider, false);
          d.observe('login', e.provider, client, 'overdue', false);
        }
        // One outcome observation per login: its callback, or its abandonment (already fed by the sweep).
        if (!abandoned) d.observe('login', e.provider, client, 'outcome', e.outcome === 'failed');
        if (e.outcome === 'succeeded') {
          this.feed.remember(client, now);
          if (pending) d.learnCallback(e.provider, Math.max(0, at - pending.startedAt) / 1000);
        }
        this.store.count(bucket, e.provider, 'login', e.outcome, client, 1);
        bump(`login_${e.provider}_${e.outcome}`, 1);
        if (e.outcome === 'failed') {
          const reason = /^[a-z0-9_]{1,64}$/.test(e.reason ?? '') ? e.reason! : 'unknown';
          this.store.count(bucket, e.provider, 'login_failure_reason', reason, '-', 1);
        }
        return;
      }
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
        if (s.history) this.store.countHistory(bucket, s.provider, s.history.signal, s.history.outcome, s.n);
        bump(s.total, s.n);
        if (GOOD_OUTCOMES.has(s.outcome) || BAD_OUTCOMES.has(s.outcome)) d.observe(owner.signal, s.provider, s.client, 'outcome', BAD_OUTCOMES.has(s.outcome), s.n);
        return;
      }
    }
  }
}

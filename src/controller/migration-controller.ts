/**
 * MigrationController: the one Durable Object that owns the migration state.
 *
 * - The authoritative flag (enabled, percent, rollback_at, who and why),
 *   written through to KV, which stays the fast read path of proxied requests.
 * - Live counters in 10 s buckets (SQLite), read as sliding windows: the
 *   login funnel per provider (started, succeeded, failed, abandoned), API
 *   errors per provider of the caller's credential, support tickets.
 * - The rules, evaluated on incoming batches and on an alarm; a breach flips
 *   to Auth0 exactly once (a Durable Object runs one event at a time and the
 *   flip is a synchronous storage write before any await), audits, notifies.
 * - Nothing ever flips back to Olympus on its own: only setFlag, an audited
 *   manual action, can enable Olympus again.
 */
import { DurableObject } from 'cloudflare:workers';
import { configFromEnv, type AdminRole, type GatewayConfig } from '../config.ts';
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import { FLAG_KEY, parseFlagRecord, SAFE_DEFAULT_FLAG, type FlagRecord } from '../flag/flag-record.ts';
import { nextFlag, type FlagChange } from '../flag/flag-transition.ts';
import { ControllerStore, type AuditEntry } from './controller-store.ts';
import type { OutcomeBatch, OutcomeEvent } from './outcome-events.ts';
import { evaluateRule, nextStreak, type Evaluation } from './rule-evaluator.ts';
import { parseRules, type MetricRule, type RulesConfig } from './rules.ts';
import { bucketOf, cohortCounts, windowStartBucket, BUCKET_SECONDS } from './window-aggregation.ts';
import { prometheusText } from './prometheus.ts';
import { SignupStore, type SignupRow } from './signup-store.ts';
import { LoginLedger } from './login-ledger.ts';
import { DeliveryLedger, dedupeWindowMs } from './delivery-ledger.ts';
import type { CapturedSignup } from '../reconcile/signup-record.ts';
import { decide } from '../reconcile/identity-mapper.ts';
import { deliverEmail, deliverWebhook, notification, type NotificationEvent, type NotificationType } from './notifications.ts';

const RETENTION_BUCKETS = (25 * 3600) / BUCKET_SECONDS;
const MAX_EVENTS_PER_BATCH = 20_000;
const MAX_DELIVERY_ATTEMPTS = 10;
const CONTROLLER_ACTOR = 'switchback-controller';

export interface RuleStatus extends Evaluation {
  streak: number;
  consecutive: number;
}

export interface RollbackResult {
  rolledBack: boolean;
  flag: FlagRecord;
  reason?: string;
}

export type ManualRollbackResult = RollbackResult | { rolledBack: false; forbidden: string };

function signalOf(metric: MetricRule['metric']): string {
  return metric === 'login_success_rate' ? 'login' : metric === 'api_error_rate' ? 'api' : 'ticket';
}

export class MigrationController extends DurableObject<Env> {
  private readonly store: ControllerStore;
  private readonly signups: SignupStore;
  private readonly ledger: LoginLedger;
  private readonly deliveries: DeliveryLedger;
  private lastEvaluatedAt = 0;
  private rulesCache: { text: string; rules: RulesConfig } | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ControllerStore(ctx.storage.sql);
    this.signups = new SignupStore(ctx.storage.sql);
    this.ledger = new LoginLedger(ctx.storage.sql);
    this.deliveries = new DeliveryLedger(ctx.storage.sql);
    // First start: adopt the flag already in KV (a gateway that ran without the controller).
    void ctx.blockConcurrencyWhile(async () => {
      if (this.store.get<FlagRecord>('flag')) return;
      const text = await env.SWITCHBACK_KV.get(FLAG_KEY, 'text').catch(() => null);
      this.store.set('flag', (text && parseFlagRecord(text)) || SAFE_DEFAULT_FLAG);
    });
  }

  private config(): GatewayConfig {
    return configFromEnv(this.env);
  }

  /** Rules in force: replaced through the admin API, else ROLLBACK_RULES, else the plan's defaults. */
  rules(): RulesConfig {
    const text = this.store.get<string>('rules_text');
    if (text === undefined) return this.config().rules;
    if (this.rulesCache?.text !== text) this.rulesCache = { text, rules: parseRules(text) };
    return this.rulesCache.rules;
  }

  rulesSource(): { source: 'admin-api' | 'ROLLBACK_RULES' | 'default'; text: string } {
    const text = this.store.get<string>('rules_text');
    if (text !== undefined) return { source: 'admin-api', text };
    const envText = this.config().rulesText;
    return envText === undefined ? { source: 'default', text: this.config().rulesDefaultText } : { source: 'ROLLBACK_RULES', text: envText };
  }

  /** Validates and stores new rules; throws RulesError with the entry at fault. */
  setRules(text: string, actor: string): RulesConfig {
    const rules = parseRules(text);
    const before = this.rulesSource();
    this.store.set('rules_text', text);
    this.store.set('streaks', {});
    this.store.appendAudit('rules.changed', actor, { before: before.text, after: text, dry_run: rules.dryRun });
    return rules;
  }

  getFlag(): FlagRecord {
    return this.store.get<FlagRecord>('flag') ?? SAFE_DEFAULT_FLAG;
  }

  /** The callback's synchronous ask: true for the first callback of a login, false for a replay. */
  settleLogin(id: string): { first: boolean } {
    return { first: this.ledger.settle(id, Date.now()) };
  }

  // ---------------------------------------------------------------- ingest

  async ingest(batch: OutcomeBatch): Promise<{ accepted: number }> {
    const now = Date.now();
    const events = Array.isArray(batch?.events) ? batch.events.slice(0, MAX_EVENTS_PER_BATCH) : [];
    const totals = this.store.get<Record<string, number>>('totals') ?? {};
    const bump = (key: string, n: number) => (totals[key] = (totals[key] ?? 0) + n);
    for (const e of events) this.apply(e, now, bump);
    const lost = (typeof batch?.lost === 'number' && batch.lost > 0 ? batch.lost : 0) + Math.max(0, (batch?.events?.length ?? 0) - events.length);
    if (lost) bump('events_lost', lost);
    this.store.set('totals', totals);
    if (now - this.lastEvaluatedAt >= this.rules().evaluateEverySeconds * 1000) await this.evaluate(now);
    await this.ensureAlarm(now);
    return { accepted: events.length };
  }

  private apply(e: OutcomeEvent, now: number, bump: (key: string, n: number) => void): void {
    // Counts land in the bucket of arrival, clamped to the recent past, so a skewed isolate clock cannot write into old windows.
    const at = typeof e.at === 'number' ? Math.min(now, Math.max(now - 60_000, e.at)) : now;
    const bucket = bucketOf(at);
    // A hook delivery seen before within the dedupe window is a replay or a retry: counted once.
    if ('delivery' in e && typeof e.delivery === 'string' && !this.deliveries.firstDelivery(e.delivery, now, dedupeWindowMs(this.rules().rules))) {
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
      case 'api': {
        const n = Math.max(0, Math.min(1_000_000, Math.floor(e.n)));
        this.store.count(bucket, e.provider, 'api', e.error ? 'error' : 'ok', String(e.client), n);
        bump(`api_${e.provider}_${e.error ? 'error' : 'ok'}`, n);
        return;
      }
      case 'ticket':
        this.store.count(bucket, 'all', 'ticket', 'ticket', 'hook', Math.max(1, Math.floor(e.n)));
        bump('tickets', Math.max(1, Math.floor(e.n)));
        return;
      case 'provider_login':
        this.store.count(bucket, e.provider, 'provider_login', e.outcome, e.source, Math.max(1, Math.floor(e.n)));
        bump(`provider_login_${e.provider}_${e.outcome}`, Math.max(1, Math.floor(e.n)));
        return;
    }
  }

  // ------------------------------------------------------------ evaluation

  /** Evaluates every rule on its window. Pure reads plus the streak bookkeeping. */
  private measure(now: number, streaks: Record<string, number>): RuleStatus[] {
    const flag = this.getFlag();
    const split = flag.enabled && flag.percent !== undefined && flag.percent > 0 && flag.percent < 100;
    return this.rules().rules.map((rule) => {
      const rows = this.store.clientRows(signalOf(rule.metric), windowStartBucket(now, rule.windowSeconds));
      const counts = {
        olympus: cohortCounts(rows, 'olympus', rule.maxPerClient),
        auth0: cohortCounts(rows, 'auth0', rule.maxPerClient),
        tickets: rows.reduce((s, r) => s + r.n, 0),
      };
      const ev = evaluateRule(rule, counts, split);
      return { ...ev, streak: flag.enabled ? nextStreak(streaks[rule.id] ?? 0, ev.verdict) : 0, consecutive: rule.consecutive };
    });
  }

  private async evaluate(now: number): Promise<RuleStatus[]> {
    const rules = this.rules();
    const results = this.measure(now, this.store.get<Record<string, number>>('streaks') ?? {});
    // A streak held across inconclusive evaluations expires after one window without a breach:
    // two breaches at dusk and one at dawn are not three in a row.
    const breachAt = this.store.get<Record<string, number>>('streak_breach_at') ?? {};
    for (const r of results) {
      if (r.verdict === 'breach') breachAt[r.rule] = now;
      else if (r.streak > 0 && now - (breachAt[r.rule] ?? 0) > r.windowSeconds * 1000) r.streak = 0;
    }
    this.store.set('streak_breach_at', breachAt);
    this.store.set('streaks', Object.fromEntries(results.map((r) => [r.rule, r.streak])));
    this.lastEvaluatedAt = now;
    this.store.set('last_evaluated_at', now);
    const flag = this.getFlag();
    if (!flag.enabled) return results;
    for (const r of results) if (r.verdict === 'inconclusive') this.maybeInconclusiveNotice(r, now);
    const fired = results.find((r) => r.verdict === 'breach' && r.streak >= r.consecutive);
    if (!fired) return results;
    if (rules.dryRun) {
      this.dryRunNotice(fired, now);
      return results;
    }
    await this.rollBack({ actor: CONTROLLER_ACTOR, reason: `rule breached: ${fired.rule}`, evaluation: fired });
    return results;
  }

  /** Tells people a rule looks bad but lacks the evidence to act, once per window. */
  private maybeInconclusiveNotice(r: RuleStatus, now: number): void {
    if (r.value === null) return;
    const crossing = r.metric === 'login_success_rate' ? r.value < r.threshold : r.value > r.threshold;
    const key = `inconclusive_notice:${r.rule}`;
    if (!crossing || now - (this.store.get<number>(key) ?? 0) < r.windowSeconds * 1000) return;
    this.store.set(key, now);
    this.notify('trigger.inconclusive', { reason: `looks breached but inconclusive: ${r.note}`, evaluation: r, actor: CONTROLLER_ACTOR, dryRun: this.rules().dryRun }, now);
  }

  private dryRunNotice(r: RuleStatus, now: number): void {
    const key = `dry_run_notice:${r.rule}`;
    if (now - (this.store.get<number>(key) ?? 0) < r.windowSeconds * 1000) return;
    this.store.set(key, now);
    this.store.appendAudit('rollback.dry_run', CONTROLLER_ACTOR, { rule: r.rule, value: r.value, bound: r.bound, threshold: r.threshold, window: r.windowSeconds, samples: r.samples, clients: r.clients });
    this.notify('rollback.triggered', { reason: `rule breached (dry run, no flip): ${r.rule}`, evaluation: r, actor: CONTROLLER_ACTOR, dryRun: true }, now);
  }

  // --------------------------------------------------------------- the flip

  /**
   * Flips to Auth0. The decision and the new state are written synchronously
   * before the first await, so concurrent detections produce one rollback.
   */
  private async rollBack(cause: { actor: string; reason: string; evaluation?: RuleStatus; role?: AdminRole; clientConfigVersion?: number | undefined; percent?: number | undefined }): Promise<RollbackResult> {
    const current = this.getFlag();
    if (!current.enabled) return { rolledBack: false, flag: current, reason: 'already on Auth0' };
    const now = new Date();
    const next = nextFlag(current, { enabled: false, reason: cause.reason, actor: cause.actor, client_config_version: cause.clientConfigVersion, percent: cause.percent }, now);
    this.store.set('flag', next);
    this.store.set('streaks', {});
    const ev = cause.evaluation;
    this.store.appendAudit('rollback', cause.actor, {
      reason: cause.reason,
      role: cause.role ?? null,
      rule: ev?.rule ?? null,
      value: ev?.value ?? null,
      bound: ev?.bound ?? null,
      threshold: ev?.threshold ?? null,
      mode: ev?.mode ?? null,
      window: ev?.windowSeconds ?? null,
      samples: ev?.samples ?? null,
      clients: ev?.clients ?? null,
      from_version: current.version,
      to_version: next.version,
      rollback_at: next.rollback_at,
    }, now);
    log('warn', { event: 'rollback', reason: ev ? 'rule_breached' : 'manual_decision', rule: ev?.rule, actor: cause.actor, version: next.version });
    this.notify('rollback.triggered', { reason: cause.reason, evaluation: ev, actor: cause.actor, dryRun: false }, now.getTime());
    await this.writeThrough(next);
    await this.startReconcile(next);
    this.notify('rollback.completed', { reason: 'Rollback complete. Auth0 is primary again.', evaluation: ev, actor: cause.actor, dryRun: false }, Date.now());
    await this.ctx.storage.setAlarm(Date.now());
    return { rolledBack: true, flag: next };
  }

  /** A manual decision (the plan's `manual_decision_by`). */
  async manualRollback(actor: string, role: AdminRole, reason: string): Promise<ManualRollbackResult> {
    const allowed = this.rules().manualRoles;
    if (!allowed.includes(role)) return { rolledBack: false, forbidden: `manual rollback is reserved to ${allowed.join(', ') || 'nobody'} by the rules` };
    return this.rollBack({ actor, role, reason: `manual decision: ${reason}` });
  }

  /** Admin flag change. Disabling an enabled flag is a rollback; enabling is audited and never automatic. */
  async setFlag(change: FlagChange, role: AdminRole): Promise<{ previous: FlagRecord; current: FlagRecord }> {
    const previous = this.getFlag();
    if (previous.enabled && !change.enabled) {
      await this.rollBack({ actor: change.actor, role, reason: `manual decision: ${change.reason}`, clientConfigVersion: change.client_config_version, percent: change.percent });
      return { previous, current: this.getFlag() };
    }
    const current = nextFlag(previous, change, new Date());
    this.store.set('flag', current);
    // The start of the migration window a reconcile covers: the first time Olympus was enabled.
    if (current.enabled && !this.store.get<string>('migration_started_at')) this.store.set('migration_started_at', current.updated_at);
    this.store.set('streaks', {});
    this.store.appendAudit('flag.changed', change.actor, { role, from: previous, to: current });
    this.notify('flag.changed', { reason: change.reason, actor: change.actor, dryRun: false }, Date.now());
    await this.writeThrough(current);
    await this.ctx.storage.setAlarm(Date.now());
    return { previous, current };
  }

  /** KV is the read path of every isolate; a failed write is retried by the alarm. */
  private async writeThrough(flag: FlagRecord): Promise<void> {
    const json = JSON.stringify(flag);
    try {
      await this.env.SWITCHBACK_KV.put(`${FLAG_KEY}:v${flag.version}`, json);
      await this.env.SWITCHBACK_KV.put(FLAG_KEY, json);
      this.store.set('kv_dirty', false);
    } catch (err) {
      this.store.set('kv_dirty', true);
      log('error', { event: 'flag_write_through_failed', reason: 'kv_unwritable', error: String(err) });
    }
  }

  // -------------------------------------------------------------- reconcile

  /** Records a signup from the Olympus after-registration hook (idempotent). */
  captureSignup(s: CapturedSignup): { captured: boolean } {
    const captured = this.signups.capture(s);
    // Identities imported from Auth0 already exist there: never part of a reconcile.
    const d = decide(s.identity, 'capture');
    if (captured && d.action === 'skip') this.signups.update(s.id, { state: 'skipped', detail: d.detail });
    return { captured };
  }

  /**
   * For /login: is this (normalised) email an Olympus-only user? The answer
   * only ever chooses where a browser is redirected (routes/login.ts).
   */
  isOlympusOnlyUser(email: string): boolean {
    if (typeof email !== 'string' || email.length === 0 || email.length > 254) return false;
    return this.signups.existsOnlyInOlympus(email);
  }

  pendingSignupIds(before: string): string[] {
    return this.signups.pendingIds(before);
  }

  signup(id: string): SignupRow | undefined {
    return this.signups.get(id);
  }

  updateSignup(id: string, fields: Partial<Pick<SignupRow, 'state' | 'email_state' | 'auth0_user_id' | 'detail'>>): void {
    this.signups.update(id, fields);
  }

  reconcileProgress(runId: string, p: { status: 'running' | 'completed'; total: number; done: number; totals: Record<string, number> }): void {
    const job = this.store.get<Record<string, unknown>>('reconcile_job') ?? {};
    this.store.set('reconcile_job', { ...job, run_id: runId, ...p, updated_at: new Date().toISOString() });
    if (p.status === 'completed' || p.done === 0) {
      this.store.appendAudit(p.status === 'completed' ? 'reconcile.completed' : 'reconcile.started', 'switchback-reconcile', { run_id: runId, ...p });
      if (p.status === 'completed') this.notify('reconcile.progress', { reason: `reconcile ${runId} completed: ${JSON.stringify(p.totals)}`, actor: 'switchback-reconcile', dryRun: false, details: p }, Date.now());
    }
  }

  /** After a rollback: bring the captured Olympus signups back to Auth0, as a durable job. */
  private async startReconcile(flag: FlagRecord): Promise<void> {
    const pending = this.signups.pendingIds(flag.rollback_at ?? new Date().toISOString()).length;
    if (!this.config().reconcile || !this.env.RECONCILE_WORKFLOW) {
      this.store.appendAudit('reconcile.not_configured', CONTROLLER_ACTOR, { pending_signups: pending, hint: 'set AUTH0_DOMAIN, AUTH0_MGMT_CLIENT_ID, AUTH0_MGMT_CLIENT_SECRET, AUTH0_CONNECTION, or run `switchback reconcile` from the Olympus side' });
      return;
    }
    const runId = `reconcile-v${flag.version}-${Date.now()}`;
    try {
      await this.env.RECONCILE_WORKFLOW.create({ id: runId, params: { runId, rollbackAt: flag.rollback_at! } });
      this.store.set('reconcile_job', { run_id: runId, status: 'queued', total: pending, done: 0, totals: {}, started_at: new Date().toISOString() });
      this.store.appendAudit('reconcile.queued', CONTROLLER_ACTOR, { run_id: runId, pending_signups: pending });
    } catch (err) {
      // The rollback stands either way; the job can be run by hand.
      this.store.set('reconcile_job', { run_id: runId, status: 'failed_to_start', error: String(err) });
      this.store.appendAudit('reconcile.failed_to_start', CONTROLLER_ACTOR, { run_id: runId, error: String(err) });
      log('error', { event: 'reconcile_start_failed', reason: 'workflow_create_failed', error: String(err) });
    }
  }

  // ---------------------------------------------------------- notifications

  private notify(type: NotificationType, f: { reason: string; evaluation?: Evaluation; actor: string; dryRun: boolean; details?: Record<string, unknown> }, now: number): void {
    const flag = this.getFlag();
    const ev = f.evaluation;
    const event = notification(type, {
      reason: f.reason,
      rule: ev?.rule ?? null,
      value: ev?.value ?? null,
      threshold: ev?.threshold ?? null,
      window: ev?.windowSeconds ?? null,
      samples: ev?.samples ?? null,
      actor: f.actor,
      dry_run: f.dryRun,
      flag: { enabled: flag.enabled, version: flag.version, rollback_at: flag.rollback_at },
      ...(f.details ? { details: f.details } : {}),
    }, new Date(now));
    const cfg = this.config();
    if (cfg.notify.webhookUrl) this.store.enqueue(JSON.stringify(event), 'webhook', now);
    if (cfg.notify.email && this.env.ONCALL_EMAIL && (type === 'rollback.triggered' || type === 'rollback.completed')) this.store.enqueue(JSON.stringify(event), 'email', now);
    this.store.appendAudit(`notification.${type}`, f.actor, { id: event.id, text: event.text });
  }

  private async deliverOutbox(now: number): Promise<void> {
    const cfg = this.config();
    for (const item of this.store.dueOutbox(now)) {
      const event = JSON.parse(item.event) as NotificationEvent;
      try {
        if (item.channel === 'webhook' && cfg.notify.webhookUrl) await deliverWebhook(cfg.notify.webhookUrl, event);
        else if (item.channel === 'email' && cfg.notify.email && this.env.ONCALL_EMAIL) await deliverEmail(this.env.ONCALL_EMAIL, cfg.notify.email.from, cfg.notify.email.to, event);
        this.store.delivered(item.id);
      } catch (err) {
        const attempts = item.attempts + 1;
        if (attempts >= MAX_DELIVERY_ATTEMPTS) {
          this.store.delivered(item.id);
          this.store.appendAudit('notification.failed', CONTROLLER_ACTOR, { id: event.id, type: event.type, channel: item.channel, error: String(err) });
        } else {
          this.store.retryLater(item.id, attempts, Date.now() + Math.min(300_000, 1000 * 2 ** attempts));
        }
        log('warn', { event: 'notification_failed', reason: 'delivery_failed', channel: item.channel, attempts, error: String(err) });
      }
    }
  }

  // ------------------------------------------------------------------ alarm

  private async ensureAlarm(now: number): Promise<void> {
    const at = await this.ctx.storage.getAlarm();
    if (at === null) await this.ctx.storage.setAlarm(now + this.rules().evaluateEverySeconds * 1000);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    const rules = this.rules();
    for (const a of this.store.takeAbandoned(now - rules.abandonAfterSeconds * 1000, bucketOf(now))) {
      this.store.count(bucketOf(now), a.provider, 'login', 'abandoned', a.client, 1);
      const totals = this.store.get<Record<string, number>>('totals') ?? {};
      totals[`login_${a.provider}_abandoned`] = (totals[`login_${a.provider}_abandoned`] ?? 0) + 1;
      this.store.set('totals', totals);
    }
    if (now - this.lastEvaluatedAt >= rules.evaluateEverySeconds * 1000 - 50) await this.evaluate(now);
    if (this.store.get<boolean>('kv_dirty')) await this.writeThrough(this.getFlag());
    await this.deliverOutbox(now);
    this.store.pruneSamples(bucketOf(now) - RETENTION_BUCKETS);
    this.ledger.prune(now);
    this.deliveries.prune(now, dedupeWindowMs(rules.rules));
    const busy = this.getFlag().enabled || this.store.pendingCount() > 0 || this.store.get<boolean>('kv_dirty');
    const nextOutbox = this.store.nextOutboxAt();
    const candidates = [busy ? now + rules.evaluateEverySeconds * 1000 : undefined, nextOutbox].filter((t): t is number => t !== undefined);
    if (candidates.length) await this.ctx.storage.setAlarm(Math.max(now + 100, Math.min(...candidates)));
  }

  // ----------------------------------------------------------------- reads

  status(): Record<string, unknown> {
    const now = Date.now();
    const flag = this.getFlag();
    const rules = this.rules();
    const overlap = this.config().tokenOverlapSeconds;
    const rollbackAt = flag.rollback_at ? Date.parse(flag.rollback_at) : undefined;
    const endsAt = rollbackAt !== undefined ? rollbackAt + overlap * 1000 : undefined;
    const evaluations = this.measure(now, this.store.get<Record<string, number>>('streaks') ?? {}).map((r) => ({
      ...r,
      streak: this.store.get<Record<string, number>>('streaks')?.[r.rule] ?? 0,
    }));
    const funnelFrom = windowStartBucket(now, 300);
    const funnel: Record<string, Record<string, number>> = {};
    for (const t of this.store.totals('login', funnelFrom)) (funnel[t.provider] ??= {})[t.outcome] = t.n;
    const api: Record<string, Record<string, number>> = {};
    for (const t of this.store.totals('api', funnelFrom)) (api[t.provider] ??= {})[t.outcome] = t.n;
    const reasons: Record<string, number> = {};
    for (const t of this.store.totals('login_failure_reason', funnelFrom)) reasons[`${t.provider}:${t.outcome}`] = t.n;
    const totals = this.store.get<Record<string, number>>('totals') ?? {};
    const providers = this.config().providers;
    return {
      flag,
      issuers: { auth0: providers.auth0.issuer, olympus: providers.olympus.issuer },
      migration: { started_at: this.store.get<string>('migration_started_at') ?? null, rollback_at: flag.rollback_at ?? null },
      active_provider: flag.enabled ? (flag.percent !== undefined && flag.percent < 100 ? `olympus for ${flag.percent}% of browsers` : 'olympus') : 'auth0',
      dry_run: rules.dryRun,
      overlap: rollbackAt === undefined ? null : { rollback_at: flag.rollback_at, ends_at: new Date(endsAt!).toISOString(), seconds_left: Math.max(0, Math.ceil((endsAt! - now) / 1000)) },
      rules: evaluations,
      manual_decision_by: rules.manualRoles,
      evaluate_every_seconds: rules.evaluateEverySeconds,
      last_evaluated_at: (() => {
        const at = this.lastEvaluatedAt || this.store.get<number>('last_evaluated_at');
        return at ? new Date(at).toISOString() : null;
      })(),
      last_5_minutes: { logins: funnel, api, failure_reasons: reasons },
      signups: (() => {
        const c = this.signups.counts(this.store.get<string>('migration_started_at') ?? null);
        // Signups that exist only in Olympus: the users a rollback would strand right now.
        return { ...c, stranded_if_rolled_back_now: c.by_state.pending ?? 0 };
      })(),
      reconcile_job: this.store.get<Record<string, unknown>>('reconcile_job') ?? null,
      pending_logins: this.store.pendingCount(),
      events_lost_total: totals.events_lost ?? 0,
      hook_deliveries_duplicate_total: totals.hook_deliveries_duplicate ?? 0,
      notifications_pending: this.store.outboxSize(),
      flag_write_through_pending: this.store.get<boolean>('kv_dirty') ?? false,
    };
  }

  /** Audits an admin change made outside the object (e.g. a client configuration version). */
  recordAdminChange(type: string, actor: string, data: Record<string, string | number | boolean | null>): void {
    this.store.appendAudit(type, actor, data);
  }

  audit(limit = 100, beforeSeq?: number): AuditEntry[] {
    return this.store.audit(Math.max(1, Math.min(500, limit)), beforeSeq);
  }

  metrics(): string {
    const streaks = this.store.get<Record<string, number>>('streaks') ?? {};
    const evaluations = this.measure(Date.now(), streaks).map((r) => ({ ...r, streak: streaks[r.rule] ?? 0 }));
    return prometheusText({ flag: this.getFlag(), totals: this.store.get<Record<string, number>>('totals') ?? {}, evaluations, pendingLogins: this.store.pendingCount(), outbox: this.store.outboxSize() });
  }
}

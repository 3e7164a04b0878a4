/**
 * Signup bookkeeping for the reconcile: signups captured by the Olympus
 * registration hook, the /login question "is this an Olympus-only user?",
 * the durable reconcile job a rollback starts, and its progress reports.
 */
import type { GatewayConfig } from '../config.ts';
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { LegacyKindId } from '../providers/kinds/kind.ts';
import type { CapturedSignup } from '../reconcile/signup-record.ts';
import { decide } from '../reconcile/identity-mapper.ts';
import type { ControllerStore } from './controller-store.ts';
import { CONTROLLER_ACTOR, type Outbox } from './outbox.ts';
import { SignupStore, type SignupRow } from './signup-store.ts';

export type SignupFields = Partial<Pick<SignupRow, 'state' | 'email_state' | 'auth0_user_id' | 'detail'>>;

export interface ReconcileProgress {
  status: 'running' | 'completed';
  total: number;
  done: number;
  totals: Record<string, number>;
}

/** What enables the gateway's reconcile job, per legacy kind (config.ts reconcileConfig). */
const RECONCILE_HINT = {
  auth0: 'set AUTH0_DOMAIN, AUTH0_MGMT_CLIENT_ID, AUTH0_MGMT_CLIENT_SECRET, AUTH0_CONNECTION, or run `switchback reconcile` from the Olympus side',
  cognito: 'set RECONCILE_JOB=on with the COGNITO_* admin access (COGNITO_ACCESS_KEY_ID, COGNITO_SECRET_ACCESS_KEY, the pool), or run `switchback reconcile` from the Olympus side',
  clerk: 'set RECONCILE_JOB=on with CLERK_SECRET_KEY, or run `switchback reconcile` from the Olympus side',
} as const satisfies Record<LegacyKindId, string>;

export class SignupLedger {
  readonly rows: SignupStore;

  constructor(
    sql: SqlStorage,
    private readonly store: ControllerStore,
    private readonly env: Env,
    private readonly config: () => GatewayConfig,
    private readonly outbox: Outbox,
  ) {
    this.rows = new SignupStore(sql);
  }

  /** Records a signup from the Olympus after-registration hook (idempotent). */
  capture(s: CapturedSignup): { captured: boolean } {
    const captured = this.rows.capture(s);
    // Identities imported from Auth0 already exist there: never part of a reconcile.
    const d = decide(s.identity);
    if (captured && d.action === 'skip') this.rows.update(s.id, { state: 'skipped', detail: d.detail });
    return { captured };
  }

  /** For /login: the answer only ever chooses where a browser is redirected (src/routes/login.ts). */
  isOlympusOnlyUser(email: string): boolean {
    if (typeof email !== 'string' || email.length === 0 || email.length > 254) return false;
    return this.rows.existsOnlyInOlympus(email);
  }

  progress(runId: string, p: ReconcileProgress): void {
    const job = this.store.get('reconcile_job');
    this.store.set('reconcile_job', { ...job, run_id: runId, ...p, updated_at: new Date().toISOString() });
    if (p.status === 'completed' || p.done === 0) {
      this.store.appendAudit(p.status === 'completed' ? 'reconcile.completed' : 'reconcile.started', 'switchback-reconcile', { run_id: runId, ...p });
      if (p.status === 'completed') this.outbox.notify('reconcile.progress', { reason: `reconcile ${runId} completed: ${JSON.stringify(p.totals)}`, actor: 'switchback-reconcile', dryRun: false, details: { ...p } }, Date.now());
    }
  }

  /** After a rollback: bring the captured Olympus signups back to the legacy provider, as a durable job. */
  async startReconcile(flag: FlagRecord): Promise<void> {
    const pending = this.rows.pendingIds(flag.rollback_at ?? new Date().toISOString()).length;
    if (!this.config().reconcile || !this.env.RECONCILE_WORKFLOW) {
      this.store.appendAudit('reconcile.not_configured', CONTROLLER_ACTOR, { pending_signups: pending, hint: RECONCILE_HINT[this.config().providers.auth0.kind === 'ory' ? 'auth0' : (this.config().providers.auth0.kind as LegacyKindId)] });
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

  /** What /status shows: counts since the migration started, and who a rollback would strand now. */
  summary(): ReturnType<SignupStore['counts']> & { stranded_if_rolled_back_now: number } {
    const c = this.rows.counts(this.store.get('migration_started_at') ?? null);
    // Signups that exist only in Olympus: the users a rollback would strand right now.
    return { ...c, stranded_if_rolled_back_now: c.by_state.pending ?? 0 };
  }
}

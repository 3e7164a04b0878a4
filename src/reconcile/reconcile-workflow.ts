/**
 * The durable reconcile job a rollback starts (Cloudflare Workflows): brings
 * the signups captured at the edge back to Auth0. Each batch is a step that
 * survives restarts and is retried with backoff; the controller object holds
 * each signup's state, so a retried step skips what is done, and a reset
 * email whose sending started is never sent twice.
 *
 * The worker cannot reach the Kratos admin API (firewalled), so this works
 * from the captured signups and always sends a reset email (no password hash
 * reaches the edge); `switchback reconcile`, run from the Olympus side, is the
 * complete pass that also carries passwords over.
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { configFromEnv } from '../config.ts';
import type { Env } from '../env.ts';
import { controller } from '../rollback/controller-client.ts';
import { Auth0ApiError, Auth0ManagementClient } from './auth0-management-client.ts';
import { createdByRun, decide, unusablePassword } from './identity-mapper.ts';
import { KratosAdminClient } from './kratos-admin-client.ts';
import type { KratosIdentity } from './kratos-identity.ts';

export interface ReconcileParams {
  runId: string;
  rollbackAt: string;
}

const BATCH = 20;

export type SignupOutcome = 'created' | 'exists' | 'skipped' | 'failed' | 'done';

export class ReconcileWorkflow extends WorkflowEntrypoint<Env, ReconcileParams> {
  override async run(event: Readonly<WorkflowEvent<ReconcileParams>>, step: WorkflowStep): Promise<Record<string, number>> {
    const { runId, rollbackAt } = event.payload;
    const ids = await step.do('list captured signups', async () => controller(this.env).pendingSignupIds(rollbackAt));
    const totals: Record<string, number> = { total: ids.length };
    await step.do('report start', async () => controller(this.env).reconcileProgress(runId, { status: 'running', total: ids.length, done: 0, totals }));
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const outcomes = await step.do(`batch ${i / BATCH + 1}`, { retries: { limit: 6, delay: '5 seconds', backoff: 'exponential' }, timeout: '10 minutes' }, async () => {
        const out: SignupOutcome[] = [];
        for (const id of batch) out.push(await this.one(id, runId));
        return out;
      });
      for (const o of outcomes) totals[o] = (totals[o] ?? 0) + 1;
      await step.do(`progress ${i / BATCH + 1}`, async () => controller(this.env).reconcileProgress(runId, { status: 'running', total: ids.length, done: Math.min(ids.length, i + BATCH), totals }));
    }
    await step.do('report end', async () => controller(this.env).reconcileProgress(runId, { status: 'completed', total: ids.length, done: ids.length, totals }));
    return totals;
  }

  /** One signup, idempotent: its state in the controller says what is left to do. */
  private async one(id: string, runId: string): Promise<SignupOutcome> {
    const cfg = configFromEnv(this.env).reconcile!;
    const ctl = controller(this.env);
    const row = await ctl.signup(id);
    if (!row || row.state === 'exists' || row.state === 'skipped' || row.state === 'failed') return 'done';
    const auth0 = new Auth0ManagementClient({ managementUrl: cfg.managementUrl, clientId: cfg.clientId, clientSecret: cfg.clientSecret, maxRetries: 3 });
    const identity = JSON.parse(row.identity) as KratosIdentity;
    if (row.state === 'pending') {
      const d = decide(identity, runId);
      if (d.action === 'skip') {
        await ctl.updateSignup(id, { state: 'skipped', detail: d.detail });
        return 'skipped';
      }
      const { password: _none, ...draft } = d.user;
      let userId: string | undefined;
      try {
        const created = await auth0.createUser({ ...draft, connection: cfg.connection, password: unusablePassword(), verify_email: false });
        if (created.status === 'created') userId = created.user.user_id;
        else {
          const existing = await auth0.usersByEmail(d.user.email);
          // Ours only if this run created it (a retried step); a user the CLI or an earlier run created was emailed by it.
          const ours = existing.find((u) => createdByRun(u, id, runId));
          if (!ours) {
            await ctl.updateSignup(id, { state: 'exists', auth0_user_id: existing[0]?.user_id ?? null, detail: 'already in Auth0' });
            return 'exists';
          }
          userId = ours.user_id;
        }
      } catch (err) {
        if (err instanceof Auth0ApiError && !err.retryable) {
          await ctl.updateSignup(id, { state: 'failed', detail: err.message });
          return 'failed';
        }
        throw err; // the step retries
      }
      await ctl.updateSignup(id, { state: 'created', auth0_user_id: userId ?? null });
    }
    const now = await ctl.signup(id);
    if (!now || now.email_state !== 'none' || !now.email) return 'created';
    // One courier, never two emails: if Olympus's courier already sent a recovery email, don't send ours.
    if (cfg.kratosAdminUrl) {
      try {
        const sent = await new KratosAdminClient(cfg.kratosAdminUrl, cfg.kratosAdminHeaders, 1).courierMessages(now.email);
        if (sent.some((m) => /recovery/i.test(m.template_type ?? ''))) {
          await ctl.updateSignup(id, { email_state: 'skipped_courier' });
          return 'created';
        }
      } catch {
        // Only where reachable.
      }
    }
    await ctl.updateSignup(id, { email_state: 'sending' });
    try {
      await auth0.sendPasswordChangeEmail(now.email, configFromEnv(this.env).providers.auth0.clientId, cfg.connection);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      // No answer: it may have been sent. Leave it `sending` (unconfirmed): never twice.
      if (err instanceof Auth0ApiError && err.status === 0) {
        await ctl.updateSignup(id, { detail });
        return 'created';
      }
      // Auth0 answered 429/5xx: nothing was sent; let the step retry.
      if (err instanceof Auth0ApiError && err.retryable) {
        await ctl.updateSignup(id, { email_state: 'none', detail });
        throw err;
      }
      await ctl.updateSignup(id, { email_state: 'failed', detail });
      return 'created';
    }
    await ctl.updateSignup(id, { email_state: 'sent' });
    return 'created';
  }
}

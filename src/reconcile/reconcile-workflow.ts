/**
 * The durable reconcile job a rollback starts (Cloudflare Workflows): brings
 * the signups captured at the edge back to the legacy provider through the
 * legacy kind's target (targets.ts: Auth0 or Cognito) and the same mark (legacy-mark.ts) as
 * `switchback reconcile` and `switchback mirror`. Each batch is a step that
 * survives restarts and is retried with backoff; the controller object holds
 * each signup's state, so a retried step skips what is done, and a reset
 * email whose sending started is never sent twice. Its totals use the
 * report's statuses (reconcile-report.ts).
 *
 * The worker cannot reach the Kratos admin API (firewalled), so this works
 * from the captured signups, which carry no password hash: a user the mirror
 * already brought back with its password is `mirrored` (no email); one it
 * brought back without gets its reset email claimed and sent here; the rest
 * are created with a reset email. `switchback reconcile`, run from the
 * Olympus side, is the complete pass that also carries passwords over.
 */
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { configFromEnv } from '../config.ts';
import type { Env } from '../env.ts';
import { controller } from '../rollback/controller-client.ts';
import type { SignupRow } from '../rollback/signup-store.ts';
import { reconcileTargetFromEnv, targetErrorFacts } from './targets.ts';
import { decide } from './identity-mapper.ts';
import { KratosAdminClient } from './kratos-admin-client.ts';
import type { KratosIdentity } from './kratos-identity.ts';
import { settleExisting } from './legacy-mark.ts';
import { resetSender } from './reset-mail.ts';
import { UserMailError } from '../comms/user-mail.ts';
import type { LineStatus } from './reconcile-report.ts';

export interface ReconcileParams {
  runId: string;
  rollbackAt: string;
}

const BATCH = 20;

/** A row settled by an earlier run or step, in the report's words. */
function settledStatus(row: SignupRow): LineStatus {
  switch (row.state) {
    case 'pending':
    case 'mirrored_reset':
      return 'failed'; // not reached: these rows are worked on
    case 'exists':
      return 'skipped_exists';
    case 'skipped':
      return 'skipped_legacy';
    case 'failed':
      return 'failed';
    case 'mirrored':
      return 'mirrored';
    case 'created':
      return row.email_state === 'sent' ? 'created_reset_sent' : row.email_state === 'sending' ? 'created_reset_unconfirmed' : row.email_state === 'skipped_courier' ? 'created_reset_skipped_courier' : row.email_state === 'failed' ? 'created_reset_failed' : 'created_password_kept';
  }
}

export class ReconcileWorkflow extends WorkflowEntrypoint<Env, ReconcileParams> {
  override async run(event: Readonly<WorkflowEvent<ReconcileParams>>, step: WorkflowStep): Promise<Record<string, number>> {
    const { runId, rollbackAt } = event.payload;
    const ids = await step.do('list captured signups', async () => controller(this.env).pendingSignupIds(rollbackAt));
    const totals: Record<string, number> = { total: ids.length };
    await step.do('report start', async () => controller(this.env).reconcileProgress(runId, { status: 'running', total: ids.length, done: 0, totals }));
    for (let i = 0; i < ids.length; i += BATCH) {
      const batch = ids.slice(i, i + BATCH);
      const outcomes = await step.do(`batch ${i / BATCH + 1}`, { retries: { limit: 6, delay: '5 seconds', backoff: 'exponential' }, timeout: '10 minutes' }, async () => {
        const out: LineStatus[] = [];
        for (const id of batch) out.push(await this.one(id, runId, rollbackAt));
        return out;
      });
      for (const o of outcomes) totals[o] = (totals[o] ?? 0) + 1;
      await step.do(`progress ${i / BATCH + 1}`, async () => controller(this.env).reconcileProgress(runId, { status: 'running', total: ids.length, done: Math.min(ids.length, i + BATCH), totals }));
    }
    await step.do('report end', async () => controller(this.env).reconcileProgress(runId, { status: 'completed', total: ids.length, done: ids.length, totals }));
    return totals;
  }

  /** One signup, idempotent: its state in the controller says what is left to do. */
  private async one(id: string, runId: string, rollbackAt: string): Promise<LineStatus> {
    const config = configFromEnv(this.env);
    const cfg = config.reconcile!;
    const ctl = controller(this.env);
    const row = await ctl.signup(id);
    if (!row) return 'failed';
    // mirrored_reset: the mirror created the user without a password; the work is its reset email (claimed below).
    const open = row.state === 'pending' || row.state === 'mirrored_reset';
    if (!open && row.state !== 'created') return settledStatus(row);
    if (row.state === 'created' && row.email_state !== 'none') return settledStatus(row);
    // The legacy kind's target from the Worker's variables (Auth0: the reconcile's AUTH0_MGMT_*; Cognito: COGNITO_*; Clerk: CLERK_*).
    const vars = this.env as unknown as Record<string, unknown>;
    const target = reconcileTargetFromEnv((name) => (typeof vars[name] === 'string' && vars[name] !== '' ? (vars[name] as string) : undefined), {
      auth0MaxRetries: 3,
      auth0ResetClientId: config.providers.auth0.clientId,
    });
    // USER_MAIL=webhook|ses: the reset goes out in the users' template (reset-mail.ts); config.ts made sure a status page is set.
    const mail = config.comms.userMail;
    const mailPath = mail.kind !== 'legacy' ? { mail, statusUrl: config.comms.statusPageUrl!, product: config.comms.productName, incidentAt: rollbackAt } : undefined;
    // Whether the provider's own email goes out (everything but Auth0's ticket under a mail path): a lost answer may mean it was sent.
    const providerSends = !mailPath || !target.resetLink;
    const identity = JSON.parse(row.identity) as KratosIdentity;
    if (open) {
      const d = decide(identity);
      if (d.action === 'skip') {
        await ctl.updateSignup(id, { state: 'skipped', detail: d.detail });
        return d.status;
      }
      try {
        const [r] = await target.create([d.user], { runId, by: 'reconcile', claimReset: true, bulk: false });
        if (r!.status === 'failed') {
          await ctl.updateSignup(id, { state: 'failed', detail: r!.detail });
          return 'failed';
        }
        if (r!.status === 'created') await ctl.updateSignup(id, { state: 'created', auth0_user_id: r!.userId ?? null });
        else {
          const s = settleExisting(await target.findByEmail(d.user.email), id, runId);
          if (s.kind === 'kept' && s.user.mark!.by === 'mirror') {
            await ctl.updateSignup(id, { state: 'mirrored', auth0_user_id: s.user.id, detail: `mirrored by ${s.user.mark!.run} with its password: no email` });
            return 'mirrored';
          }
          if (s.kind === 'other' || s.kind === 'claimed' || s.kind === 'kept') {
            // Someone else's user, or one whose email another run sends: never a second email.
            await ctl.updateSignup(id, { state: 'exists', auth0_user_id: s.user?.id ?? null, detail: s.kind === 'kept' ? `created by ${s.user.mark!.run} with its password` : s.kind === 'claimed' ? `created by ${s.user.mark!.run}, its reset email is ${s.user.mark!.resetClaimedBy}'s` : 'already in Auth0' });
            return 'skipped_exists';
          }
          await ctl.updateSignup(id, { state: 'created', auth0_user_id: s.user.id, ...(s.kind === 'claim' ? { detail: `mirrored by ${s.user.mark!.run} without a password` } : {}) });
        }
      } catch (err) {
        if (targetErrorFacts(err)?.retryable === false) {
          await ctl.updateSignup(id, { state: 'failed', detail: (err as Error).message });
          return 'failed';
        }
        throw err; // the step retries
      }
    }
    const now = await ctl.signup(id);
    if (!now || now.email_state !== 'none' || !now.email) return now ? settledStatus(now) : 'failed';
    // A user this run did not create (the mirror's, without a password): its reset email is claimed first.
    const user = now.auth0_user_id ? await target.get(now.auth0_user_id) : undefined;
    const claim = user?.mark && user.mark.resetClaimedBy !== runId ? user : undefined;
    if (claim?.mark?.resetClaimedBy !== undefined) {
      await ctl.updateSignup(id, { state: 'exists', detail: `its reset email is ${claim.mark.resetClaimedBy}'s` });
      return 'skipped_exists';
    }
    // One courier, never two emails: if Olympus's courier already sent a recovery email, don't send ours.
    if (cfg.kratosAdminUrl) {
      try {
        const sent = await new KratosAdminClient(cfg.kratosAdminUrl, cfg.kratosAdminHeaders, 1).courierMessages(now.email);
        if (sent.some((m) => /recovery/i.test(m.template_type ?? ''))) {
          await ctl.updateSignup(id, { email_state: 'skipped_courier' });
          return 'created_reset_skipped_courier';
        }
      } catch {
        // Only where reachable.
      }
    }
    await ctl.updateSignup(id, { email_state: 'sending' });
    let outcome;
    try {
      if (claim) await target.claimReset(claim, runId);
      outcome = await resetSender(target, mailPath)({ email: now.email, identityId: id, runId });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      const facts = targetErrorFacts(err);
      // No answer from the provider's own reset (Auth0's change_password, Cognito's AdminResetUserPassword), or from SES:
      // it may have been sent. Leave it `sending` (unconfirmed): never twice. (A ticket error comes before any email,
      // and the webhook relay dedups by key: those are retried.)
      if ((providerSends && facts?.answered === false) || (err instanceof UserMailError && err.reason === 'unconfirmed')) {
        await ctl.updateSignup(id, { detail });
        return 'created_reset_unconfirmed';
      }
      // 429/5xx (or the relay's lost answer, safe to repeat under its idempotency key): nothing was sent; let the step retry.
      if (facts?.retryable || (err instanceof UserMailError && err.retryable)) {
        await ctl.updateSignup(id, { email_state: 'none', detail });
        throw err;
      }
      await ctl.updateSignup(id, { email_state: 'failed', detail });
      return 'created_reset_failed';
    }
    if (outcome === 'needs_reset') {
      await ctl.updateSignup(id, { email_state: 'sent', detail: `${target.kind} cannot send a reset email: the user resets at sign-in` });
      return 'created_needs_reset';
    }
    await ctl.updateSignup(id, { email_state: 'sent', ...(outcome === 'sent_by_mail_path' ? { detail: 'reset email sent by the user-mail path' } : {}) });
    return 'created_reset_sent';
  }
}

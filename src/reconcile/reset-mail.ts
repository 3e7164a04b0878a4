/**
 * Who sends a reconciled user's reset email, and in which words. Without a
 * user-mail path (USER_MAIL=legacy) the target's provider sends its own
 * (`sent`), or cannot (`needs_reset`). With one (src/comms/user-mail.ts) the
 * users read the same text as the rest of the incident's communication
 * (templates.ts `userEmail`, which never mentions the migration):
 *
 * - a target with a reset link of its own (Auth0's password-change ticket,
 *   which sends nothing) gets the link into the template: the provider's own
 *   email is not sent, so nobody gets two;
 * - a target with no reset email at all (Clerk: `needs_reset`) gets the
 *   template with the reset page the team configured (USER_MAIL_RESET_URL,
 *   the app's forgot-password page); without one it stays `needs_reset`;
 * - any other target sends its own, as before.
 *
 * At most one email per person is still the reset claim's job
 * (legacy-mark.ts) and the engine's journal; the idempotency key (run id +
 * Olympus identity id) makes a retried send after a lost answer safe at the
 * relay (SES has none: a lost answer there is `unconfirmed`, never resent).
 * Used by the CLI (reconcile-run.ts) and the Workflow alike.
 */
import { incidentDate, userEmail } from '../comms/templates.ts';
import { sendUserMail, type UserMailPath } from '../comms/user-mail.ts';
import type { ReconcileTarget, ResetOutcome } from './reconcile-target.ts';

export interface ResetMailPath {
  /** The webhook relay or Amazon SES (src/comms/user-mail.ts). */
  mail: UserMailPath;
  /** STATUS_PAGE_URL: the template's "Full details" link. */
  statusUrl: string;
  /** STATUS_PRODUCT_NAME. */
  product: string;
  /** The rollback's time (ISO): the template's date. */
  incidentAt: string;
  fetch?: typeof fetch;
}

export interface ResetRequest {
  email: string;
  /** The Olympus identity id: with the run id, the email's idempotency key. */
  identityId: string;
  runId: string;
}

export type ResetSender = (r: ResetRequest) => Promise<ResetOutcome>;

/** The relay's idempotency key for one person's reset email in one run. */
export function resetIdempotencyKey(runId: string, identityId: string): string {
  return `reset:${runId}:${identityId}`;
}

export function resetSender(target: ReconcileTarget, path: ResetMailPath | undefined): ResetSender {
  if (!path) return (r) => target.sendReset(r.email);
  const send = async (r: ResetRequest, resetUrl: string): Promise<ResetOutcome> => {
    const t = userEmail({ status_url: path.statusUrl, reset_url: resetUrl, product: path.product, date: incidentDate(path.incidentAt) });
    await sendUserMail(path.mail, { to: r.email, subject: t.subject, text: t.text, idempotencyKey: resetIdempotencyKey(r.runId, r.identityId) }, path.fetch);
    return 'sent_by_mail_path';
  };
  return async (r) => {
    if (target.resetLink) return send(r, await target.resetLink(r.email));
    const own = await target.sendReset(r.email);
    if (own === 'needs_reset' && path.mail.resetUrl) return send(r, path.mail.resetUrl);
    return own;
  };
}

/**
 * The reconcile report, the one format of the CLI, the Workflow (its totals
 * use the same statuses) and the mirror's rollback summary: one line per
 * identity in the window, exactly one status each, and the totals. Nothing
 * silently lost: an identity that could not be handled is a `failed` line
 * with its reason. `mirrored` lines were already in the legacy provider with
 * their password (the mirror wrote them): no email; a line with
 * `mirrored_by` and a reset status was mirrored without a password, and the
 * reconcile sent its one reset email. `password_changed_*` lines are users
 * imported from the legacy provider who changed their password in Olympus:
 * the mirror carried the new one back, or this run sent one reset email.
 */
import type { ResetOutcome } from './reconcile-target.ts';

export type LineStatus =
  | 'created_password_kept'
  | 'created_reset_sent'
  | 'created_reset_skipped_courier'
  | 'created_reset_unconfirmed'
  | 'created_reset_failed'
  | 'created_needs_reset'
  | 'mirrored'
  /** Imported from the legacy provider, changed their password in Olympus (legacy-password.ts): the mirror carried it back, no email. */
  | 'password_changed_carried'
  /** … no mirror watched it: this run put Olympus's current hash on the legacy user in place (Clerk), no email. */
  | 'password_carried_in_place'
  /** … the legacy provider holds the old one: this run claimed and sent the one reset email. */
  | 'password_changed_reset_sent'
  /** … its reset email is another run's (claimed): no second email. */
  | 'password_changed_reset_claimed'
  | 'skipped_exists'
  | 'skipped_legacy'
  | 'skipped_no_email'
  | 'skipped_inactive'
  | 'would_create'
  | 'failed';

/** Why a created user's password did not come along: Olympus had none, or the target cannot take its hash. */
export type PasswordResetReason = 'no_password_in_olympus' | `hash_not_accepted_by_${'auth0' | 'cognito' | 'clerk'}`;

export interface ReportLine {
  identity_id: string;
  email?: string;
  created_at: string;
  status: LineStatus;
  auth0_user_id?: string;
  /** Who sent the reset email (reconcile-target.ts ResetOutcome): the provider, switchback's user-mail path, or nobody. */
  reset?: ResetOutcome;
  /** Whether the Olympus password came along (`kept`) or the user resets it (`reset`), and why not (`password_reason`). */
  password?: 'kept' | 'reset';
  password_reason?: PasswordResetReason;
  /** The mirror run that had already created this user in the legacy provider. */
  mirrored_by?: string;
  detail?: string;
}

export interface Report {
  schema: 'switchback.reconcile.report.v1';
  run_id: string;
  window: { from: string; to: string };
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  scanned: number;
  totals: Partial<Record<LineStatus, number>> & { in_window: number };
  lines: ReportLine[];
}

export function totals(lines: readonly ReportLine[]): Report['totals'] {
  const t: Report['totals'] = { in_window: lines.length };
  for (const l of lines) t[l.status] = (t[l.status] ?? 0) + 1;
  return t;
}

/** Which users the mirror had already brought back, and which needed this reconcile. */
export function mirrorSplit(lines: readonly ReportLine[]): { mirrored: number; mirroredEmailed: number; reconciled: number } {
  let mirrored = 0;
  let mirroredEmailed = 0;
  let reconciled = 0;
  for (const l of lines) {
    if (l.status === 'mirrored') mirrored++;
    else if (l.mirrored_by) mirroredEmailed++;
    else if (isCreated(l.status)) reconciled++;
  }
  return { mirrored, mirroredEmailed, reconciled };
}

export function isCreated(status: LineStatus): boolean {
  return status.startsWith('created_');
}

/** A readable table for the terminal: totals first, then the lines that need a look. */
export function reportTable(r: Report): string {
  const out: string[] = [];
  out.push(`reconcile ${r.run_id}${r.dry_run ? ' (dry run)' : ''}: ${r.window.from} .. ${r.window.to}`);
  out.push(`scanned ${r.scanned} identities, ${r.totals.in_window} in the window`);
  out.push('');
  out.push('status                          count');
  out.push('------------------------------  -----');
  for (const [k, v] of Object.entries(r.totals)) if (k !== 'in_window') out.push(`${k.padEnd(30)}  ${String(v).padStart(5)}`);
  const m = mirrorSplit(r.lines);
  if (m.mirrored || m.mirroredEmailed) {
    out.push('');
    out.push(`already mirrored (no email): ${m.mirrored}; mirrored without a password (one reset email): ${m.mirroredEmailed}; needed the reconcile: ${m.reconciled}`);
  }
  const paths = { sent: 0, sent_by_mail_path: 0, needs_reset: 0 };
  for (const l of r.lines) if (l.reset) paths[l.reset]++;
  if (paths.sent_by_mail_path || paths.needs_reset) {
    out.push('');
    out.push(`reset emails: ${paths.sent} by the legacy provider, ${paths.sent_by_mail_path} by the user-mail path, ${paths.needs_reset} not sent (reset at sign-in)`);
  }
  const attention = r.lines.filter((l) => l.status === 'failed' || l.status === 'created_reset_unconfirmed' || l.status === 'created_reset_failed');
  if (attention.length) {
    out.push('');
    out.push('needs attention:');
    for (const l of attention.slice(0, 50)) out.push(`  ${l.identity_id}  ${l.email ?? '-'}  ${l.status}  ${l.detail ?? ''}`);
    if (attention.length > 50) out.push(`  … and ${attention.length - 50} more in the JSON report`);
  }
  return out.join('\n');
}

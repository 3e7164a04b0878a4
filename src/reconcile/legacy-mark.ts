/**
 * The one definition of "a user switchback created" and of "who sends its
 * reset email", shared by the Workflow, `switchback reconcile`, its `--undo`
 * and `switchback mirror`. Pure.
 *
 * Every legacy user switchback creates carries a mark (Auth0: app_metadata;
 * other targets: their metadata fields): the Olympus id, the writer's run id,
 * whether the password hash came along (`kept`) or the user must reset it
 * (`reset`), and, for `reset`, which run claimed the reset email. The claim is
 * written before the email is sent (a reconcile writes it with the user
 * itself; the mirror creates users unclaimed, and the first reconcile after a
 * rollback claims them): whoever sees a claim never sends. That mark, held by
 * the legacy provider every writer reaches, is the ledger of emails: nobody
 * gets two, whether the Workflow, the CLI or both run after the mirror.
 *
 * Users created before the mark had `password` (older reconcile runs) were
 * emailed by the run that created them: their claim is that run.
 */
import type { TargetUser } from './reconcile-target.ts';

export interface LegacyMark {
  olympusId: string;
  /** The run that created the user (a reconcile run id, or `mirror-…`). */
  run: string;
  by: 'reconcile' | 'mirror';
  /** `kept`: the Olympus hash came along, no email needed; `reset`: the user must reset; undefined: an older mark. */
  password: 'kept' | 'reset' | undefined;
  /** The run that claimed (and so sends, or sent) the reset email. */
  resetClaimedBy: string | undefined;
}

/** The mark as Auth0 app_metadata keys (flat: Auth0 merges app_metadata at the top level on PATCH). */
export interface MarkMetadata {
  olympus_id: string;
  olympus_external_id?: string;
  olympus_created_at: string;
  reconciled_by: 'switchback';
  reconcile_run: string;
  written_by: 'reconcile' | 'mirror';
  password: 'kept' | 'reset';
  reset_claimed_by?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Reads a mark from metadata; undefined when switchback did not create the user. */
export function markOf(meta: Record<string, unknown> | undefined | null): LegacyMark | undefined {
  if (!meta || meta.reconciled_by !== 'switchback') return undefined;
  const olympusId = str(meta.olympus_id);
  const run = str(meta.reconcile_run);
  if (!olympusId || !run) return undefined;
  const password = meta.password === 'kept' || meta.password === 'reset' ? meta.password : undefined;
  const by = meta.written_by === 'mirror' ? 'mirror' : 'reconcile';
  // An older mark (no `password`): the creating run sent whatever email was owed.
  const resetClaimedBy = str(meta.reset_claimed_by) ?? (password === undefined ? run : undefined);
  return { olympusId, run, by, password, resetClaimedBy };
}

/** Created by switchback for this Olympus identity (any run, any writer). */
export function createdBySwitchback(user: Pick<TargetUser, 'mark'>, identityId: string): boolean {
  return user.mark?.olympusId === identityId;
}

/** Created by this very run for this identity: the only users `--undo` of that run removes. */
export function createdByRun(user: Pick<TargetUser, 'mark'>, identityId: string, runId: string): boolean {
  return createdBySwitchback(user, identityId) && user.mark!.run === runId;
}

/**
 * What a writer does with an identity whose email is already taken:
 * - `ours`: this run created it (an interrupted run resuming): carry on;
 * - `kept`: switchback created it with the password (the mirror, or another
 *   run): nothing to do, no email;
 * - `claim`: switchback created it without a password and nobody has claimed
 *   its reset email (the mirror's users): claim it, then send;
 * - `claimed`: switchback created it and another run claimed its email: that run sends it;
 * - `other`: not switchback's user (the person's own account): left alone, never emailed.
 */
export type Settlement =
  | { kind: 'ours'; user: TargetUser }
  | { kind: 'kept'; user: TargetUser }
  | { kind: 'claim'; user: TargetUser }
  | { kind: 'claimed'; user: TargetUser }
  | { kind: 'other'; user: TargetUser | undefined };

export function settleExisting(users: readonly TargetUser[], identityId: string, runId: string): Settlement {
  const mine = users.find((u) => createdBySwitchback(u, identityId));
  if (!mine) return { kind: 'other', user: users[0] };
  const m = mine.mark!;
  if (m.run === runId) return { kind: 'ours', user: mine };
  if (m.password === 'kept') return { kind: 'kept', user: mine };
  if (m.resetClaimedBy === undefined) return { kind: 'claim', user: mine };
  if (m.resetClaimedBy === runId) return { kind: 'ours', user: mine };
  return { kind: 'claimed', user: mine };
}

/** The metadata a writer records on a user it creates. */
export function markMetadata(d: { identityId: string; externalId?: string; createdAt: string }, o: { runId: string; by: 'reconcile' | 'mirror'; passwordKept: boolean; claimReset: boolean }): MarkMetadata {
  return {
    olympus_id: d.identityId,
    ...(d.externalId ? { olympus_external_id: d.externalId } : {}),
    olympus_created_at: d.createdAt,
    reconciled_by: 'switchback',
    reconcile_run: o.runId,
    written_by: o.by,
    password: o.passwordKept ? 'kept' : 'reset',
    ...(!o.passwordKept && o.claimReset ? { reset_claimed_by: o.runId } : {}),
  };
}

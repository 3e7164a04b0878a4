/**
 * The reverse of the password migration hook, for a rollback. A user imported
 * from the legacy provider (metadata_admin.legacy_auth0_id) moved their
 * password to Olympus through the hook (Kratos stored its own hash of the
 * same password); if they then CHANGE it in Olympus, the legacy provider
 * still holds the old one, and a rollback would quietly undo the change (and
 * revive a password the user may have changed because it leaked). Pure:
 *
 * - Noticing a change (`observePassword`): the mirror keeps, per imported
 *   identity, a digest of the hash it last saw. Kratos's own data cannot tell
 *   the hook's first hash from a later change (both rewrite the credential's
 *   config and `updated_at`), so the order of observations does: `pending`
 *   (imported, no hash yet) then a first hash is the hook's migration; a hash
 *   that differs from a known earlier hash is a change. A settings web hook
 *   (Kratos sends none for imported identities' logins, only for settings
 *   flows) that finds a hash other than the one known, even after `pending`,
 *   is a change too: that covers "migrated and changed between two sweeps".
 *   An identity first seen already with a hash is taken as migrated (the
 *   mirror cannot know better: run it from the import on).
 * - Carrying it back (`legacyPasswordAction`): a target says, per hash,
 *   whether it replaces a hash `in_place` (Clerk: PATCH password_digest),
 *   only by deleting and recreating the user (`recreate_only`, Auth0), or not
 *   at all (`unsupported`, Cognito, or a hash format it cannot take). The
 *   default never recreates a REAL account (that drops its MFA enrolments,
 *   linked identities, login history): it records a note on the legacy user
 *   instead, and the first reconcile after a rollback sends that user one
 *   reset email through the same claim as every other (legacy-mark.ts).
 *   MIRROR_LEGACY_PASSWORD_CHANGES=recreate opts in to the recreate.
 */

export type LegacyHashCapability = 'in_place' | 'recreate_only' | 'unsupported';

/** MIRROR_LEGACY_PASSWORD_CHANGES: `reset` (default) or `recreate`. */
export type LegacyPasswordPolicy = 'reset' | 'recreate';

export type LegacyPasswordAction = 'replace' | 'note_reset';

export function parseLegacyPasswordPolicy(v: string | undefined): LegacyPasswordPolicy {
  if (v === undefined || v === '' || v === 'reset') return 'reset';
  if (v === 'recreate') return 'recreate';
  throw new Error(`MIRROR_LEGACY_PASSWORD_CHANGES must be "reset" or "recreate", not ${JSON.stringify(v)}`);
}

/** What the mirror does with a password changed in Olympus by a user imported from the legacy provider. */
export function legacyPasswordAction(capability: LegacyHashCapability, policy: LegacyPasswordPolicy): LegacyPasswordAction {
  switch (capability) {
    case 'in_place':
      return 'replace';
    case 'recreate_only':
      return policy === 'recreate' ? 'replace' : 'note_reset';
    case 'unsupported':
      return 'note_reset';
  }
}

/** What the mirror knows of an imported identity's password: `pending` (the hook has not run) or a digest of the last hash seen. */
export type PasswordSeen = 'pending' | `h:${string}`;

/**
 * `changed`: the hash now differs from the one the user migrated with (or
 * last changed to): carry it back. `seen` is what to remember.
 */
export function observePassword(before: PasswordSeen | undefined, now: PasswordSeen, trigger: 'hook' | 'sweep'): { seen: PasswordSeen; changed: boolean } {
  if (now === 'pending' || before === now) return { seen: now, changed: false };
  if (before === undefined) return { seen: now, changed: false };
  if (before === 'pending') return { seen: now, changed: trigger === 'hook' };
  return { seen: now, changed: true };
}

/** A stable, short digest of a hash: the journal never holds the hash itself. */
export async function passwordSeen(hash: string | undefined): Promise<PasswordSeen> {
  if (!hash) return 'pending';
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(hash)));
  return `h:${[...d.slice(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The note the mirror leaves on the legacy user (Auth0: app_metadata, flat
 * keys): when it noticed the change, which mirror, and whether the legacy
 * provider now holds the new hash (`carried`) or still the old one (`reset`:
 * a reset email is owed at rollback). `reset_claimed_by` is legacy-mark.ts's
 * claim key: whoever claims it sends the one email.
 */
export interface PasswordChangeNote {
  at: string;
  by: string;
  state: 'carried' | 'reset';
  resetClaimedBy: string | undefined;
}

export interface PasswordChangeMetadata {
  password_changed_in_olympus: string;
  password_change_noted_by: string;
  password_change_state: 'carried' | 'reset';
}

export function noteMetadata(n: Pick<PasswordChangeNote, 'at' | 'by' | 'state'>): PasswordChangeMetadata {
  return { password_changed_in_olympus: n.at, password_change_noted_by: n.by, password_change_state: n.state };
}

export function noteOf(m: object | undefined | null): PasswordChangeNote | undefined {
  const meta = m as Record<string, unknown> | undefined | null;
  const at = meta?.password_changed_in_olympus;
  const by = meta?.password_change_noted_by;
  const state = meta?.password_change_state;
  if (typeof at !== 'string' || typeof by !== 'string' || (state !== 'carried' && state !== 'reset')) return undefined;
  const claim = meta!.reset_claimed_by;
  return { at, by, state, resetClaimedBy: typeof claim === 'string' && claim !== '' ? claim : undefined };
}

/** Would sign in with their OLD password if rolled back now: the reset email is owed and nobody has claimed it. */
export function resetOwed(n: PasswordChangeNote | undefined): boolean {
  return n?.state === 'reset' && n.resetClaimedBy === undefined;
}

/**
 * The mirror's journal (an append-only journal.ts): what it has written to
 * the legacy provider for each Olympus identity, so a restarted mirror
 * neither loses nor duplicates anyone. Folded on start, then compacted to one
 * event per identity (the only full rewrite, once per start).
 *
 * A `rehashing` event is written before a password hash is replaced (delete
 * + re-import on Auth0); without the `mirrored` event that follows, the fold
 * marks the identity's hash as not yet carried, and the next pass finishes it.
 * The same holds for a password changed in Olympus by an identity imported
 * from the legacy provider (`skipped` with `legacy`, legacy-password.ts); when
 * carrying it back means deleting and re-importing that real account (Auth0,
 * MIRROR_LEGACY_PASSWORD_CHANGES=recreate), a second `rehashing` event holds
 * the account as it was (`kept`: profile and metadata, never a hash), written
 * before the delete, so the pass that finishes it puts those back.
 */
import type { Journal } from '../reconcile/journal.ts';
import type { PasswordSeen } from '../reconcile/legacy-password.ts';
import type { LegacyAccountSnapshot } from '../reconcile/reconcile-target.ts';

/** The reason of a `skipped` event for an address a legacy account (not switchback's) holds: `${ALREADY_THERE} <kind>, ${NOT_OURS}`. */
export const ALREADY_THERE = 'already in';
export const NOT_OURS = 'not created by switchback';

/**
 * An identity imported from the legacy provider (skipped: it is there
 * already): its legacy user id, the digest of the password hash last seen
 * (legacy-password.ts), and the last password change carried back or noted.
 */
export interface LegacyPasswordTrack {
  user_id: string;
  seen: PasswordSeen;
  change?: { at: string; state: 'carried' | 'reset' };
}

export type MirrorEvent =
  | { e: 'start'; run_id: string; at: string }
  | { e: 'mirrored'; id: string; user_id?: string; email: string; fp: string; password: 'kept' | 'reset'; created_at: string; at: string }
  | { e: 'skipped'; id: string; fp: string; reason: string; legacy?: LegacyPasswordTrack; kept?: LegacyAccountSnapshot; owned?: boolean }
  | { e: 'failed'; id: string; detail: string; created_at: string; at: string }
  | { e: 'rehashing'; id: string; kept?: LegacyAccountSnapshot }
  | { e: 'reported'; ids: string[] }
  | { e: 'sweep'; at: string; seen: number };

export interface MirroredEntry {
  status: 'mirrored' | 'skipped' | 'failed';
  userId?: string;
  email?: string;
  /** Fingerprint of what was written (identity-mapper.ts draftFingerprint, or `skip:<reason>`). */
  fp: string;
  password?: 'kept' | 'reset';
  createdAt?: string;
  detail?: string;
  /** Sent to the controller in a heartbeat (it then counts the signup as mirrored). */
  reported: boolean;
  legacy?: LegacyPasswordTrack;
  /** The legacy account as it was before an unfinished delete + re-import (`rehashing` with `kept`). */
  kept?: LegacyAccountSnapshot;
  /**
   * For a signup whose address an account of the legacy provider already
   * holds, one switchback did not create: true when that account predates the
   * signup (reported to the controller as `legacy_owned`, so /login stops
   * treating the address as Olympus-only), false when it came after.
   */
  owned?: boolean;
}

export interface MirrorState {
  runId: string | undefined;
  entries: Map<string, MirroredEntry>;
  lastSweep: { at: string; seen: number } | undefined;
}

/** Folds events onto `s` (a new state by default). */
export function foldMirror(events: readonly MirrorEvent[], s: MirrorState = { runId: undefined, entries: new Map(), lastSweep: undefined }): MirrorState {
  for (const ev of events) {
    switch (ev.e) {
      case 'start':
        s.runId ??= ev.run_id;
        break;
      case 'mirrored': {
        const before = s.entries.get(ev.id);
        s.entries.set(ev.id, { status: 'mirrored', ...(ev.user_id ? { userId: ev.user_id } : before?.userId ? { userId: before.userId } : {}), email: ev.email, fp: ev.fp, password: ev.password, createdAt: ev.created_at, reported: (before?.reported ?? false) && before?.password === ev.password });
        break;
      }
      case 'skipped': {
        // Only a legacy-owned address is the controller's business (until it has heard, it is reported again).
        // Written before `owned` existed: looked at again by the next sweep (fp 'retry'), which decides it.
        const unjudged = ev.owned === undefined && ev.reason.endsWith(NOT_OURS) && !ev.fp.startsWith('skip:');
        s.entries.set(ev.id, { status: 'skipped', fp: unjudged ? 'retry' : ev.fp, detail: ev.reason, reported: ev.owned !== true, ...(ev.legacy ? { legacy: ev.legacy } : {}), ...(ev.kept ? { kept: ev.kept } : {}), ...(ev.owned !== undefined ? { owned: ev.owned } : {}) });
        break;
      }
      case 'failed': {
        const before = s.entries.get(ev.id);
        // A user already mirrored stays mirrored; the failed change is retried by the next sweep.
        if (before?.status === 'mirrored') s.entries.set(ev.id, { ...before, fp: 'retry' });
        // An imported identity whose password change failed to go back: still owed (the next pass retries it).
        else if (before?.legacy) s.entries.set(ev.id, { ...before, fp: before.fp === 'rehash-pending' ? before.fp : 'retry' });
        else s.entries.set(ev.id, { status: 'failed', fp: 'failed', detail: ev.detail, createdAt: ev.created_at, reported: true });
        break;
      }
      case 'rehashing': {
        const before = s.entries.get(ev.id);
        if (before) s.entries.set(ev.id, { ...before, fp: 'rehash-pending', ...(ev.kept ? { kept: ev.kept } : {}) });
        break;
      }
      case 'reported':
        for (const id of ev.ids) {
          const e = s.entries.get(id);
          if (e) e.reported = true;
        }
        break;
      case 'sweep':
        s.lastSweep = { at: ev.at, seen: ev.seen };
        break;
    }
  }
  return s;
}

/** The state as the fewest events (compaction). */
export function compactMirror(s: MirrorState, runId: string): MirrorEvent[] {
  const out: MirrorEvent[] = [{ e: 'start', run_id: runId, at: new Date().toISOString() }];
  const reported: string[] = [];
  for (const [id, m] of s.entries) {
    if (m.status === 'mirrored') out.push({ e: 'mirrored', id, ...(m.userId ? { user_id: m.userId } : {}), email: m.email!, fp: m.fp, password: m.password!, created_at: m.createdAt!, at: new Date().toISOString() });
    else if (m.status === 'skipped') out.push({ e: 'skipped', id, fp: m.fp, reason: m.detail ?? '', ...(m.legacy ? { legacy: m.legacy } : {}), ...(m.kept && m.fp === 'rehash-pending' ? { kept: m.kept } : {}), ...(m.owned !== undefined ? { owned: m.owned } : {}) });
    // Failed identities are not kept: the first sweep finds them again.
    if ((m.status === 'mirrored' || m.owned === true) && m.reported) reported.push(id);
  }
  if (reported.length) out.push({ e: 'reported', ids: reported });
  if (s.lastSweep) out.push({ e: 'sweep', ...s.lastSweep });
  return out;
}

export type MirrorJournal = Journal<MirrorEvent>;

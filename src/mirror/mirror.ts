/**
 * `switchback mirror`'s engine: keeps the legacy provider a copy of Olympus,
 * so a rollback strands nobody. Triggers put identity ids on a bounded queue
 * (Kratos registration and settings web hooks; the periodic sweep of
 * GET /admin/identities, the safety net for a lost hook); each pass takes a
 * batch, reads the identities with their password hashes
 * (include_credential=password), and through the legacy kind's
 * ReconcileTarget:
 *
 * - creates the new ones (with the hash where the target takes it; unclaimed
 *   reset email otherwise: the first reconcile after a rollback sends it),
 * - updates email and names that changed, and replaces a changed hash where
 *   the target allows it (Auth0: delete + re-import under the same id),
 * - for an identity imported FROM the legacy provider (otherwise skipped: it
 *   is there already), notices a password changed in Olympus after the
 *   migration hook moved it, and carries the hash back where the target
 *   replaces one in place, or records that the legacy side still holds the
 *   old password (legacy-password.ts; MIRROR_LEGACY_PASSWORD_CHANGES),
 * - adopts a user switchback already created for that identity (a mirror
 *   killed before it journaled, or a reconcile), and leaves anyone else's
 *   account alone.
 *
 * Everything written is journaled (mirror-journal.ts): idempotent and
 * resumable. The target paces itself on the provider's rate-limit headers;
 * the queue is bounded (a hook beyond it is dropped and counted, and the next
 * sweep finds that identity). The status says the lag (oldest unmirrored
 * signup), the backlog and the last sweep, for the controller's heartbeat.
 */
import { decide, draftFingerprint, draftOf, legacyIdOf } from '../reconcile/identity-mapper.ts';
import { legacyPasswordAction, observePassword, passwordSeen, type LegacyPasswordPolicy } from '../reconcile/legacy-password.ts';
import type { KratosAdminClient } from '../reconcile/kratos-admin-client.ts';
import { ALREADY_THERE, NOT_OURS } from './mirror-journal.ts';
import type { KratosIdentity } from '../reconcile/kratos-identity.ts';
import { createdBySwitchback } from '../reconcile/legacy-mark.ts';
import type { LegacyUserDraft, ReconcileTarget, TargetUser } from '../reconcile/reconcile-target.ts';
import { compactMirror, foldMirror, type MirrorEvent, type MirrorJournal, type MirroredEntry, type MirrorState } from './mirror-journal.ts';
import type { MirrorReport } from '../rollback/meta-keys.ts';

export interface MirrorOptions {
  kratos: KratosAdminClient;
  target: ReconcileTarget;
  journal: MirrorJournal;
  /** Most identities waiting at once (MIRROR_MAX_BACKLOG). */
  maxBacklog?: number;
  /** Identities per pass (one import job on Auth0). */
  batchMax?: number;
  sweepPageSize?: number;
  /** MIRROR_LEGACY_PASSWORD_CHANGES: what to do where the target can take a changed password only by recreating a real user (default `reset`). */
  legacyPasswordChanges?: LegacyPasswordPolicy;
  now?: () => number;
  log?: (line: string) => void;
}

interface Queued {
  id: string;
  source: 'hook' | 'sweep';
  /** When the trigger arrived (ms). */
  since: number;
  createdAt?: string;
  identity?: KratosIdentity;
}

/** What a heartbeat carries of one identity: mirrored (with or without its password), or its email held by a legacy account. */
export type UnreportedSignup = { id: string; password: 'kept' | 'reset' } | { id: string; owned: true };

/** What the mirror reports (heartbeat, /healthz, benchmarks): the controller's MirrorReport. */
export type MirrorSnapshot = MirrorReport;

const fpOf = (d: LegacyUserDraft, target: ReconcileTarget) => {
  const f = draftFingerprint(d);
  // A hash the target cannot take is not "carried": changing it changes nothing there.
  return JSON.stringify([f.profile, d.hash && target.acceptsHash(d.hash) ? f.hash : '']);
};

const legacyFpOf = (seen: string) => `skip:skipped_legacy:${seen}`;
const legacyFp = async (identity: KratosIdentity) => legacyFpOf(await passwordSeen(identity.credentials?.password?.config?.hashed_password || undefined));

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export class Mirror {
  readonly #o: Required<Omit<MirrorOptions, 'log'>> & Pick<MirrorOptions, 'log'>;
  readonly #state: MirrorState;
  readonly #queue = new Map<string, Queued>();
  readonly #lags: number[] = [];
  #hooks = 0;
  #dropped = 0;
  #waiters: (() => void)[] = [];

  private constructor(o: MirrorOptions, state: MirrorState) {
    this.#o = { maxBacklog: 10_000, batchMax: 500, sweepPageSize: 500, legacyPasswordChanges: 'reset', now: Date.now, ...o };
    this.#state = state;
  }

  /** Replays and compacts the journal; the run id survives restarts (the mark's `run`). */
  static async open(o: MirrorOptions): Promise<Mirror> {
    const state = foldMirror(await o.journal.read());
    const runId = state.runId ?? `mirror-${new Date((o.now ?? Date.now)()).toISOString().replace(/[:.]/g, '').slice(0, 15)}-${crypto.randomUUID().slice(0, 6)}`;
    state.runId = runId;
    for (const [id, e] of state.entries) if (e.status === 'failed') state.entries.delete(id);
    await o.journal.rewrite(compactMirror(state, runId));
    return new Mirror(o, state);
  }

  get runId(): string {
    return this.#state.runId!;
  }

  /** A trigger: true when queued (or already queued), false when the backlog is full (the sweep will find it). */
  enqueue(id: string, source: 'hook' | 'sweep', identity?: KratosIdentity, createdAt?: string): boolean {
    if (source === 'hook') this.#hooks++;
    const before = this.#queue.get(id);
    if (before) {
      if (identity) before.identity = identity;
      // A settings hook for an identity the sweep queued: what it says about a password change counts (legacy-password.ts).
      if (source === 'hook') before.source = 'hook';
      return true;
    }
    if (this.#queue.size >= this.#o.maxBacklog) {
      if (source === 'hook') this.#dropped++;
      return false;
    }
    this.#queue.set(id, { id, source, since: this.#o.now(), ...(createdAt ?? identity?.created_at ? { createdAt: createdAt ?? identity!.created_at } : {}), ...(identity ? { identity } : {}) });
    for (const w of this.#waiters.splice(0)) w();
    return true;
  }

  get backlog(): number {
    return this.#queue.size;
  }

  /** Resolves when something is queued, or after `ms`. */
  waitForWork(ms: number): Promise<void> {
    if (this.#queue.size > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** Needs writing: new, changed since it was written, or a hash replacement left unfinished. */
  async #needsWork(identity: KratosIdentity): Promise<boolean> {
    const e = this.#state.entries.get(identity.id);
    const d = decide(identity);
    const fp = d.action === 'create' ? fpOf(d.user, this.#o.target) : d.status === 'skipped_legacy' ? await legacyFp(identity) : `skip:${d.status}`;
    return !e || e.fp !== fp;
  }

  /** The safety net: every identity, compared with what was written; what differs is queued. */
  async sweep(): Promise<{ seen: number; queued: number }> {
    let seen = 0;
    let queued = 0;
    for (let token: string | undefined | null = null; token !== undefined; ) {
      const page = await this.#o.kratos.page(this.#o.sweepPageSize, token ?? undefined);
      for (const identity of page.identities) {
        seen++;
        if ((await this.#needsWork(identity)) && this.enqueue(identity.id, 'sweep', identity)) queued++;
      }
      token = page.next;
    }
    const ev: MirrorEvent = { e: 'sweep', at: new Date(this.#o.now()).toISOString(), seen };
    this.#state.lastSweep = { at: ev.at, seen };
    await this.#o.journal.append(ev);
    return { seen, queued };
  }

  async #append(...events: MirrorEvent[]): Promise<void> {
    // The journal first, then the state: what the state says is on disk.
    await this.#o.journal.append(...events);
    for (const ev of events) this.#apply(ev);
  }

  #apply(ev: MirrorEvent): void {
    foldMirror([ev], this.#state);
  }

  /** One pass: up to batchMax queued identities written; the number handled. */
  async drainOnce(): Promise<number> {
    const batch = [...this.#queue.values()].slice(0, this.#o.batchMax);
    if (batch.length === 0) return 0;
    const missing = batch.filter((q) => !q.identity).map((q) => q.id);
    const fetched = new Map((await this.#o.kratos.byIds(missing)).map((i) => [i.id, i]));
    const creates: { q: Queued; identity: KratosIdentity; draft: LegacyUserDraft; fp: string }[] = [];
    for (const q of batch) {
      const identity = q.identity ?? fetched.get(q.id);
      if (!identity) {
        this.#queue.delete(q.id); // deleted in Olympus meanwhile: nothing to mirror
        continue;
      }
      try {
        const d = decide(identity);
        if (d.action === 'skip') {
          if (d.status === 'skipped_legacy') await this.#legacy(identity, q.source, d.detail);
          else await this.#append({ e: 'skipped', id: identity.id, fp: `skip:${d.status}`, reason: d.detail });
          this.#queue.delete(q.id);
          continue;
        }
        const fp = fpOf(d.user, this.#o.target);
        const known = this.#state.entries.get(identity.id);
        if (known?.status === 'mirrored') await this.#update(identity, d.user, fp, known);
        else {
          creates.push({ q, identity, draft: d.user, fp });
          continue;
        }
      } catch (err) {
        await this.#fail(identity, err);
      }
      this.#queue.delete(q.id);
    }
    if (creates.length) await this.#create(creates);
    return batch.length;
  }

  async #fail(identity: KratosIdentity, err: unknown): Promise<void> {
    const detail = err instanceof Error ? err.message : String(err);
    this.#o.log?.(`mirror: ${identity.id}: ${detail}`);
    await this.#append({ e: 'failed', id: identity.id, detail, created_at: identity.created_at, at: new Date(this.#o.now()).toISOString() });
  }

  async #create(items: { q: Queued; identity: KratosIdentity; draft: LegacyUserDraft; fp: string }[]): Promise<void> {
    let outcomes;
    try {
      outcomes = await this.#o.target.create(items.map((i) => i.draft), { runId: this.runId, by: 'mirror', claimReset: false, bulk: true });
    } catch (err) {
      for (const i of items) {
        await this.#fail(i.identity, err);
        this.#queue.delete(i.q.id);
      }
      return;
    }
    const now = this.#o.now();
    for (let k = 0; k < items.length; k++) {
      const { q, identity, draft, fp } = items[k]!;
      const r = outcomes[k]!;
      try {
        if (r.status === 'created') {
          await this.#append({ e: 'mirrored', id: identity.id, ...(r.userId ? { user_id: r.userId } : {}), email: draft.email, fp, password: r.passwordKept ? 'kept' : 'reset', created_at: identity.created_at, at: new Date(now).toISOString() });
          this.#noteLag(now - Date.parse(identity.created_at));
        } else if (r.status === 'failed') {
          await this.#fail(identity, new Error(r.detail));
        } else {
          const users = await this.#o.target.findByEmail(draft.email);
          const mine = users.find((u) => createdBySwitchback(u, identity.id));
          if (!mine && users.length === 0) {
            // "Exists" but nothing under that address now (deleted in between, or not yet searchable): try again.
            await this.#fail(identity, new Error(`${this.#o.target.kind} said the address exists but found no account for it`));
          } else if (!mine) {
            // The person's own account (not switchback's): never touched, and not stranded either. When that account
            // was there before the Olympus signup, the controller hears of it (`legacy_owned`): /login must not send the
            // address to Olympus as an Olympus-only user, or a signup made with someone else's address would turn that
            // person's sign-ins away from their account. An account made after the signup (someone registering the
            // new user's address at the legacy provider during the mirror's lag) is not reported: the signup stays
            // Olympus-only, as before.
            const owned = users.some((u) => u.createdAt !== undefined && Date.parse(u.createdAt) < Date.parse(identity.created_at));
            await this.#append({ e: 'skipped', id: identity.id, fp, reason: `${ALREADY_THERE} ${this.#o.target.kind}, ${NOT_OURS}`, owned });
          } else {
            // Created by switchback before (a mirror killed before it journaled, or a reconcile): adopt it.
            const kept = mine.mark!.password === 'kept';
            await this.#append({ e: 'mirrored', id: identity.id, user_id: mine.id, email: mine.email, fp: kept ? fp : JSON.stringify([JSON.parse(fp)[0], '']), password: kept ? 'kept' : 'reset', created_at: identity.created_at, at: new Date(now).toISOString() });
            this.#noteLag(now - Date.parse(identity.created_at));
            // A hash the adopted user lacks: the next pass carries it over.
            if (!kept && draft.hash && this.#o.target.acceptsHash(draft.hash)) {
              this.#queue.delete(q.id);
              this.enqueue(identity.id, 'sweep', identity);
              continue;
            }
          }
        }
      } catch (err) {
        await this.#fail(identity, err);
      }
      this.#queue.delete(q.id);
    }
  }

  /** The legacy user of a mirrored identity, found by id, else by email and mark. */
  async #resolve(identityId: string, known: MirroredEntry): Promise<TargetUser | undefined> {
    if (known.userId) {
      const u = await this.#o.target.get(known.userId);
      if (u) return u;
    }
    return (await this.#o.target.findByEmail(known.email!)).find((u) => createdBySwitchback(u, identityId));
  }

  async #update(identity: KratosIdentity, draft: LegacyUserDraft, fp: string, known: MirroredEntry): Promise<void> {
    // A hook for a change the legacy side does not hold (or a repeated hook): no call at all.
    if (fp === known.fp) return;
    const [profileNow, hashNow] = JSON.parse(fp) as [string, string];
    const [profileBefore, hashBefore] = known.fp.startsWith('[') ? (JSON.parse(known.fp) as [string, string]) : ['', ''];
    let user = await this.#resolve(identity.id, known);
    const rehash = hashNow !== '' && (hashNow !== hashBefore || known.fp === 'rehash-pending');
    if (!user && !rehash) throw new Error(`the ${this.#o.target.kind} user of ${identity.id} (${known.userId ?? known.email}) is gone`);
    let userId = user?.id ?? known.userId;
    let password = known.password!;
    if (rehash) {
      await this.#append({ e: 'rehashing', id: identity.id });
      // A crash after the delete leaves no user: the mark is the one the mirror wrote.
      user ??= { id: known.userId ?? '', email: known.email!, mark: { olympusId: identity.id, run: this.runId, by: 'mirror', password: known.password, resetClaimedBy: undefined } };
      const r = await this.#o.target.replaceHash(user, { ...draft, hash: draft.hash! }, { runId: this.runId, by: 'mirror' });
      if (r.status === 'replaced') {
        userId = r.userId;
        password = 'kept';
        user = { ...user, id: r.userId, email: draft.email };
      }
    } else if (profileNow !== profileBefore && user) {
      await this.#o.target.updateProfile(user, draft);
    }
    await this.#append({ e: 'mirrored', id: identity.id, ...(userId ? { user_id: userId } : {}), email: draft.email, fp, password, created_at: identity.created_at, at: new Date(this.#o.now()).toISOString() });
  }

  /**
   * An identity imported from the legacy provider: nothing to create; its
   * password is watched (legacy-password.ts) and a change is carried back,
   * or noted on the legacy user for the reconcile's one reset email.
   */
  async #legacy(identity: KratosIdentity, trigger: 'hook' | 'sweep', reason: string): Promise<void> {
    const userId = legacyIdOf(identity)!;
    const hash = identity.credentials?.password?.config?.hashed_password || undefined;
    const known = this.#state.entries.get(identity.id);
    const now = await passwordSeen(hash);
    const o = observePassword(known?.legacy?.seen, now, trigger);
    // A change whose carrying was started and not finished (crash, provider error) is still owed.
    const changed = hash !== undefined && (o.changed || known?.fp === 'rehash-pending');
    // Unfinished and no hash to finish with (the credential gone in Olympus): stays owed, its kept account with it.
    if (hash === undefined && known?.fp === 'rehash-pending') {
      this.#o.log?.(`mirror: ${identity.id} (${userId}) has a password change still owed to ${this.#o.target.kind} and no password hash in Olympus now: left pending`);
      return;
    }
    let change = known?.legacy?.change;
    if (changed) {
      await this.#append({ e: 'rehashing', id: identity.id });
      const t = this.#o.target;
      const note = { at: new Date(this.#o.now()).toISOString(), by: this.runId };
      const action = legacyPasswordAction(t.legacyHashCapability(hash), this.#o.legacyPasswordChanges);
      switch (action) {
        case 'replace': {
          const draft = draftOf(identity) ?? { identityId: identity.id, email: '', emailVerified: false, createdAt: identity.created_at };
          // Auth0's recreate: the account as it was goes to the journal before its delete (mirror-journal.ts).
          await t.replaceLegacyHash(userId, { ...draft, hash }, note, {
            keep: (snapshot) => this.#append({ e: 'rehashing', id: identity.id, kept: snapshot }),
            ...(known?.kept ? { kept: known.kept } : {}),
          });
          change = { at: note.at, state: 'carried' };
          break;
        }
        case 'note_reset':
          await t.notePasswordChange(userId, note);
          change = { at: note.at, state: 'reset' };
          break;
      }
      this.#o.log?.(`mirror: ${identity.id} (${userId}) changed its password in Olympus: ${change.state === 'carried' ? `carried to ${t.kind}` : `${t.kind} keeps the old one; one reset email at rollback`}`);
    }
    await this.#append({ e: 'skipped', id: identity.id, fp: legacyFpOf(o.seen), reason, legacy: { user_id: userId, seen: o.seen, ...(change ? { change } : {}) } });
  }

  #noteLag(ms: number): void {
    this.#lags.push(Math.max(0, ms));
    if (this.#lags.length > 100_000) this.#lags.splice(0, this.#lags.length - 100_000);
  }

  /** Drains until the queue is empty. */
  async drain(): Promise<void> {
    while ((await this.drainOnce()) > 0) {
      // next batch
    }
  }

  /** The lags of the users created since start, in ms (benchmarks). */
  lags(): readonly number[] {
    return this.#lags;
  }

  entry(id: string): MirroredEntry | undefined {
    return this.#state.entries.get(id);
  }

  snapshot(): MirrorSnapshot {
    let mirrored = 0;
    let withPassword = 0;
    let skipped = 0;
    let failed = 0;
    let legacyChanged = 0;
    let oldPassword = 0;
    let oldest: string | null = null;
    let unmirrored = 0;
    const older = (t: string | undefined) => {
      if (t && (oldest === null || t < oldest)) oldest = t;
    };
    for (const e of this.#state.entries.values()) {
      if (e.status === 'mirrored') {
        mirrored++;
        if (e.password === 'kept') withPassword++;
      } else if (e.status === 'skipped') {
        skipped++;
        if (e.legacy?.change) legacyChanged++;
        if (e.legacy?.change?.state === 'reset' || (e.legacy && e.fp === 'rehash-pending')) oldPassword++;
      }
      else {
        failed++;
        unmirrored++;
        older(e.createdAt);
      }
    }
    for (const q of this.#queue.values()) {
      const e = this.#state.entries.get(q.id);
      if (e && e.status !== 'failed') continue; // a change to a mirrored user, or one just failed (counted above)
      if (e) continue;
      unmirrored++;
      older(q.createdAt);
    }
    const sorted = [...this.#lags].sort((a, b) => a - b);
    return {
      mirror_id: this.runId,
      backlog: this.#queue.size,
      unmirrored_signups: unmirrored,
      oldest_unmirrored_created_at: oldest === null ? null : new Date(oldest).toISOString(),
      last_sweep_at: this.#state.lastSweep?.at ?? null,
      last_sweep_seen: this.#state.lastSweep?.seen ?? 0,
      counts: { mirrored, with_password: withPassword, without_password: mirrored - withPassword, skipped, failed, hooks_dropped: this.#dropped, hooks: this.#hooks, legacy_password_changed: legacyChanged, old_password_if_rolled_back_now: oldPassword },
      lag_ms: sorted.length ? { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)!, n: sorted.length } : null,
    };
  }

  /** Mirrored identities, and signups whose email a legacy account holds, the controller has not heard of yet (at most `limit`). */
  unreported(limit = 1000, o: { owned?: boolean } = {}): UnreportedSignup[] {
    const out: UnreportedSignup[] = [];
    for (const [id, e] of this.#state.entries) {
      if (out.length >= limit) break;
      if (e.reported) continue;
      if (e.status === 'mirrored') out.push({ id, password: e.password! });
      else if (e.owned === true && o.owned !== false) out.push({ id, owned: true });
    }
    return out;
  }

  /** The controller recorded these. */
  async acknowledge(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.#append({ e: 'reported', ids: [...ids] });
  }
}

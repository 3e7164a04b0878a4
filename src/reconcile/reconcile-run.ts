/**
 * The reconcile pipeline of `switchback reconcile`: page through Olympus
 * identities, keep those created in the window, and bring each back to the
 * legacy provider exactly once, through its ReconcileTarget.
 *
 *   page (Kratos) -> in window? -> decide (mapper) -> target.create (bulk or
 *   one by one; hashes carried where the target takes them) -> exists?
 *   settle it by switchback's mark (legacy-mark.ts) -> reset email when no
 *   password came along, at most once -> report line -> journal
 *
 * Idempotent: a user already there is settled by its mark: created by this
 * run (an interrupted run) the work continues; created by the mirror with its
 * password: `mirrored`, no email; created by the mirror without one: its
 * reset email is claimed and sent; anyone else's: `skipped_exists`.
 * Resumable: every settled line, every email about to go and every page is
 * one event appended to the journal (journal.ts); a crash and rerun continues;
 * an email whose sending was started but not confirmed is never sent again
 * (`created_reset_unconfirmed`): at most once.
 */
import { Auth0ApiError } from './auth0-management-client.ts';
import { decide, draftOf } from './identity-mapper.ts';
import { legacyPasswordCandidate } from './legacy-password-window.ts';
import type { Journal } from './journal.ts';
import type { KratosAdminClient } from './kratos-admin-client.ts';
import type { KratosIdentity } from './kratos-identity.ts';
import { settleExisting, type Settlement } from './legacy-mark.ts';
import type { LegacyUserDraft, ReconcileTarget, TargetUser } from './reconcile-target.ts';
import { isCreated, totals, type LineStatus, type Report, type ReportLine } from './reconcile-report.ts';
import { inWindow, type ReconcileWindow } from './reconcile-window.ts';
import type { ResetSender } from './reset-mail.ts';
import { UserMailError } from '../comms/user-mail-types.ts';

/** One journal event of a run. */
export type ReconcileEvent =
  | { e: 'run'; run_id: string; window: { from: string; to: string }; dry_run: boolean; started_at: string }
  | { e: 'line'; line: ReportLine }
  | { e: 'emailing'; id: string }
  | { e: 'emailed'; id: string }
  | { e: 'email_aborted'; id: string }
  /** A page done: `next` is the following page's token, null after the last one. */
  | { e: 'page'; next: string | null; scanned: number }
  /** A finished run rerun to retry its failed lines: pages again from the first. */
  | { e: 'rescan' };

/** The state a journal folds to. */
export interface Checkpoint {
  run_id: string;
  window: { from: string; to: string };
  dry_run: boolean;
  started_at: string;
  /** null: start from the first page; undefined after the last page. */
  next_page_token: string | null | undefined;
  pages_done: number;
  scanned: number;
  lines: Record<string, ReportLine>;
  /** Identities whose reset email was started and not confirmed. */
  emailing: Record<string, true>;
  /** Identities whose reset email the provider accepted. */
  emailed: Record<string, true>;
}

export function foldCheckpoint(events: readonly ReconcileEvent[]): Checkpoint | undefined {
  let cp: Checkpoint | undefined;
  for (const ev of events) {
    if (ev.e === 'run') {
      cp ??= { run_id: ev.run_id, window: ev.window, dry_run: ev.dry_run, started_at: ev.started_at, next_page_token: null, pages_done: 0, scanned: 0, lines: {}, emailing: {}, emailed: {} };
      continue;
    }
    if (!cp) throw new Error('the reconcile journal does not start with its run');
    switch (ev.e) {
      case 'line':
        cp.lines[ev.line.identity_id] = ev.line;
        break;
      case 'emailing':
        cp.emailing[ev.id] = true;
        break;
      case 'emailed':
        delete cp.emailing[ev.id];
        cp.emailed[ev.id] = true;
        break;
      case 'email_aborted':
        delete cp.emailing[ev.id];
        break;
      case 'page':
        cp.pages_done++;
        cp.scanned += ev.scanned;
        cp.next_page_token = ev.next ?? undefined;
        break;
      case 'rescan':
        cp.next_page_token = null;
        cp.scanned = 0;
        break;
    }
  }
  return cp;
}

export interface Progress {
  scanned: number;
  inWindow: number;
  created: number;
  failed: number;
  elapsedMs: number;
  /** Identities in the window per second. */
  rate: number;
  expectedInWindow?: number;
  etaSeconds?: number;
}

export interface ReconcileOptions {
  window: ReconcileWindow;
  runId: string;
  dryRun: boolean;
  pageSize: number;
  /** `import`: bulk creation for every page; `single`: one by one (hashes still in bulk where the target needs it); `auto`: bulk for pages with ≥ importThreshold users. */
  mode: 'auto' | 'single' | 'import';
  importThreshold: number;
  /** Check Olympus's courier before sending a reset email (one courier, never two emails). */
  checkCourier: boolean;
  expectedInWindow?: number;
  onProgress?: (p: Progress) => void;
  /** Test hook: stop abruptly after this many identities (simulates a crash). */
  crashAfter?: number;
}

export interface ReconcileDeps {
  kratos: KratosAdminClient;
  target: ReconcileTarget;
  journal: Journal<ReconcileEvent>;
  /** Who sends a reset email (reset-mail.ts); default: the target's provider. */
  reset?: ResetSender;
}

export class CrashForTest extends Error {}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function reconcile(deps: ReconcileDeps, o: ReconcileOptions): Promise<Report> {
  const started = Date.now();
  const j = deps.journal;
  let cp = foldCheckpoint(await j.read());
  if (!cp) {
    const run: ReconcileEvent = { e: 'run', run_id: o.runId, window: { from: o.window.from.toISOString(), to: o.window.to.toISOString() }, dry_run: o.dryRun, started_at: new Date().toISOString() };
    // Persist the run id at once: a crash before the first page must resume as the same run.
    await j.append(run);
    cp = foldCheckpoint([run])!;
  }
  if (cp.window.from !== o.window.from.toISOString() || cp.window.to !== o.window.to.toISOString() || cp.dry_run !== o.dryRun) {
    throw new Error(`the checkpoint is for another run (window ${cp.window.from} .. ${cp.window.to}${cp.dry_run ? ', dry run' : ''}); use another --checkpoint or remove it`);
  }
  const state = cp;
  const runId = state.run_id;
  // A finished run rerun with its journal: page again, to retry what failed (and only that).
  const retryable = (l: ReportLine | undefined) => l !== undefined && (l.status === 'failed' || l.status === 'created_reset_failed');
  if (state.next_page_token === undefined && Object.values(state.lines).some(retryable)) {
    await j.append({ e: 'rescan' });
    state.next_page_token = null;
    state.scanned = 0;
  }
  let handled = 0;
  const resumedLines = Object.keys(state.lines).length;
  let lastProgress = 0;
  let created = 0;
  let failed = 0;
  for (const l of Object.values(state.lines)) {
    if (isCreated(l.status)) created++;
    if (l.status === 'failed') failed++;
  }
  const progress = (force = false) => {
    if (!o.onProgress || (!force && Date.now() - lastProgress < 1000)) return;
    lastProgress = Date.now();
    const inWin = Object.keys(state.lines).length;
    const elapsedMs = Date.now() - started;
    const rate = ((inWin - resumedLines) / Math.max(1, elapsedMs)) * 1000;
    const remaining = o.expectedInWindow !== undefined ? Math.max(0, o.expectedInWindow - inWin) : undefined;
    o.onProgress({ scanned: state.scanned, inWindow: inWin, created, failed, elapsedMs, rate, expectedInWindow: o.expectedInWindow, etaSeconds: remaining !== undefined && rate > 0 ? Math.round(remaining / rate) : undefined });
  };
  const record = async (line: ReportLine) => {
    const before = state.lines[line.identity_id];
    if (before && isCreated(before.status)) created--;
    if (before?.status === 'failed') failed--;
    state.lines[line.identity_id] = line;
    if (isCreated(line.status)) created++;
    if (line.status === 'failed') failed++;
    await j.append({ e: 'line', line });
    handled++;
    progress();
    if (o.crashAfter !== undefined && handled >= o.crashAfter) throw new CrashForTest(`crash injected after ${handled} identities`);
  };

  /** Sends the reset email at most once per identity; `claim`: a user someone else created, claimed first. */
  const resetEmail = async (identity: KratosIdentity, base: ReportLine, claim?: TargetUser): Promise<ReportLine> => {
    if (state.emailed[identity.id]) return { ...base, status: 'created_reset_sent' };
    if (state.emailing[identity.id]) return { ...base, status: 'created_reset_unconfirmed', detail: 'a reset email was being sent when an earlier run stopped; not sent again' };
    if (o.checkCourier) {
      try {
        const sent = await deps.kratos.courierMessages(base.email!);
        const recent = sent.find((m) => /recovery/i.test(m.template_type ?? '') && Date.parse(m.created_at) >= o.window.from.getTime());
        if (recent) return { ...base, status: 'created_reset_skipped_courier', detail: `Olympus's courier already sent ${recent.template_type} (${recent.id})` };
      } catch {
        // The courier is only consulted where reachable.
      }
    }
    state.emailing[identity.id] = true;
    await j.append({ e: 'emailing', id: identity.id });
    let outcome;
    try {
      if (claim) await deps.target.claimReset(claim, runId);
      outcome = deps.reset ? await deps.reset({ email: base.email!, identityId: identity.id, runId }) : await deps.target.sendReset(base.email!);
    } catch (err) {
      // SES did not answer: it may have gone out. Left `emailing` in the journal, so no run sends it again.
      if (err instanceof UserMailError && err.reason === 'unconfirmed') return { ...base, status: 'created_reset_unconfirmed', detail: errorText(err) };
      delete state.emailing[identity.id];
      await j.append({ e: 'email_aborted', id: identity.id });
      return { ...base, status: 'created_reset_failed', detail: errorText(err) };
    }
    delete state.emailing[identity.id];
    state.emailed[identity.id] = true;
    await j.append({ e: 'emailed', id: identity.id });
    return outcome === 'needs_reset'
      ? { ...base, status: 'created_needs_reset', reset: outcome, detail: `${deps.target.kind} cannot send a reset email: the user resets at sign-in` }
      : { ...base, status: 'created_reset_sent', reset: outcome };
  };

  const lineFor = (identity: KratosIdentity, user: LegacyUserDraft, status: LineStatus, extra: Partial<ReportLine> = {}): ReportLine => ({ identity_id: identity.id, email: user.email, created_at: identity.created_at, status, ...extra });

  const finishCreated = async (identity: KratosIdentity, user: LegacyUserDraft, userId: string | undefined, passwordKept: boolean): Promise<ReportLine> => {
    const base = lineFor(identity, user, 'created_password_kept', userId ? { auth0_user_id: userId } : {});
    if (passwordKept) return { ...base, password: 'kept' };
    // Per user, why the password stays behind (Cognito takes no hash at all).
    const reason = user.hash ? (`hash_not_accepted_by_${deps.target.kind}` as const) : 'no_password_in_olympus';
    return resetEmail(identity, { ...base, password: 'reset', password_reason: reason });
  };

  /** Already there with its password: the mirror's (`mirrored`) or another run's (`skipped_exists`); no email either way. */
  const keptLine = (identity: KratosIdentity, user: LegacyUserDraft, u: TargetUser): ReportLine =>
    u.mark!.by === 'mirror'
      ? lineFor(identity, user, 'mirrored', { auth0_user_id: u.id, mirrored_by: u.mark!.run, detail: 'already there with its password (mirrored): no email' })
      : lineFor(identity, user, 'skipped_exists', { auth0_user_id: u.id, detail: `created by ${u.mark!.run} with its password` });

  /** An identity whose email the target already holds: what its mark says (legacy-mark.ts). */
  const settle = async (identity: KratosIdentity, user: LegacyUserDraft, s: Settlement): Promise<ReportLine> => {
    switch (s.kind) {
      case 'ours':
        return finishCreated(identity, user, s.user.id, s.user.mark!.password === 'kept');
      case 'kept':
        return keptLine(identity, user, s.user);
      case 'claim':
        return { ...(await resetEmail(identity, lineFor(identity, user, 'created_reset_sent', { auth0_user_id: s.user.id }), s.user)), mirrored_by: s.user.mark!.run };
      case 'claimed':
        return lineFor(identity, user, 'skipped_exists', { auth0_user_id: s.user.id, detail: `created by ${s.user.mark!.run}; its reset email is ${s.user.mark!.resetClaimedBy}'s` });
      case 'other':
        return lineFor(identity, user, 'skipped_exists', { ...(s.user ? { auth0_user_id: s.user.id } : {}), detail: `already in ${deps.target.kind}` });
    }
  };

  /**
   * An imported identity whose password credential changed in the window and
   * that no mirror watched (no note on the legacy user): whether the user
   * changed their password or the hook only stored the one they had, Olympus's
   * hash is the password they sign in with now. A target that takes a hash in
   * place on the same account (Clerk) gets it: harmless when unchanged, and a
   * rollback no longer undoes a change. Others (Auth0 only by delete and
   * re-import, Cognito not at all) are left as they are: without the mirror's
   * history the run cannot tell a change from the hook's migration, and
   * emailing every migrated user a reset would be worse.
   */
  const carryInPlace = async (identity: KratosIdentity, base: ReportLine, user: TargetUser): Promise<ReportLine> => {
    const hash = identity.credentials?.password?.config?.hashed_password;
    if (!hash || deps.target.legacyHashCapability(hash) !== 'in_place') {
      return { ...base, email: user.email, detail: `imported from ${deps.target.kind}; no password change noted by the mirror (${deps.target.kind} cannot take Olympus's hash in place: run switchback mirror from the import on to catch changes)` };
    }
    const draft = draftOf(identity) ?? { identityId: identity.id, email: user.email ?? '', emailVerified: false, createdAt: identity.created_at };
    if (o.dryRun) return { ...base, email: user.email, status: 'would_create', detail: `no mirror note: would carry Olympus's current password to ${deps.target.kind} in place` };
    await deps.target.replaceLegacyHash(user.id, { ...draft, hash }, { at: identity.credentials!.password!.updated_at!, by: runId });
    return { ...base, email: user.email, status: 'password_carried_in_place', detail: `no mirror note: Olympus's current password carried to ${deps.target.kind} in place (the same one if it never changed): no email` };
  };

  /**
   * An identity imported from the legacy provider whose password changed in
   * the window: the mirror's note on the legacy user (legacy-password.ts)
   * says whether it carried the new password back, or the legacy side keeps
   * the old one and the user gets one reset email (claimed first, as the
   * mirror's users are: never two).
   */
  const legacyPasswordLine = async (identity: KratosIdentity, legacyId: string): Promise<ReportLine> => {
    const base: ReportLine = { identity_id: identity.id, email: typeof identity.traits.email === 'string' ? identity.traits.email : undefined, created_at: identity.created_at, status: 'skipped_legacy', auth0_user_id: legacyId };
    const user = await deps.target.get(legacyId);
    const n = user?.passwordChange;
    if (!user) return { ...base, detail: `imported from ${deps.target.kind}; ${legacyId} is gone there` };
    if (!n) return carryInPlace(identity, base, user);
    const at = `changed in Olympus (noted ${n.at} by ${n.by})`;
    if (n.state === 'carried') return { ...base, email: user.email, status: 'password_changed_carried', detail: `${at}; the new password was carried back: no email` };
    if (n.resetClaimedBy !== undefined && n.resetClaimedBy !== runId) return { ...base, email: user.email, status: 'password_changed_reset_claimed', detail: `${at}; its reset email is ${n.resetClaimedBy}'s` };
    if (o.dryRun) return { ...base, email: user.email, status: 'would_create', detail: `${at}; ${deps.target.kind} keeps the old password: reset email` };
    const l = await resetEmail(identity, { ...base, email: user.email, status: 'created_reset_sent', detail: `${at}; ${deps.target.kind} kept the old password` }, n.resetClaimedBy === runId ? undefined : user);
    return l.status === 'created_reset_sent' ? { ...l, status: 'password_changed_reset_sent' } : l;
  };

  while (state.next_page_token !== undefined) {
    const page = await deps.kratos.page(o.pageSize, state.next_page_token ?? undefined);
    const todo: { identity: KratosIdentity; user: LegacyUserDraft }[] = [];
    for (const identity of page.identities) {
      const legacyId = legacyPasswordCandidate(identity, o.window);
      if (!legacyId && !inWindow(identity.created_at, o.window)) continue;
      const previous = state.lines[identity.id];
      if (previous && !retryable(previous)) continue;
      if (legacyId) {
        try {
          await record(await legacyPasswordLine(identity, legacyId));
        } catch (err) {
          if (err instanceof CrashForTest) throw err;
          await record({ identity_id: identity.id, created_at: identity.created_at, status: 'failed', auth0_user_id: legacyId, detail: errorText(err) });
        }
        continue;
      }
      const d = decide(identity);
      if (d.action === 'skip') {
        await record({ identity_id: identity.id, email: typeof identity.traits.email === 'string' ? identity.traits.email : undefined, created_at: identity.created_at, status: d.status, detail: d.detail });
        continue;
      }
      if (previous?.status === 'created_reset_failed') {
        // The user is in the target; only the email is left to do.
        await record(await resetEmail(identity, { ...previous, status: 'created_reset_sent', detail: undefined }));
        continue;
      }
      todo.push({ identity, user: d.user });
    }
    if (o.dryRun) {
      for (const { identity, user } of todo) {
        try {
          // No writes: ask the target what a real run would find.
          const s = settleExisting(await deps.target.findByEmail(user.email), identity.id, runId);
          if (s.kind === 'kept') await record(keptLine(identity, user, s.user));
          else if (s.user) await record(lineFor(identity, user, s.kind === 'claim' ? 'would_create' : 'skipped_exists', { auth0_user_id: s.user.id, detail: s.kind === 'claim' ? 'mirrored without a password: reset email' : `already in ${deps.target.kind}` }));
          else await record(lineFor(identity, user, 'would_create', { detail: user.hash && deps.target.acceptsHash(user.hash) ? 'password kept' : 'reset email' }));
        } catch (err) {
          if (err instanceof CrashForTest) throw err;
          await record(lineFor(identity, user, 'failed', { detail: errorText(err) }));
        }
      }
    } else if (todo.length) {
      const bulk = o.mode === 'import' || (o.mode === 'auto' && todo.length >= o.importThreshold);
      let outcomes;
      try {
        outcomes = await deps.target.create(todo.map((t) => t.user), { runId, by: 'reconcile', claimReset: true, bulk });
      } catch (err) {
        for (const { identity, user } of todo) await record(lineFor(identity, user, 'failed', { detail: errorText(err) }));
        outcomes = undefined;
      }
      for (let k = 0; outcomes && k < todo.length; k++) {
        const { identity, user } = todo[k]!;
        const r = outcomes[k]!;
        try {
          if (r.status === 'created') await record(await finishCreated(identity, user, r.userId, r.passwordKept));
          else if (r.status === 'failed') await record(lineFor(identity, user, 'failed', { detail: r.detail }));
          else await record(await settle(identity, user, settleExisting(await deps.target.findByEmail(user.email), identity.id, runId)));
        } catch (err) {
          if (err instanceof CrashForTest) throw err;
          if (err instanceof Auth0ApiError || err instanceof Error) await record(lineFor(identity, user, 'failed', { detail: errorText(err) }));
          else throw err;
        }
      }
    }
    state.scanned += page.identities.length;
    state.pages_done++;
    state.next_page_token = page.next;
    await j.append({ e: 'page', next: page.next ?? null, scanned: page.identities.length });
    progress(true);
  }
  const lines = Object.values(state.lines).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.identity_id.localeCompare(b.identity_id));
  return {
    schema: 'switchback.reconcile.report.v1',
    run_id: runId,
    window: state.window,
    dry_run: state.dry_run,
    started_at: state.started_at,
    finished_at: new Date().toISOString(),
    scanned: state.scanned,
    totals: totals(lines),
    lines,
  };
}

export type { LineStatus };

/**
 * The reconcile pipeline: page through Olympus identities, keep those created
 * in the window, and bring each back to Auth0 exactly once.
 *
 *   page (Kratos) -> in window? -> decide (mapper) -> exists in Auth0? ->
 *   create (one by one, or a user-import job when a password hash can be
 *   carried over or the page is large) -> reset email when no password
 *   came along -> report line -> checkpoint
 *
 * Idempotent: a user already in Auth0 by email is `skipped_exists`, unless it
 * carries this identity's olympus_id (a previous, interrupted run created
 * it), in which case the work continues from where it stopped.
 * Resumable: the checkpoint is saved after every page and before every email,
 * so a crash and rerun continues; an email whose sending was started but not
 * confirmed is never sent again (`created_reset_unconfirmed`): at most once.
 */
import type { Auth0ManagementClient, Auth0User } from './auth0-management-client.ts';
import { Auth0ApiError } from './auth0-management-client.ts';
import { createdByRun, decide, unusablePassword, type Auth0UserDraft } from './identity-mapper.ts';
import type { KratosAdminClient } from './kratos-admin-client.ts';
import type { KratosIdentity } from './kratos-identity.ts';
import { isCreated, totals, type LineStatus, type Report, type ReportLine } from './reconcile-report.ts';
import { inWindow, type ReconcileWindow } from './reconcile-window.ts';

export interface Checkpoint {
  schema: 'switchback.reconcile.checkpoint.v1';
  run_id: string;
  window: { from: string; to: string };
  dry_run: boolean;
  started_at: string;
  /** null: start from the first page; undefined after the last page. */
  next_page_token: string | null | undefined;
  pages_done: number;
  scanned: number;
  lines: Record<string, ReportLine>;
  /** Identities whose reset email was started; confirmed ones move to `emailed`. */
  emailing: Record<string, true>;
  /** Identities whose reset email Auth0 accepted (saved right after, so a crash never resends it). */
  emailed?: Record<string, true>;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | undefined>;
  save(cp: Checkpoint): Promise<void>;
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
  connection: string;
  /** client_id of an Auth0 application enabled on the connection (for /dbconnections/change_password). */
  resetClientId: string;
  /** `import`: user-import jobs for every page; `single`: POST /users one by one (hashes still go through jobs); `auto`: jobs for pages with ≥ importThreshold users. */
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
  auth0: Auth0ManagementClient;
  checkpoint: CheckpointStore;
}

const MAX_IMPORT_BYTES = 450 * 1024; // under Auth0's 500 KB per file, with room for the multipart envelope
const MAX_CONCURRENT_JOBS = 2;

export class CrashForTest extends Error {}

function importRecord(u: Auth0UserDraft): Record<string, unknown> {
  const r: Record<string, unknown> = {
    email: u.email,
    email_verified: u.email_verified,
    app_metadata: u.app_metadata,
  };
  if (u.name) r.name = u.name;
  if (u.given_name) r.given_name = u.given_name;
  if (u.family_name) r.family_name = u.family_name;
  if (u.password.kind === 'bcrypt') r.password_hash = u.password.password_hash;
  if (u.password.kind === 'custom') r.custom_password_hash = u.password.custom_password_hash;
  return r;
}

function createBody(u: Auth0UserDraft, connection: string): Record<string, unknown> {
  const r = importRecord(u);
  delete r.password_hash;
  delete r.custom_password_hash;
  return { ...r, connection, password: unusablePassword(), verify_email: false };
}

export async function reconcile(deps: ReconcileDeps, o: ReconcileOptions): Promise<Report> {
  const started = Date.now();
  const cp: Checkpoint = (await deps.checkpoint.load()) ?? {
    schema: 'switchback.reconcile.checkpoint.v1',
    run_id: o.runId,
    window: { from: o.window.from.toISOString(), to: o.window.to.toISOString() },
    dry_run: o.dryRun,
    started_at: new Date().toISOString(),
    next_page_token: null,
    pages_done: 0,
    scanned: 0,
    lines: {},
    emailing: {},
  };
  cp.emailed ??= {};
  // A finished run rerun with its checkpoint: page again, to retry what failed (and only that).
  const retryable = (l: ReportLine | undefined) => l !== undefined && (l.status === 'failed' || l.status === 'created_reset_failed');
  if (cp.next_page_token === undefined && Object.values(cp.lines).some(retryable)) {
    cp.next_page_token = null;
    cp.scanned = 0;
  }
  if (cp.window.from !== o.window.from.toISOString() || cp.window.to !== o.window.to.toISOString() || cp.dry_run !== o.dryRun) {
    throw new Error(`the checkpoint is for another run (window ${cp.window.from} .. ${cp.window.to}${cp.dry_run ? ', dry run' : ''}); use another --checkpoint or remove it`);
  }
  // Persist the run id at once: a crash before the first page must resume as the same run.
  await deps.checkpoint.save(cp);
  let handled = 0;
  const resumedLines = Object.keys(cp.lines).length;
  let lastProgress = 0;
  const progress = (force = false) => {
    if (!o.onProgress || (!force && Date.now() - lastProgress < 1000)) return;
    lastProgress = Date.now();
    const lines = Object.values(cp.lines);
    const elapsedMs = Date.now() - started;
    const rate = ((lines.length - resumedLines) / Math.max(1, elapsedMs)) * 1000;
    const remaining = o.expectedInWindow !== undefined ? Math.max(0, o.expectedInWindow - lines.length) : undefined;
    o.onProgress({
      scanned: cp.scanned,
      inWindow: lines.length,
      created: lines.filter((l) => isCreated(l.status)).length,
      failed: lines.filter((l) => l.status === 'failed').length,
      elapsedMs,
      rate,
      expectedInWindow: o.expectedInWindow,
      etaSeconds: remaining !== undefined && rate > 0 ? Math.round(remaining / rate) : undefined,
    });
  };
  const record = (line: ReportLine) => {
    cp.lines[line.identity_id] = line;
    handled++;
    progress();
    if (o.crashAfter !== undefined && handled >= o.crashAfter) throw new CrashForTest(`crash injected after ${handled} identities`);
  };

  /** Sends the reset email at most once per identity. */
  const resetEmail = async (identity: KratosIdentity, base: ReportLine): Promise<ReportLine> => {
    if (cp.emailed![identity.id]) return { ...base, status: 'created_reset_sent' };
    if (cp.emailing[identity.id]) return { ...base, status: 'created_reset_unconfirmed', detail: 'a reset email was being sent when an earlier run stopped; not sent again' };
    if (o.checkCourier) {
      try {
        const sent = await deps.kratos.courierMessages(base.email!);
        const recent = sent.find((m) => /recovery/i.test(m.template_type ?? '') && Date.parse(m.created_at) >= o.window.from.getTime());
        if (recent) return { ...base, status: 'created_reset_skipped_courier', detail: `Olympus's courier already sent ${recent.template_type} (${recent.id})` };
      } catch {
        // The courier is only consulted where reachable.
      }
    }
    cp.emailing[identity.id] = true;
    await deps.checkpoint.save(cp);
    try {
      await deps.auth0.sendPasswordChangeEmail(base.email!, o.resetClientId, o.connection);
    } catch (err) {
      delete cp.emailing[identity.id];
      return { ...base, status: 'created_reset_failed', detail: err instanceof Error ? err.message : String(err) };
    }
    delete cp.emailing[identity.id];
    cp.emailed![identity.id] = true;
    await deps.checkpoint.save(cp);
    return { ...base, status: 'created_reset_sent' };
  };

  /**
   * An Auth0 user with this identity's olympus_id, created by this same run before it was
   * interrupted (same checkpoint, same run id): the work continues. A user created by another
   * run is `skipped_exists`, like any user already there: a rerun never emails again.
   */
  const ours = (users: Auth0User[], identity: KratosIdentity) => users.find((u) => createdByRun(u, identity.id, cp.run_id));

  const finishCreated = async (identity: KratosIdentity, user: Auth0UserDraft, userId: string | undefined): Promise<ReportLine> => {
    const base: ReportLine = { identity_id: identity.id, email: user.email, created_at: identity.created_at, status: 'created_password_kept', ...(userId ? { auth0_user_id: userId } : {}) };
    if (user.password.kind !== 'none') return base;
    return resetEmail(identity, base);
  };

  const importBatch = async (batch: { identity: KratosIdentity; user: Auth0UserDraft }[], connectionId: string) => {
    // Chunks under Auth0's per-file limit, at most two jobs in flight.
    const chunks: (typeof batch)[] = [];
    let chunk: typeof batch = [];
    let size = 2;
    for (const item of batch) {
      const bytes = JSON.stringify(importRecord(item.user)).length + 1;
      if (chunk.length && size + bytes > MAX_IMPORT_BYTES) {
        chunks.push(chunk);
        chunk = [];
        size = 2;
      }
      chunk.push(item);
      size += bytes;
    }
    if (chunk.length) chunks.push(chunk);
    const runChunk = async (items: typeof batch) => {
      let job;
      for (let attempt = 0; ; attempt++) {
        try {
          job = await deps.auth0.importUsers(connectionId, items.map((i) => importRecord(i.user)));
          break;
        } catch (err) {
          // More than two jobs tenant-wide: wait for a slot (the client already honoured Retry-After).
          if (err instanceof Auth0ApiError && err.status === 429 && attempt < 20) continue;
          throw err;
        }
      }
      for (let polls = 0; job.status !== 'completed' && job.status !== 'failed'; polls++) {
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(polls, 5))));
        job = await deps.auth0.job(job.id);
      }
      const errors = job.status === 'failed' ? undefined : await deps.auth0.jobErrors(job.id);
      const byEmail = new Map((errors ?? []).map((e) => [String(e.user.email ?? '').toLowerCase(), e.errors]));
      for (const item of items) {
        const errs = errors === undefined ? [{ code: 'JOB_FAILED', message: `import job ${job.id} failed` }] : byEmail.get(item.user.email);
        if (!errs || errs.length === 0) {
          // Import jobs do not return user ids; undo finds the user by email and olympus_id.
          record(await finishCreated(item.identity, item.user, undefined));
        } else if (errs.some((e) => e.code === 'DUPLICATED_USER')) {
          const existing = await deps.auth0.usersByEmail(item.user.email);
          const mine = ours(existing, item.identity);
          if (mine) record(await finishCreated(item.identity, item.user, mine.user_id));
          else record({ identity_id: item.identity.id, email: item.user.email, created_at: item.identity.created_at, status: 'skipped_exists', auth0_user_id: existing[0]?.user_id, detail: 'already in Auth0' });
        } else {
          record({ identity_id: item.identity.id, email: item.user.email, created_at: item.identity.created_at, status: 'failed', detail: errs.map((e) => `${e.code}: ${e.message}`).join('; ') });
        }
      }
    };
    for (let i = 0; i < chunks.length; i += MAX_CONCURRENT_JOBS) await Promise.all(chunks.slice(i, i + MAX_CONCURRENT_JOBS).map(runChunk));
  };

  let connectionId: string | undefined;
  while (cp.next_page_token !== undefined) {
    const page = await deps.kratos.page(o.pageSize, cp.next_page_token ?? undefined);
    const todo: { identity: KratosIdentity; user: Auth0UserDraft }[] = [];
    for (const identity of page.identities) {
      if (!inWindow(identity.created_at, o.window)) continue;
      const previous = cp.lines[identity.id];
      if (previous && !retryable(previous)) continue;
      const d = decide(identity, o.runId);
      if (d.action === 'skip') {
        record({ identity_id: identity.id, email: typeof identity.traits.email === 'string' ? identity.traits.email : undefined, created_at: identity.created_at, status: d.status, detail: d.detail });
        continue;
      }
      if (previous?.status === 'created_reset_failed') {
        // The user is in Auth0; only the email is left to do.
        record(await resetEmail(identity, { ...previous, status: 'created_reset_sent', detail: undefined }));
        continue;
      }
      todo.push({ identity, user: d.user });
    }
    const viaJob: typeof todo = [];
    for (const item of todo) {
      const { identity, user } = item;
      const line = (status: LineStatus, extra: Partial<ReportLine> = {}): ReportLine => ({ identity_id: identity.id, email: user.email, created_at: identity.created_at, status, ...extra });
      try {
        if (o.dryRun) {
          // No writes: ask Auth0 what a real run would find.
          const existing = await deps.auth0.usersByEmail(user.email);
          record(existing.length ? line('skipped_exists', { auth0_user_id: existing[0]!.user_id, detail: 'already in Auth0' }) : line('would_create', { detail: user.password.kind === 'none' ? 'reset email' : `password kept (${user.password.kind})` }));
          continue;
        }
        const useJob = user.password.kind !== 'none' || o.mode === 'import' || (o.mode === 'auto' && todo.length >= o.importThreshold);
        if (useJob) {
          viaJob.push(item);
          continue;
        }
        // No existence check first: Auth0's 409 says it, in one call instead of two.
        const created = await deps.auth0.createUser(createBody(user, o.connection));
        if (created.status === 'exists') {
          const existing = await deps.auth0.usersByEmail(user.email);
          const mine = ours(existing, identity);
          record(mine ? await finishCreated(identity, user, mine.user_id) : line('skipped_exists', { auth0_user_id: existing[0]?.user_id, detail: 'already in Auth0' }));
          continue;
        }
        record(await finishCreated(identity, user, created.user.user_id));
      } catch (err) {
        if (err instanceof CrashForTest) throw err;
        record(line('failed', { detail: err instanceof Error ? err.message : String(err) }));
      }
      progress();
    }
    if (viaJob.length) {
      try {
        connectionId ??= await deps.auth0.connectionId(o.connection);
        await importBatch(viaJob, connectionId);
      } catch (err) {
        if (err instanceof CrashForTest) throw err;
        for (const item of viaJob) {
          if (!cp.lines[item.identity.id]) record({ identity_id: item.identity.id, email: item.user.email, created_at: item.identity.created_at, status: 'failed', detail: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    cp.scanned += page.identities.length;
    cp.pages_done++;
    cp.next_page_token = page.next;
    await deps.checkpoint.save(cp);
    progress(true);
  }
  const lines = Object.values(cp.lines).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.identity_id.localeCompare(b.identity_id));
  return {
    schema: 'switchback.reconcile.report.v1',
    run_id: cp.run_id,
    window: cp.window,
    dry_run: cp.dry_run,
    started_at: cp.started_at,
    finished_at: new Date().toISOString(),
    scanned: cp.scanned,
    totals: totals(lines),
    lines,
  };
}

export type { LineStatus };

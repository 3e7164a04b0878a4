// Auth0 bulk import jobs (POST /api/v2/jobs/users-imports): accepted with 202
// and status "pending", then "processing", then "completed" with a summary
// { failed, updated, inserted, total } after short delays; at most 2 pending
// or processing jobs per tenant (429 beyond). Users are checked one by one:
// schema errors, DUPLICATED_USER for emails or user_ids that already exist
// (or appear twice in the file) unless upsert=true, in which case the
// upsertable attributes of the existing user are updated; a hash is never
// upserted onto a user that already has a password (Auth0 sets hashes only
// when an import creates the user). GET /jobs/{id}/errors
// lists per-user errors, or 204 when there are none.
import { ManagementApiError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import { JOB_ID_PATTERN, newJobId } from './ids.ts';
import { validateImportUser, type ImportUserError } from './import-validation.ts';
import { recordEmail, TENANT_OWNERS, type SentEmail } from './sent-emails.ts';
import { buildProfile, type Auth0User, type UserStore } from './user-store.ts';
import type { Reply } from './users-routes.ts';

export type JobStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface ImportJob {
  id: string;
  type: 'users_import';
  status: JobStatus;
  created_at: string;
  connection_id: string;
  connection: string;
  external_id?: string;
  upsert: boolean;
  send_completion_email: boolean;
  summary?: { failed: number; updated: number; inserted: number; total: number };
  status_details?: string;
  /** Per-user errors, as GET /jobs/{id}/errors returns them. */
  errors: Array<{ user: unknown; errors: ImportUserError[] }>;
  /** The raw users file, kept for tests. */
  usersFile: string;
}

export interface ImportJobTiming {
  /** Time spent "pending" (default 50 ms). */
  pendingMs?: number;
  /** Time spent "processing" (default 100 ms). */
  processingMs?: number;
}

export interface NewImportJob {
  usersFile: string;
  connection: Auth0Connection;
  upsert: boolean;
  sendCompletionEmail: boolean;
  externalId?: string;
}

/** Profile attributes an upsert may change (Auth0: "upsertable attributes"). */
const UPSERTABLE = ['app_metadata', 'blocked', 'email_verified', 'family_name', 'given_name', 'name', 'nickname', 'picture', 'user_metadata', 'username'] as const;

export class ImportJobs {
  readonly jobs = new Map<string, ImportJob>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: UserStore,
    private readonly emails: SentEmail[],
    private readonly timing: Required<ImportJobTiming>,
    public maxConcurrent: number,
  ) {}

  activeCount(): number {
    return [...this.jobs.values()].filter((j) => j.status === 'pending' || j.status === 'processing').length;
  }

  create(input: NewImportJob): Reply {
    if (this.activeCount() >= this.maxConcurrent) {
      throw new ManagementApiError(
        429,
        `There are already ${this.maxConcurrent} active import users jobs for this tenant; wait until one completes before creating another.`,
        'too_many_requests',
      );
    }
    const job: ImportJob = {
      id: newJobId(),
      type: 'users_import',
      status: 'pending',
      created_at: new Date().toISOString(),
      connection_id: input.connection.id,
      connection: input.connection.name,
      ...(input.externalId !== undefined ? { external_id: input.externalId } : {}),
      upsert: input.upsert,
      send_completion_email: input.sendCompletionEmail,
      errors: [],
      usersFile: input.usersFile,
    };
    this.jobs.set(job.id, job);
    this.#after(this.timing.pendingMs, () => {
      job.status = 'processing';
      this.#after(this.timing.processingMs, () => this.#run(job));
    });
    return { status: 202, body: this.#createdView(job) };
  }

  get(id: string): Reply {
    return { status: 200, body: this.#view(this.#find(id)) };
  }

  errorsOf(id: string): Reply {
    const job = this.#find(id);
    if (job.status === 'failed') return { status: 200, body: this.#view(job) };
    if (job.errors.length === 0) return { status: 204 };
    return { status: 200, body: structuredClone(job.errors) };
  }

  /** Cancels pending timers (server stop). */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #find(id: string): ImportJob {
    if (!JOB_ID_PATTERN.test(id)) {
      throw new ManagementApiError(400, `Path validation error: 'String does not match pattern ^job_[A-Za-z0-9]{16}$: ${id}' on property id (The id of the job).`, 'invalid_uri');
    }
    const job = this.jobs.get(id);
    if (!job) throw new ManagementApiError(404, 'The job does not exist.', 'inexistent_job');
    return job;
  }

  #createdView(job: ImportJob): Record<string, unknown> {
    return {
      status: job.status,
      type: job.type,
      created_at: job.created_at,
      id: job.id,
      connection_id: job.connection_id,
      connection: job.connection,
      ...(job.external_id !== undefined ? { external_id: job.external_id } : {}),
      upsert: job.upsert,
      send_completion_email: job.send_completion_email,
    };
  }

  #view(job: ImportJob): Record<string, unknown> {
    const out: Record<string, unknown> = {
      status: job.status,
      type: job.type,
      created_at: job.created_at,
      id: job.id,
      connection_id: job.connection_id,
      ...(job.external_id !== undefined ? { external_id: job.external_id } : {}),
    };
    if (job.status === 'processing') Object.assign(out, { percentage_done: 50, time_left_seconds: 1 });
    if (job.status === 'failed') out.status_details = job.status_details;
    if (job.summary) out.summary = { ...job.summary };
    return out;
  }

  #run(job: ImportJob): void {
    let entries: unknown;
    try {
      entries = JSON.parse(job.usersFile);
    } catch {
      return this.#fail(job, 'Failed to parse users file JSON when importing users. Make sure it is valid JSON.');
    }
    if (!Array.isArray(entries)) return this.#fail(job, 'The users file must contain a JSON array of users.');

    const summary = { failed: 0, updated: 0, inserted: 0, total: entries.length };
    const seenEmails = new Set<string>();
    const seenIds = new Set<string>();
    for (const entry of entries) {
      const { record, errors } = validateImportUser(entry);
      if (!record) {
        summary.failed += 1;
        job.errors.push({ user: entry, errors });
        continue;
      }
      const email = record.fields.email.toLowerCase();
      const userId = record.fields.user_id === undefined ? undefined : `auth0|${record.fields.user_id}`;
      const byEmail = this.store.existsInConnection(email, job.connection);
      const byId = userId === undefined ? undefined : this.store.get(userId);
      const duplicateInFile = seenEmails.has(email) || (userId !== undefined && seenIds.has(userId));
      seenEmails.add(email);
      if (userId !== undefined) seenIds.add(userId);
      const conflict = byId && byId !== byEmail;
      if (duplicateInFile || conflict || (byEmail && !job.upsert)) {
        summary.failed += 1;
        job.errors.push({ user: entry, errors: [{ code: 'DUPLICATED_USER', message: 'The user already exist' }] });
        continue;
      }
      if (byEmail && record.credential && byEmail.credential) {
        // "This property can only be provided when the user is first imported and cannot be updated later"
        // (Bulk User Import Database Schema); the message is Auth0's (support article "Bulk User Import
        // Without Password Hashes"), the code is assumed.
        summary.failed += 1;
        job.errors.push({ user: entry, errors: [{ code: 'PASSWORD_HASH_EXISTS', message: `A ${'custom_password_hash' in (entry as object) ? 'custom_password_hash' : 'password_hash'} was provided, but the user already has password hash defined` }] });
        continue;
      }
      if (byEmail) {
        const profile = byEmail.profile as unknown as Record<string, unknown>;
        for (const key of UPSERTABLE) {
          const value = (record.fields as unknown as Record<string, unknown>)[key];
          if (value !== undefined) profile[key] = value;
        }
        (byEmail.profile as Auth0User).email_verified = record.fields.email_verified ?? false;
        byEmail.profile.updated_at = new Date().toISOString();
        if (record.credential) byEmail.credential = record.credential;
        summary.updated += 1;
        continue;
      }
      const connection = { id: job.connection_id, name: job.connection, strategy: 'auth0' as const, passwordPolicy: 'none' as const };
      this.store.add({
        profile: buildProfile(record.fields, connection),
        connection: job.connection,
        ...(record.credential ? { credential: record.credential } : {}),
        source: { kind: 'import', jobId: job.id },
      });
      summary.inserted += 1;
    }
    job.summary = summary;
    job.status = 'completed';
    this.#completionEmail(job);
  }

  #fail(job: ImportJob, details: string): void {
    job.status = 'failed';
    job.status_details = details;
    this.#completionEmail(job);
  }

  #completionEmail(job: ImportJob): void {
    if (job.send_completion_email) recordEmail(this.emails, { kind: 'import_job_completed', to: TENANT_OWNERS, job_id: job.id, connection: job.connection });
  }
}

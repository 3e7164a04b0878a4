// POST /api/v2/jobs/users-imports request checks, with the messages Auth0's
// API reference lists: "Must provide 'users' file as multipart part.",
// "Users file must not be empty.", "Must provide 'connection_id' as multipart
// part.", the con_ id pattern, "The connection does not exist.", boolean
// upsert / send_completion_email (default false / true).
import { ManagementApiError, payloadError } from './auth0-errors.ts';
import type { Auth0Connection } from './connections.ts';
import { CONNECTION_ID_PATTERN } from './ids.ts';
import type { ImportJobs } from './import-jobs.ts';
import { readImportForm } from './request-body.ts';
import type { Reply } from './users-routes.ts';

function booleanField(fields: Record<string, string>, name: string, fallback: boolean): boolean {
  const raw = fields[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw payloadError('Expected type boolean but found type string', name);
}

export async function createImportJob(req: Request, jobs: ImportJobs, connections: readonly Auth0Connection[]): Promise<Reply> {
  const form = await readImportForm(req);
  if (form.users === undefined) throw new ManagementApiError(400, "Must provide 'users' file as multipart part.", 'invalid_body');
  if (form.users.trim() === '') throw new ManagementApiError(400, 'Users file must not be empty.', 'invalid_body');
  const connectionId = form.fields.connection_id;
  if (connectionId === undefined || connectionId === '') {
    throw new ManagementApiError(400, "Must provide 'connection_id' as multipart part.", 'invalid_body');
  }
  if (!CONNECTION_ID_PATTERN.test(connectionId)) throw payloadError('String does not match pattern ^con_[A-Za-z0-9]{16}$', 'connection_id');
  const connection = connections.find((c) => c.id === connectionId);
  if (!connection) throw new ManagementApiError(400, 'The connection does not exist.', 'inexistent_connection');
  const externalId = form.fields.external_id;
  return jobs.create({
    usersFile: form.users,
    connection,
    upsert: booleanField(form.fields, 'upsert', false),
    sendCompletionEmail: booleanField(form.fields, 'send_completion_email', true),
    ...(externalId ? { externalId } : {}),
  });
}

/**
 * Auth0 stand-in bulk imports (POST /api/v2/jobs/users-imports): job
 * lifecycle, per-user errors, carried-over password hashes, upsert, the
 * 512000-byte payload limit and the 2-concurrent-jobs limit.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { IMPORT_PAYLOAD_MAX_BYTES, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { getToken, importForm, mgmt, waitForJob } from './support/auth0-http.ts';

let api: Auth0ApiHandle;
let token: string;

beforeEach(async () => {
  api = await startAuth0Api({ rateLimit: false });
  token = await getToken(api);
});
afterEach(async () => {
  await api.stop();
});

const BCRYPT = '$2b$10$' + 'a'.repeat(53);
const ARGON2 = '$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';

it('runs pending → processing → completed and carries password hashes over', async () => {
  await api.stop();
  api = await startAuth0Api({ rateLimit: false, importJobs: { pendingMs: 150, processingMs: 300 } });
  token = await getToken(api);
  const pbkdf2 = makeIdentities(3, { seed: 11, hashShare: 1 })
    .map((i) => i.credentials!.password!.config!.hashed_password as string)
    .find((h) => h.startsWith('$pbkdf2-'))!;
  const users = [
    { email: 'bcrypt@example.test', email_verified: true, password_hash: BCRYPT, user_id: 'olympus-1', app_metadata: { olympus_id: '1' } },
    { email: 'argon@example.test', custom_password_hash: { algorithm: 'argon2', hash: { value: ARGON2, encoding: 'utf8' } } },
    { email: 'pbkdf2@example.test', given_name: 'P', custom_password_hash: { algorithm: 'pbkdf2', hash: { value: pbkdf2, encoding: 'utf8' } } },
  ];
  const res = await mgmt(api, token, 'POST', '/jobs/users-imports', importForm(users, api.connection.id, { external_id: 'batch-1' }));
  expect(res.status).toBe(202);
  const created = (await res.json()) as Record<string, unknown>;
  expect(created).toMatchObject({ status: 'pending', type: 'users_import', connection_id: api.connection.id, connection: api.connection.name, external_id: 'batch-1', upsert: false });
  expect(created.id).toMatch(/^job_[A-Za-z0-9]{16}$/);

  const seen = new Set<unknown>();
  let job: Record<string, unknown>;
  do {
    job = (await (await mgmt(api, token, 'GET', `/jobs/${created.id}`)).json()) as Record<string, unknown>;
    seen.add(job.status);
    if (job.status === 'processing') expect(job).toMatchObject({ percentage_done: expect.any(Number), time_left_seconds: expect.any(Number) });
    await new Promise((r) => setTimeout(r, 10));
  } while (job.status !== 'completed');
  expect([...seen]).toEqual(['pending', 'processing', 'completed']);
  expect(job).toMatchObject({ status: 'completed', summary: { failed: 0, updated: 0, inserted: 3, total: 3 } });
  expect((await mgmt(api, token, 'GET', `/jobs/${created.id}/errors`)).status).toBe(204);

  const [bcryptUser] = api.usersByEmail('bcrypt@example.test');
  expect(bcryptUser!.profile).toMatchObject({ user_id: 'auth0|olympus-1', email_verified: true, app_metadata: { olympus_id: '1' } });
  expect(bcryptUser!.credential).toEqual({ kind: 'password_hash', hash: BCRYPT });
  expect(api.usersByEmail('argon@example.test')[0]!.credential).toEqual({ kind: 'custom_password_hash', custom: users[1]!.custom_password_hash });
  expect(api.usersByEmail('argon@example.test')[0]!.profile.email_verified).toBe(false);
  expect(api.usersByEmail('pbkdf2@example.test')[0]!.credential).toMatchObject({ custom: { algorithm: 'pbkdf2', hash: { value: pbkdf2 } } });
  expect(api.emails).toEqual([expect.objectContaining({ kind: 'import_job_completed', job_id: created.id })]);
});

it('reports per-user errors: duplicates, schema violations, bad hashes', async () => {
  api.seedUser({ email: 'taken@example.test' });
  const users = [
    { email: 'taken@example.test' },
    { email: 'new@example.test' },
    { email: 'NEW@example.test' },
    { email: 'broken' },
    { email: 'hash@example.test', password_hash: 'md5:abc' },
    { email: 'argon2@example.test', custom_password_hash: { algorithm: 'argon2', hash: { value: 'plain', encoding: 'base64' } } },
    { name: 'no email' },
  ];
  const { id } = (await (await mgmt(api, token, 'POST', '/jobs/users-imports', importForm(users, api.connection.id, { send_completion_email: 'false' }))).json()) as { id: string };
  const job = await waitForJob(api, token, id);
  expect(job.summary).toEqual({ failed: 6, updated: 0, inserted: 1, total: 7 });
  const errors = (await (await mgmt(api, token, 'GET', `/jobs/${id}/errors`)).json()) as Array<{ user: Record<string, unknown>; errors: Array<{ code: string }> }>;
  expect(errors.map((e) => [e.user.email ?? e.user.name, e.errors.map((x) => x.code)])).toEqual([
    ['taken@example.test', ['DUPLICATED_USER']],
    ['NEW@example.test', ['DUPLICATED_USER']],
    ['broken', ['INVALID_FORMAT']],
    ['hash@example.test', ['PATTERN']],
    ['argon2@example.test', ['INVALID_FORMAT', 'INVALID_FORMAT']],
    ['no email', ['OBJECT_MISSING_REQUIRED_PROPERTY']],
  ]);
  expect(api.emails).toEqual([]);
});

it("takes password_hash at bcrypt cost 10 only, quoting a refused value as z-schema does; custom_password_hash bcrypt takes any cost", async () => {
  const cost12 = '$2a$12$' + 'b'.repeat(53);
  const users = [
    { email: 'cost12@example.test', password_hash: cost12 },
    { email: 'cost12-custom@example.test', custom_password_hash: { algorithm: 'bcrypt', hash: { value: cost12, encoding: 'utf8' } } },
    { email: 'cost10@example.test', password_hash: '$2a$10$' + 'c'.repeat(53) },
  ];
  const { id } = (await (await mgmt(api, token, 'POST', '/jobs/users-imports', importForm(users, api.connection.id, { send_completion_email: 'false' }))).json()) as { id: string };
  const job = await waitForJob(api, token, id);
  expect(job.summary).toEqual({ failed: 1, updated: 0, inserted: 2, total: 3 });
  const errors = (await (await mgmt(api, token, 'GET', `/jobs/${id}/errors`)).json()) as Array<{ user: Record<string, unknown>; errors: Array<{ code: string; message: string; path: string }> }>;
  expect(errors).toHaveLength(1);
  expect(errors[0]!.errors[0]).toEqual({ code: 'PATTERN', path: '#/password_hash', message: `String does not match pattern ^\\$2[ab]?\\$10+\\$[./A-Za-z0-9]{53}$: ${cost12}` });
  expect(api.usersByEmail('cost12-custom@example.test')[0]!.credential).toMatchObject({ kind: 'custom_password_hash', custom: { algorithm: 'bcrypt', hash: { value: cost12 } } });
});

it('upserts existing users when upsert=true', async () => {
  const existing = api.seedUser({ email: 'up@example.test', email_verified: true, given_name: 'Old' });
  const { id } = (await (await mgmt(api, token, 'POST', '/jobs/users-imports', importForm([{ email: 'up@example.test', given_name: 'New', password_hash: BCRYPT }], api.connection.id, { upsert: 'true' }))).json()) as { id: string };
  expect((await waitForJob(api, token, id)).summary).toEqual({ failed: 0, updated: 1, inserted: 0, total: 1 });
  expect(existing.profile).toMatchObject({ given_name: 'New', email_verified: false });
  expect(existing.credential).toEqual({ kind: 'password_hash', hash: BCRYPT });
});

it('never replaces the password of an existing user through an upsert (Auth0 sets hashes on first import only)', async () => {
  const existing = api.seedUser({ email: 'has-pw@example.test', email_verified: true }, { kind: 'password', password: 'Old-Password-1' });
  const { id } = (await (await mgmt(api, token, 'POST', '/jobs/users-imports', importForm([{ email: 'has-pw@example.test', given_name: 'New', password_hash: BCRYPT }], api.connection.id, { upsert: 'true' }))).json()) as { id: string };
  expect((await waitForJob(api, token, id)).summary).toEqual({ failed: 1, updated: 0, inserted: 0, total: 1 });
  expect(existing.credential).toEqual({ kind: 'password', password: 'Old-Password-1' });
});

it('fails the job when the file is not a JSON array', async () => {
  const { id } = (await (await mgmt(api, token, 'POST', '/jobs/users-imports', importForm('{not json', api.connection.id))).json()) as { id: string };
  const job = await waitForJob(api, token, id);
  expect(job.status).toBe('failed');
  expect(job.status_details).toMatch(/Failed to parse users file JSON/);
});

it('rejects payloads over 512000 bytes with 413', async () => {
  const filler = 'x'.repeat(400);
  const users = Array.from({ length: 1300 }, (_, i) => ({ email: `u${i}@example.test`, user_metadata: { filler } }));
  const form = importForm(users, api.connection.id);
  const res = await mgmt(api, token, 'POST', '/jobs/users-imports', form);
  expect(res.status).toBe(413);
  expect(await res.json()).toEqual({ statusCode: 413, error: 'Request Entity Too Large', message: `Payload content length greater than maximum allowed: ${IMPORT_PAYLOAD_MAX_BYTES}` });
  expect(api.jobs.size).toBe(0);
});

it('rejects invalid import requests with 400', async () => {
  const noUsers = new FormData();
  noUsers.set('connection_id', api.connection.id);
  const cases: Array<[FormData, string]> = [
    [noUsers, "Must provide 'users' file as multipart part."],
    [importForm('  ', api.connection.id), 'Users file must not be empty.'],
    [importForm([], 'con_bad'), "Payload validation error: 'String does not match pattern ^con_[A-Za-z0-9]{16}$' on property connection_id."],
    [importForm([], 'con_AAAAAAAAAAAAAAAA'), 'The connection does not exist.'],
  ];
  for (const [form, message] of cases) {
    const res = await mgmt(api, token, 'POST', '/jobs/users-imports', form);
    expect(res.status, message).toBe(400);
    expect(((await res.json()) as Record<string, unknown>).message).toBe(message);
  }
  const json = await mgmt(api, token, 'POST', '/jobs/users-imports', { users: [] });
  expect(json.status).toBe(400);
  expect((await mgmt(api, token, 'GET', '/jobs/job_AAAAAAAAAAAAAAAA')).status).toBe(404);
  expect((await mgmt(api, token, 'GET', '/jobs/nope')).status).toBe(400);
});

it('allows at most 2 concurrent import jobs per tenant', async () => {
  const start = () => mgmt(api, token, 'POST', '/jobs/users-imports', importForm([{ email: `c${Math.random()}@example.test` }], api.connection.id));
  const a = (await (await start()).json()) as { id: string };
  expect((await start()).status).toBe(202);
  const third = await start();
  expect(third.status).toBe(429);
  expect(await third.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', errorCode: 'too_many_requests' });
  await waitForJob(api, token, a.id);
  await new Promise((r) => setTimeout(r, 50));
  expect((await start()).status).toBe(202);
});

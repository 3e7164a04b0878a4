/**
 * The Clerk Backend API stand-in (dev/clerk-api) against its published
 * contract, through switchback's own client (src/providers/admin): the
 * secret key, Clerk's error shape mapped to stable reasons, users created
 * with a carried bcrypt or pbkdf2 digest and checked by verify_password, 429
 * with Retry-After, and the instance shared with the Clerk-like sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { DEFAULT_CLERK_SECRET_KEY, instanceDirectory, startClerkApi, type ClerkApiHandle } from '../../dev/clerk-api/index.ts';
import { ClerkBackendClient } from '../../src/providers/admin/clerk-backend-client.ts';
import { LegacyAdminError } from '../../src/providers/admin/admin-error.ts';

let api: ClerkApiHandle;
let clerk: ClerkBackendClient;
let seq = 0;
const email = () => `clerk-${++seq}-${Date.now().toString(36)}@example.com`;

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LegacyAdminError) return err.reason;
    throw err;
  }
  return 'resolved';
}

beforeAll(async () => {
  api = await startClerkApi({ rateLimit: { limit: 1000, perSeconds: 10, retryAfter: true } });
  clerk = new ClerkBackendClient({ secretKey: DEFAULT_CLERK_SECRET_KEY, apiUrl: api.url });
});
afterAll(() => api?.stop());

describe('authentication and errors', () => {
  it('no key or a wrong key: 401 in Clerk\'s error shape, auth_refused', async () => {
    const res = await fetch(`${api.url}/v1/users`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: { code: string; message: string; long_message: string; meta: unknown }[]; clerk_trace_id: string };
    expect(body.errors[0]).toMatchObject({ code: 'authentication_invalid', message: expect.any(String), long_message: expect.any(String), meta: {} });
    expect(body.clerk_trace_id).toMatch(/^[0-9a-f]{32}$/);
    const wrong = new ClerkBackendClient({ secretKey: 'sk_test_wrong', apiUrl: api.url });
    expect(await wrong.findUsersByEmail('a@example.com').catch((e: unknown) => e)).toMatchObject({ reason: 'auth_refused', status: 401, providerCode: 'authentication_invalid' });
  });

  it('an existing email is form_identifier_exists (user_exists), an existing external_id too; bad digests are refused', async () => {
    const address = email();
    await clerk.createUser({ emailAddress: address, password: 'a-good-password', externalId: `olympus-${seq}` });
    expect(await clerk.createUser({ emailAddress: address.toUpperCase() }).catch((e: unknown) => e)).toMatchObject({ reason: 'user_exists', status: 422, providerCode: 'form_identifier_exists' });
    expect(await reasonOf(clerk.createUser({ emailAddress: email(), externalId: `olympus-${seq - 1}` }))).toBe('user_exists');
    expect(await clerk.createUser({ emailAddress: email(), passwordDigest: { digest: '$2a$10$tooShort', hasher: 'bcrypt' } }).catch((e: unknown) => e)).toMatchObject({ reason: 'invalid_request', providerCode: 'form_password_digest_invalid' });
    expect(await reasonOf(clerk.createUser({ emailAddress: email(), password: 'short' }))).toBe('invalid_password');
    expect(await reasonOf(clerk.verifyPassword('user_doesnotexist', 'x'))).toBe('user_not_found');
  });
});

describe('passwords', () => {
  it('a bcrypt digest carried at creation: verify_password accepts that password and refuses another', async () => {
    const address = email();
    const user = await clerk.createUser({ emailAddress: address, firstName: 'Bea', externalId: `olympus-bcrypt-${seq}`, passwordDigest: { digest: bcrypt.hashSync('carried-bcrypt-pw', 4), hasher: 'bcrypt' } });
    expect(user).toMatchObject({ passwordEnabled: true, externalId: `olympus-bcrypt-${seq}`, emailAddresses: [address] });
    expect(await clerk.verifyPassword(user.id, 'carried-bcrypt-pw')).toBe(true);
    expect(await clerk.verifyPassword(user.id, 'not-it').catch((e: unknown) => e)).toMatchObject({ reason: 'invalid_credentials', status: 422, providerCode: 'form_password_incorrect' });
    expect((await clerk.findUsersByExternalId(`olympus-bcrypt-${seq}`)).map((u) => u.id)).toEqual([user.id]);
  });

  it("a pbkdf2_sha256 digest in Clerk's format is checked; a user without a password cannot be verified; PATCH replaces the digest", async () => {
    const salt = randomBytes(16);
    const digest = `pbkdf2_sha256$1000$${salt.toString('base64')}$${pbkdf2Sync('carried-pbkdf2-pw', salt, 1000, 32, 'sha256').toString('base64')}`;
    const user = await clerk.createUser({ emailAddress: email(), passwordDigest: { digest, hasher: 'pbkdf2_sha256' } });
    expect(await clerk.verifyPassword(user.id, 'carried-pbkdf2-pw')).toBe(true);
    const nopass = await clerk.createUser({ emailAddress: email() });
    expect(nopass.passwordEnabled).toBe(false);
    expect(await reasonOf(clerk.verifyPassword(nopass.id, 'anything'))).toBe('invalid_credentials');
    await clerk.updateUser(nopass.id, { passwordDigest: { digest: bcrypt.hashSync('changed-in-olympus', 4), hasher: 'bcrypt' } });
    expect(await clerk.verifyPassword(nopass.id, 'changed-in-olympus')).toBe(true);
  });

  it('find by email, then delete (a reconcile undo)', async () => {
    const address = email();
    const user = await clerk.createUser({ emailAddress: address, password: 'a-good-password' });
    expect((await clerk.findUsersByEmail(address)).map((u) => u.id)).toEqual([user.id]);
    await clerk.deleteUser(user.id);
    expect(await clerk.findUsersByEmail(address)).toEqual([]);
    expect(await reasonOf(clerk.deleteUser(user.id))).toBe('user_not_found');
  });

  it("the instance is the Clerk-like sign-in's: a carried digest signs in with the old password", async () => {
    const address = email();
    await clerk.createUser({ emailAddress: address, passwordDigest: { digest: bcrypt.hashSync('sign-in-with-me', 4), hasher: 'bcrypt' } });
    const directory = instanceDirectory(api.instance);
    expect(await directory.verify(address, 'sign-in-with-me')).toMatchObject({ email: address, sub: expect.stringMatching(/^user_/) });
    expect(await directory.verify(address, 'other')).toBeUndefined();
  });
});

describe('rate limits and faults', () => {
  it('over the limit: 429 with Retry-After, throttled with retryAfterMs', async () => {
    api.setRateLimit({ limit: 3, perSeconds: 10, retryAfter: true });
    const reasons = [];
    for (let i = 0; i < 4; i++) reasons.push(await reasonOf(clerk.findUsersByEmail('x@example.com')));
    expect(reasons).toEqual(['resolved', 'resolved', 'resolved', 'throttled']);
    const err = (await clerk.findUsersByEmail('x@example.com').catch((e: unknown) => e)) as LegacyAdminError;
    expect(err).toMatchObject({ reason: 'throttled', status: 429, retryable: true });
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(1000);
    api.setRateLimit({ limit: 1000, perSeconds: 10, retryAfter: true });
  });

  it('5xx is upstream_status, a slow answer timeout', async () => {
    api.failNext(1, 503);
    expect(await reasonOf(clerk.findUsersByEmail('x@example.com'))).toBe('upstream_status');
    api.setLatency(300);
    expect(await reasonOf(clerk.findUsersByEmail('x@example.com', { timeoutMs: 100 }))).toBe('timeout');
    api.setLatency(0);
  });
});

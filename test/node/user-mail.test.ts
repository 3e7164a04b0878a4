/**
 * The user-mail path (src/comms/user-mail.ts) against the mail catcher's
 * relay (dev/mail-catcher/relay.ts), and the reset composition
 * (src/reconcile/reset-mail.ts): the relay refuses a wrong token, sends each
 * idempotency key once, and the reset email is the users' template (never a
 * word about the migration) carrying the reset link: Auth0's ticket (and no
 * Auth0 email), or the configured reset page for a target that has no reset
 * email of its own (Clerk's `needs_reset`).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { DEFAULT_AUTH0_CLIENT, startAuth0Api, type Auth0ApiHandle } from '../../dev/auth0-api/index.ts';
import { startMailCatcher, type MailCatcherHandle } from '../../dev/mail-catcher/index.ts';
import { TEMPLATES, USER_FACING_FORBIDDEN } from '../../src/comms/templates.ts';
import { sendUserMail, UserMailError, userMailConfig, type UserMailConfig } from '../../src/comms/user-mail.ts';
import { Auth0ManagementClient } from '../../src/reconcile/auth0-management-client.ts';
import { Auth0Target } from '../../src/reconcile/auth0-target.ts';
import type { ReconcileTarget } from '../../src/reconcile/reconcile-target.ts';
import { resetIdempotencyKey, resetSender, type ResetMailPath } from '../../src/reconcile/reset-mail.ts';

const TOKEN = 'relay-token-0123456789abcdef';
let catcher: MailCatcherHandle;
let limited: MailCatcherHandle;
let auth0: Auth0ApiHandle;
let webhook: Extract<UserMailConfig, { kind: 'webhook' }>;

beforeAll(async () => {
  catcher = await startMailCatcher(0, { token: TOKEN });
  limited = await startMailCatcher(0, { token: TOKEN, perSecond: 1 });
  auth0 = await startAuth0Api({ rateLimit: false });
  webhook = { kind: 'webhook', url: catcher.relayUrl, token: TOKEN, resetUrl: undefined };
});
afterAll(async () => Promise.allSettled([catcher.stop(), limited.stop(), auth0.stop()]));
beforeEach(() => {
  auth0.emails.length = 0;
});

const mail = (key: string, to = 'ada@example.test') => ({ to, subject: 'Hello', text: 'Body', idempotencyKey: key });
const relayed = (to: string) => catcher.store.list().filter((m) => m.source === 'user-mail' && m.to === to);

it('a wrong or missing token is refused (401, not retryable, the token never echoed) and nothing is sent', async () => {
  const err = await sendUserMail({ ...webhook, token: 'wrong-token-0123456789' }, mail('k-refused', 'refused@example.test')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UserMailError);
  expect(err).toMatchObject({ code: 'ERR_USER_MAIL', reason: 'refused', status: 401, retryable: false });
  expect(String((err as Error).message)).not.toContain('wrong-token');
  const bare = await fetch(catcher.relayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: JSON.stringify({ to: 'refused@example.test', subject: 's', text: 't' }) });
  expect(bare.status).toBe(401);
  expect(bare.headers.get('www-authenticate')).toBe('Bearer');
  expect(relayed('refused@example.test')).toEqual([]);
});

it('one email per idempotency key: a repeat answers the first result; the key for another recipient is refused (422)', async () => {
  const first = await sendUserMail(webhook, mail('k-once', 'once@example.test'));
  const again = await sendUserMail(webhook, { ...mail('k-once', 'once@example.test'), text: 'Body with a fresh link' });
  expect(first).toMatchObject({ duplicate: false });
  expect(again).toEqual({ id: first.id, duplicate: true });
  expect(relayed('once@example.test').map((m) => m.text)).toEqual(['Body']);
  const other = await sendUserMail(webhook, mail('k-once', 'someone-else@example.test')).catch((e: unknown) => e);
  expect(other).toMatchObject({ reason: 'rejected', status: 422, retryable: false });
  expect(relayed('someone-else@example.test')).toEqual([]);
  // No key: 400, not sent.
  const noKey = await fetch(catcher.relayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ to: 'nokey@example.test', subject: 's', text: 't' }) });
  expect(noKey.status).toBe(400);
  expect(relayed('nokey@example.test')).toEqual([]);
});

it('a rate limit or no answer is retryable; the retry under the same key sends once', async () => {
  const lim = { ...webhook, url: limited.relayUrl };
  await sendUserMail(lim, mail('r-1', 'r1@example.test'));
  const over = await sendUserMail(lim, mail('r-2', 'r2@example.test')).catch((e: unknown) => e);
  expect(over).toMatchObject({ reason: 'rate_limited', status: 429, retryable: true });
  const gone = await sendUserMail({ ...webhook, url: 'http://127.0.0.1:9/relay/messages' }, mail('n-1')).catch((e: unknown) => e);
  expect(gone).toMatchObject({ reason: 'no_answer', status: 0, retryable: true });
});

it('USER_MAIL variables: legacy by default; webhook needs a URL (https, or http on this machine) and a token', () => {
  const vars = (v: Record<string, string>) => (name: string) => v[name];
  expect(userMailConfig(vars({}))).toEqual({ kind: 'legacy' });
  expect(userMailConfig(vars({ USER_MAIL: 'smtp' }))).toMatchObject({ variable: 'USER_MAIL' });
  expect(userMailConfig(vars({ USER_MAIL: 'webhook' }))).toMatchObject({ variable: 'USER_MAIL_URL' });
  expect(userMailConfig(vars({ USER_MAIL: 'webhook', USER_MAIL_URL: 'http://relay.example.test/send', USER_MAIL_TOKEN: TOKEN }))).toMatchObject({ variable: 'USER_MAIL_URL' });
  expect(userMailConfig(vars({ USER_MAIL: 'webhook', USER_MAIL_URL: 'https://relay.example.test/send', USER_MAIL_TOKEN: 'short' }))).toMatchObject({ variable: 'USER_MAIL_TOKEN' });
  expect(userMailConfig(vars({ USER_MAIL: 'webhook', USER_MAIL_URL: 'https://relay.example.test/send', USER_MAIL_TOKEN: TOKEN, USER_MAIL_RESET_URL: 'ftp://x' }))).toMatchObject({ variable: 'USER_MAIL_RESET_URL' });
  expect(userMailConfig(vars({ USER_MAIL: 'webhook', USER_MAIL_URL: 'https://relay.example.test/send', USER_MAIL_TOKEN: TOKEN, USER_MAIL_RESET_URL: 'https://app.example.test/forgot' }))).toEqual({ kind: 'webhook', url: 'https://relay.example.test/send', token: TOKEN, resetUrl: 'https://app.example.test/forgot' });
});

const path = (over: { resetUrl?: string } = {}): ResetMailPath => ({ mail: { ...webhook, ...over }, statusUrl: 'https://status.example.test', product: 'Acme', incidentAt: '2026-11-30T04:00:00Z' });

/** The text without its links: what the user reads in words. */
const words = (text: string) => text.replace(/https?:\/\/\S+/g, '');

it('Auth0 with the mail path: a password-change ticket in the users\' template, and no Auth0 email', async () => {
  auth0.seedUser({ email: 'ticket@example.test' });
  const target = new Auth0Target(new Auth0ManagementClient({ managementUrl: auth0.managementUrl, clientId: DEFAULT_AUTH0_CLIENT.client_id, clientSecret: DEFAULT_AUTH0_CLIENT.client_secret }), { connection: auth0.connection.name, resetClientId: DEFAULT_AUTH0_CLIENT.client_id });
  const outcome = await resetSender(target, path())({ email: 'ticket@example.test', identityId: 'id-ticket', runId: 'rc-1' });
  expect(outcome).toBe('sent_by_mail_path');
  const [m, ...more] = relayed('ticket@example.test');
  expect(more).toEqual([]);
  const issued = auth0.tickets.filter((t) => t.email === 'ticket@example.test');
  expect(issued).toHaveLength(1);
  expect(m!.subject).toBe(TEMPLATES.user_email.subject);
  expect(m!.text).toContain(`(${issued[0]!.ticket})`);
  expect(m!.text).toContain('Full details: https://status.example.test');
  expect(m!.text).toMatch(/\nAcme$/);
  expect(words(m!.text)).not.toMatch(USER_FACING_FORBIDDEN);
  expect(auth0.emails).toEqual([]);
  expect(catcher.relay.keys()).toContain(resetIdempotencyKey('rc-1', 'id-ticket'));
});

it('without the mail path Auth0 sends its own email, as before', async () => {
  auth0.seedUser({ email: 'own@example.test' });
  const target = new Auth0Target(new Auth0ManagementClient({ managementUrl: auth0.managementUrl, clientId: DEFAULT_AUTH0_CLIENT.client_id, clientSecret: DEFAULT_AUTH0_CLIENT.client_secret }), { connection: auth0.connection.name, resetClientId: DEFAULT_AUTH0_CLIENT.client_id });
  expect(await resetSender(target, undefined)({ email: 'own@example.test', identityId: 'id-own', runId: 'rc-1' })).toBe('sent');
  expect(auth0.emails.map((e) => `${e.kind}:${e.to}`)).toEqual(['password_reset:own@example.test']);
  expect(relayed('own@example.test')).toEqual([]);
});

/** A target whose provider has no reset email (Clerk's answer), for the composition only. */
function needsResetTarget(): ReconcileTarget & { asked: string[] } {
  const asked: string[] = [];
  const no = () => Promise.reject(new Error('not used'));
  return { kind: 'clerk', asked, acceptsHash: () => false, preflight: no, create: no, findByEmail: no, get: no, updateProfile: no, replaceHash: no, legacyHashCapability: () => 'unsupported', replaceLegacyHash: no, notePasswordChange: no, claimReset: no, remove: no, stats: { calls: 0, rateLimited: 0, waitedMs: 0 }, sendReset: async (email) => (asked.push(email), 'needs_reset') };
}

it('a target with no reset email (needs_reset) gets the template with USER_MAIL_RESET_URL; without one it stays needs_reset', async () => {
  const t = needsResetTarget();
  expect(await resetSender(t, path({ resetUrl: 'https://app.example.test/forgot' }))({ email: 'clerk@example.test', identityId: 'id-clerk', runId: 'rc-2' })).toBe('sent_by_mail_path');
  const [m] = relayed('clerk@example.test');
  expect(m!.text).toContain('(https://app.example.test/forgot)');
  expect(words(m!.text)).not.toMatch(USER_FACING_FORBIDDEN);
  expect(await resetSender(t, path())({ email: 'clerk2@example.test', identityId: 'id-clerk2', runId: 'rc-2' })).toBe('needs_reset');
  expect(relayed('clerk2@example.test')).toEqual([]);
  expect(t.asked).toEqual(['clerk@example.test', 'clerk2@example.test']);
});

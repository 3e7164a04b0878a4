/**
 * The user-mail path through Amazon SES API v2 SendEmail (src/comms/ses-transport.ts)
 * against the SES stand-in (dev/ses-api: SigV4 for service `ses`, verified
 * identities, the maximum send rate, SES's error shapes): the template goes
 * out as a Simple text message from the configured identity; wrong keys are
 * refused; an unverified From is rejected; over the send rate it is
 * retryable; and since SES has no idempotency key, a lost answer is
 * `unconfirmed` (never retried). End to end: `switchback reconcile` with
 * USER_MAIL=ses sends each reset once, and a rerun sends none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { DEFAULT_SES_CREDENTIALS, startSesApi, type SesApiHandle } from '../../dev/ses-api/index.ts';
import { TEMPLATES } from '../../src/comms/templates.ts';
import { sendUserMail, UserMailError, userMailConfig, type UserMailPath } from '../../src/comms/user-mail.ts';
import { WINDOW, startFixture, type Fixture } from './support/reconcile-harness.ts';

let ses: SesApiHandle;
let slow: SesApiHandle;
let cfg: Extract<UserMailPath, { kind: 'ses' }>;

beforeAll(async () => {
  ses = await startSesApi({ verifiedIdentities: ['example.com'] });
  slow = await startSesApi({ maxSendRate: 1 });
  cfg = { kind: 'ses', region: ses.region, endpoint: ses.endpoint, ...DEFAULT_SES_CREDENTIALS, sessionToken: undefined, from: 'Example <no-reply@example.com>', configurationSet: 'resets', resetUrl: undefined };
});
afterAll(async () => Promise.allSettled([ses.stop(), slow.stop()]));

const mail = (to: string, key = `k-${to}`) => ({ to, subject: 'Brief authentication issue resolved', text: 'Reset: https://example.com/r', idempotencyKey: key });

it('sends a Simple text message from the verified identity, signed; the key rides along as a tag', async () => {
  const sent = await sendUserMail(cfg, mail('ada@example.test'));
  expect(sent.id).toMatch(/^0100[0-9a-f]{32}-000000$/);
  expect(ses.sent.at(-1)).toMatchObject({ messageId: sent.id, from: 'Example <no-reply@example.com>', to: ['ada@example.test'], subject: 'Brief authentication issue resolved', text: 'Reset: https://example.com/r', configurationSet: 'resets' });
});

it('refuses wrong keys (403, not retryable, no secret in the message) and rejects an unverified From (MessageRejected)', async () => {
  const wrong = await sendUserMail({ ...cfg, secretAccessKey: 'not-the-right-secret-access-key-000000000000' }, mail('b@example.test')).catch((e: unknown) => e);
  expect(wrong).toBeInstanceOf(UserMailError);
  expect(wrong).toMatchObject({ reason: 'refused', status: 403, retryable: false });
  expect(String((wrong as Error).message)).not.toContain('not-the-right-secret');
  const unverified = await sendUserMail({ ...cfg, from: 'no-reply@elsewhere.test' }, mail('c@example.test')).catch((e: unknown) => e);
  expect(unverified).toMatchObject({ reason: 'rejected', status: 400, retryable: false });
  expect((unverified as Error).message).toContain('MessageRejected');
  expect(ses.sent.map((m) => m.to[0])).not.toContain('b@example.test');
  expect(ses.sent.map((m) => m.to[0])).not.toContain('c@example.test');
});

it('over the maximum send rate: TooManyRequestsException, retryable; no answer: unconfirmed, never retried', async () => {
  const s = { ...cfg, endpoint: slow.endpoint };
  await sendUserMail(s, mail('r1@example.test'));
  expect(await sendUserMail(s, mail('r2@example.test')).catch((e: unknown) => e)).toMatchObject({ reason: 'rate_limited', status: 429, retryable: true });
  expect(await sendUserMail({ ...cfg, endpoint: 'http://127.0.0.1:9' }, mail('gone@example.test')).catch((e: unknown) => e)).toMatchObject({ reason: 'unconfirmed', status: 0, retryable: false });
});

it('USER_MAIL=ses variables: region, from and keys named when missing; the endpoint defaults to the region\'s', () => {
  const vars = (v: Record<string, string>) => (name: string) => v[name];
  const all = { USER_MAIL: 'ses', USER_MAIL_SES_REGION: 'eu-west-1', USER_MAIL_SES_FROM: 'no-reply@example.com', USER_MAIL_SES_ACCESS_KEY_ID: 'AKIA', USER_MAIL_SES_SECRET_ACCESS_KEY: 'secret' };
  expect(userMailConfig(vars(all))).toMatchObject({ kind: 'ses', endpoint: 'https://email.eu-west-1.amazonaws.com', region: 'eu-west-1' });
  for (const name of ['USER_MAIL_SES_REGION', 'USER_MAIL_SES_FROM', 'USER_MAIL_SES_ACCESS_KEY_ID', 'USER_MAIL_SES_SECRET_ACCESS_KEY'] as const) {
    const { [name]: _gone, ...rest } = all;
    expect(userMailConfig(vars(rest))).toMatchObject({ variable: name });
  }
  expect(userMailConfig(vars({ ...all, USER_MAIL_SES_ENDPOINT: 'http://ses.example.test' }))).toMatchObject({ variable: 'USER_MAIL_SES_ENDPOINT' });
});

describe('switchback reconcile with USER_MAIL=ses', () => {
  let fx: Fixture;
  let env: Record<string, string>;
  beforeAll(async () => {
    fx = await startFixture({ identities: makeIdentities(60, { seed: 44, from: WINDOW.from, to: WINDOW.to }) });
    env = { USER_MAIL: 'ses', USER_MAIL_SES_REGION: ses.region, USER_MAIL_SES_ENDPOINT: ses.endpoint, USER_MAIL_SES_FROM: 'no-reply@example.com', USER_MAIL_SES_ACCESS_KEY_ID: DEFAULT_SES_CREDENTIALS.accessKeyId, USER_MAIL_SES_SECRET_ACCESS_KEY: DEFAULT_SES_CREDENTIALS.secretAccessKey, STATUS_PAGE_URL: 'https://status.example.test' };
  }, 30_000);
  afterAll(async () => fx?.stop());

  it('sends each reset once through SES with the user\'s Auth0 ticket; a rerun sends none', async () => {
    const before = ses.sent.length;
    const run = await fx.run([], { env });
    expect(run.code, run.output).toBe(0);
    const report = await fx.report();
    const resets = report.lines.filter((l) => l.status === 'created_reset_sent');
    expect(resets.length).toBeGreaterThan(3);
    expect(resets.every((l) => l.reset === 'sent_by_mail_path')).toBe(true);
    const sent = ses.sent.slice(before);
    expect(sent.map((m) => m.to[0]).sort()).toEqual(resets.map((l) => l.email!).sort());
    for (const m of sent) {
      expect(m.subject).toBe(TEMPLATES.user_email.subject);
      expect(m.text).toContain(fx.auth0.tickets.find((t) => t.email === m.to[0])!.ticket);
    }
    expect(fx.auth0.emails.filter((e) => e.kind === 'password_reset')).toEqual([]);
    const again = await fx.run(['--checkpoint', `${fx.dir}/fresh.checkpoint.json`, '--report', `${fx.dir}/again.json`], { env });
    expect(again.code, again.output).toBe(0);
    expect(ses.sent.length).toBe(before + sent.length);
  }, 60_000);
});

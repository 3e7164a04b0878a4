/**
 * `switchback reconcile` with the user-mail path (USER_MAIL=webhook): each
 * user who must reset gets one email, in the users' template, through the
 * relay (the mail catcher's), carrying an Auth0 password-change ticket; Auth0
 * sends none of its own; the report says which path sent each one; and a
 * second run, from a fresh checkpoint or the same one, emails nobody.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeIdentities } from '../../dev/kratos-admin/index.ts';
import { startMailCatcher, type MailCatcherHandle } from '../../dev/mail-catcher/index.ts';
import { TEMPLATES, USER_FACING_FORBIDDEN } from '../../src/comms/templates.ts';
import type { Report } from '../../src/reconcile/reconcile-report.ts';
import { WINDOW, startFixture, type Fixture } from './support/reconcile-harness.ts';

const TOKEN = 'relay-token-reconcile-0123456789';
let fx: Fixture;
let mail: MailCatcherHandle;
let first: Report;
let env: Record<string, string>;

const userMail = () => mail.store.list().filter((m) => m.source === 'user-mail');

beforeAll(async () => {
  fx = await startFixture({ identities: makeIdentities(120, { seed: 33, from: WINDOW.from, to: WINDOW.to }) });
  mail = await startMailCatcher(0, { token: TOKEN });
  env = { USER_MAIL: 'webhook', USER_MAIL_URL: mail.relayUrl, USER_MAIL_TOKEN: TOKEN, STATUS_PAGE_URL: 'https://status.example.test', STATUS_PRODUCT_NAME: 'Acme' };
  const run = await fx.run([], { env });
  expect(run.code, run.output).toBe(0);
  expect(run.output).toContain('by the user-mail path');
  first = await fx.report();
}, 60_000);
afterAll(async () => Promise.allSettled([fx?.stop(), mail?.stop()]));

it('sends each reset once through the mail path, in the template, with that user\'s Auth0 ticket, and Auth0 sends none', () => {
  const resets = first.lines.filter((l) => l.status === 'created_reset_sent');
  expect(resets.length).toBeGreaterThan(5);
  expect(resets.every((l) => l.reset === 'sent_by_mail_path')).toBe(true);
  // Users whose password came along get nothing.
  expect(first.lines.filter((l) => l.status === 'created_password_kept').every((l) => l.reset === undefined)).toBe(true);
  const sent = userMail();
  expect(sent.map((m) => m.to).sort()).toEqual(resets.map((l) => l.email!).sort());
  for (const m of sent) {
    const tickets = fx.auth0.tickets.filter((t) => t.email === m.to);
    expect(tickets, m.to).toHaveLength(1);
    expect(m.subject).toBe(TEMPLATES.user_email.subject);
    expect(m.text).toContain(`(${tickets[0]!.ticket})`);
    expect(m.text.replace(/https?:\/\/\S+/g, '')).not.toMatch(USER_FACING_FORBIDDEN);
  }
  expect(fx.auth0.emails.filter((e) => e.kind === 'password_reset')).toEqual([]);
});

it('a second run emails nobody: same checkpoint, or a fresh one', async () => {
  const before = userMail().length;
  const same = await fx.run(['--report', `${fx.dir}/same.json`], { env });
  expect(same.code, same.output).toBe(0);
  const fresh = await fx.run(['--checkpoint', `${fx.dir}/fresh.checkpoint.json`, '--report', `${fx.dir}/fresh.json`], { env });
  expect(fresh.code, fresh.output).toBe(0);
  const again = await fx.report('fresh.json');
  expect(again.lines.filter((l) => l.reset !== undefined)).toEqual([]);
  expect(userMail().length).toBe(before);
  expect(mail.relay.keys()).toHaveLength(before);
  expect(fx.auth0.emails.filter((e) => e.kind === 'password_reset')).toEqual([]);
}, 60_000);

it('refuses to start without a status page for the template', async () => {
  const run = await fx.run(['--checkpoint', `${fx.dir}/nostatus.checkpoint.json`], { env: { ...env, STATUS_PAGE_URL: '' } });
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('STATUS_PAGE_URL is required when USER_MAIL=webhook');
}, 30_000);

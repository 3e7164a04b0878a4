/**
 * One courier: after a rollback the controller checks, once, that the legacy
 * provider's email delivery is configured and answering (Auth0's
 * GET /api/v2/emails/provider on the stand-in), audits it, shows it in the
 * status, and warns loudly when the courier was Olympus or the legacy
 * delivery is not confirmed. Per legacy kind: Auth0's email provider,
 * Cognito's EmailConfiguration (SES ok, COGNITO_DEFAULT a warning), Clerk
 * unknown (its API does not say).
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, putFlag, testEnv } from './support/gateway.ts';
import { envFor } from './support/kind-gateway.ts';
import { DEFAULT_COGNITO_CREDENTIALS } from '../../dev/cognito-api/app.ts';
import { alarm, status, stub } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { configFromEnv } from '../../src/config.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { CLERK_NO_EMAIL_CHECK, CourierWatch } from '../../src/rollback/courier-check.ts';
import { Outbox } from '../../src/rollback/outbox.ts';

const it = gatewayTest({ enabled: true });

const rollback = () => gw('/_switchback/api/rollback', { method: 'POST', body: JSON.stringify({ reason: 'logins failing' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN.oncall}` } });
const auditEntries = async () => ((await stub().audit(500)) as unknown as { type: string; data: Record<string, any> }[]).reverse();

it('COURIER=legacy (the default): checked once after the rollback, audited, shown; no warning', async ({ net }) => {
  expect((await status()).courier).toEqual({ configured: 'legacy', last_check: null });
  expect((await rollback()).status).toBe(200);
  await alarm();
  await alarm();
  const s = await status();
  expect(s.courier.last_check).toMatchObject({ courier: 'legacy', state: 'checked', must_move: false, rollback_at: s.flag.rollback_at, legacy: { kind: 'auth0', checked: true, ok: true, detail: 'Auth0 email provider smtp enabled, from no-reply@tenant.auth0.test' } });
  const entries = await auditEntries();
  expect(entries.filter((e) => e.type === 'courier.checked')).toHaveLength(1);
  expect(entries.map((e) => e.type)).not.toContain('notification.courier.warning');
  expect(net.auth0Api.calls.some((c) => c.path === '/api/v2/emails/provider')).toBe(true);
});

it('no email provider at the legacy provider: a loud warning naming it', async ({ net }) => {
  net.auth0Api.setEmailProvider(null);
  await rollback();
  await alarm();
  expect((await status()).courier.last_check.legacy).toMatchObject({ ok: false, detail: 'Auth0 has no email provider configured (only its built-in test provider would send)' });
  await alarm();
  const warning = net.notifications.find((n) => n.type === 'courier.warning') as { text: string } | undefined;
  expect(warning?.text).toContain("the legacy provider's email delivery is not confirmed");
});

it('COURIER=olympus: the courier must move; the warning says so', async () => {
  await rollback();
  const check = await runInDurableObject(stub(), async (_i, state) => {
    const store = new ControllerStore(state.storage.sql);
    const config = () => ({ ...configFromEnv(testEnv()), courier: 'olympus' as const });
    const flag = () => store.get('flag')!;
    return new CourierWatch(store, config, new Outbox(store, testEnv(), config, flag), flag).afterRollback(Date.now());
  });
  expect(check).toMatchObject({ courier: 'olympus', must_move: true, legacy: { ok: true } });
  const warning = (await auditEntries()).find((e) => e.type === 'notification.courier.warning')!;
  expect(warning.data.text).toContain('COURIER=olympus: Olympus sent transactional email during the parallel run');
});

/** The courier check as the controller runs it after a rollback, with the gateway configured for another legacy kind. */
async function checkAs(kind: 'cognito' | 'clerk') {
  await rollback();
  return runInDurableObject(stub(), async (_i, state) => {
    const store = new ControllerStore(state.storage.sql);
    const config = () => configFromEnv(envFor(kind) as never);
    const flag = () => store.get('flag')!;
    return new CourierWatch(store, config, new Outbox(store, testEnv(), config, flag), flag).afterRollback(Date.now());
  });
}

it('Cognito sending through Amazon SES (DEVELOPER with a SourceArn): ok, audited, no warning', async ({ net }) => {
  net.cognitoApi.setEmailConfiguration({ EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com', From: 'Example <no-reply@example.com>' });
  const check = await checkAs('cognito');
  expect(check?.legacy).toEqual({ kind: 'cognito', checked: true, ok: true, verdict: 'ok', detail: 'Cognito sends through Amazon SES (DEVELOPER, arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com, from Example <no-reply@example.com>)' });
  expect(net.cognitoApi.operations).toContain('DescribeUserPool');
  const entries = await auditEntries();
  expect(entries.find((e) => e.type === 'courier.checked')?.data.legacy).toMatchObject({ kind: 'cognito', verdict: 'ok' });
  expect(entries.map((e) => e.type)).not.toContain('notification.courier.warning');
  expect((await status()).courier.last_check.legacy).toMatchObject({ kind: 'cognito', verdict: 'ok' });
});

it("Cognito's built-in email (COGNITO_DEFAULT): answers, but its daily quota cannot carry a rollback: a loud warning", async ({ net }) => {
  net.cognitoApi.setEmailConfiguration({ EmailSendingAccount: 'COGNITO_DEFAULT' });
  const check = await checkAs('cognito');
  expect(check?.legacy).toMatchObject({ kind: 'cognito', checked: true, ok: true, verdict: 'warning' });
  expect(check?.legacy?.detail).toContain('at most 50 emails a day');
  const warning = (await auditEntries()).find((e) => e.type === 'notification.courier.warning')!;
  expect(warning.data.text).toContain('COGNITO_DEFAULT');
  // A pool that sets nothing is COGNITO_DEFAULT too.
  net.cognitoApi.setEmailConfiguration(null);
  await putFlag({ enabled: true });
  expect((await checkAs('cognito'))?.legacy).toMatchObject({ verdict: 'warning' });
});

it('Cognito DEVELOPER without a SourceArn, or not answering: failed and announced', async ({ net }) => {
  net.cognitoApi.setEmailConfiguration({ EmailSendingAccount: 'DEVELOPER' });
  expect((await checkAs('cognito'))?.legacy).toMatchObject({ checked: true, ok: false, verdict: 'failed', detail: 'Cognito is set to send through Amazon SES (DEVELOPER) without a SourceArn' });
  await putFlag({ enabled: true });
  net.cognitoApi.failNext(1, 500);
  const down = await checkAs('cognito');
  expect(down?.legacy).toMatchObject({ checked: true, ok: false, verdict: 'failed' });
  expect(down?.legacy?.detail).toMatch(/^Cognito DescribeUserPool failed: /);
  expect(down?.legacy?.detail).not.toContain(DEFAULT_COGNITO_CREDENTIALS.secretAccessKey);
  const warnings = (await auditEntries()).filter((e) => e.type === 'notification.courier.warning');
  expect(warnings).toHaveLength(2);
});

it('Clerk: its Backend API says nothing about email delivery: recorded as unknown with that reason, never a pass, and Clerk is not called', async ({ net }) => {
  const calls = net.clerkApi.calls.length;
  const check = await checkAs('clerk');
  expect(check?.legacy).toEqual({ kind: 'clerk', checked: false, ok: false, verdict: 'unknown', detail: CLERK_NO_EMAIL_CHECK });
  expect(net.clerkApi.calls.length).toBe(calls);
  const entries = await auditEntries();
  expect(entries.find((e) => e.type === 'courier.checked')?.data.legacy).toMatchObject({ kind: 'clerk', verdict: 'unknown', ok: false });
  // Not a failure of delivery: recorded, not announced (as a check that cannot run).
  expect(entries.map((e) => e.type)).not.toContain('notification.courier.warning');
});

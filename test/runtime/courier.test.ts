/**
 * One courier: after a rollback the controller checks, once, that the legacy
 * provider's email delivery is configured and answering (Auth0's
 * GET /api/v2/emails/provider on the stand-in), audits it, shows it in the
 * status, and warns loudly when the courier was Olympus or the legacy
 * delivery is not confirmed.
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw, testEnv } from './support/gateway.ts';
import { alarm, status, stub } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { configFromEnv } from '../../src/config.ts';
import { ControllerStore } from '../../src/rollback/controller-store.ts';
import { CourierWatch } from '../../src/rollback/courier-check.ts';
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

/**
 * Flag changes through the admin API: what a change does not name it keeps
 * (`percent`), a rollback honours the `client_config_version` sent with it,
 * and only eng-lead may change which client configuration is in force.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { gw, resetState } from './support/gateway.ts';
import { installNetwork } from './support/fake-network.ts';
import { status } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';

beforeEach(async () => {
  await resetState();
  await installNetwork();
});

/** These tests re-enable right after their own rollbacks: the re-enable gate (reenable-gate.test.ts) is lifted explicitly. */
const GATE_LIFTED = 'test: re-enabling right after a rollback made by this test';

const api = (path: string, token: string, body: unknown) =>
  gw(`/_switchback/api${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
const flag = async (token: string, body: unknown) => {
  const res = await api(`/flags/${FLAG_KEY}`, token, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
async function clientConfigVersion(): Promise<number> {
  const res = await api('/client-config', ADMIN.engLead, { providers: { olympus: { client_id: 'olympus-client-v2', client_secret_var: 'OLYMPUS_CLIENT_SECRET' } }, reason: 'rotate the Olympus client' });
  expect(res.status).toBe(201);
  return ((await res.json()) as { version: number }).version;
}

describe('percent', () => {
  it('a change that does not name percent keeps it, through a rollback and a re-enable', async () => {
    expect((await flag(ADMIN.engLead, { enabled: true, percent: 20, reason: 'start the 20% cohort' })).body.percent).toBe(20);
    expect((await flag(ADMIN.engLead, { enabled: true, reason: 'note: all good so far' })).body).toMatchObject({ enabled: true, percent: 20 });
    expect((await flag(ADMIN.oncall, { enabled: false, reason: 'errors' })).body).toMatchObject({ enabled: false, percent: 20 });
    expect((await flag(ADMIN.engLead, { enabled: true, reason: 'fixed', override_reason: GATE_LIFTED })).body).toMatchObject({ enabled: true, percent: 20 });
    expect((await status()).active_provider).toBe('olympus for 20% of browsers');
    expect((await flag(ADMIN.engLead, { enabled: true, percent: 100, reason: 'everyone' })).body.percent).toBe(100);
  });

  it('oncall may roll back, but not widen the share the next enable goes to (403, nothing changed)', async () => {
    await flag(ADMIN.engLead, { enabled: true, percent: 10, reason: 'start the 10% cohort' });
    const refused = await flag(ADMIN.oncall, { enabled: false, percent: 100, reason: 'errors' });
    expect(refused.status).toBe(403);
    expect(refused.body.error_description).toMatch(/Raising percent needs the eng-lead role/);
    expect((await status()).flag).toMatchObject({ enabled: true, percent: 10 });
    expect((await flag(ADMIN.oncall, { enabled: false, reason: 'errors' })).status).toBe(200);
    expect((await flag(ADMIN.oncall, { enabled: false, percent: 100, reason: 'widen while off' })).status).toBe(403);
    // Naming the share already set is not a change.
    expect((await flag(ADMIN.oncall, { enabled: false, percent: 10, reason: 'errors again' })).status).toBe(200);
    expect((await flag(ADMIN.engLead, { enabled: true, reason: 'fixed', override_reason: GATE_LIFTED })).body).toMatchObject({ enabled: true, percent: 10 });
    // Narrowing is the safe direction: oncall may.
    expect((await flag(ADMIN.oncall, { enabled: false, percent: 0, reason: 'nobody until we know' })).body).toMatchObject({ enabled: false, percent: 0 });
  });
});

describe('client_config_version', () => {
  it('a rollback honours the client_config_version sent with it', async () => {
    const v = await clientConfigVersion();
    expect((await flag(ADMIN.engLead, { enabled: true, client_config_version: v })).body.client_config_version).toBe(v);
    const off = await flag(ADMIN.engLead, { enabled: false, reason: 'back to the old clients too', client_config_version: 0 });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, client_config_version: 0 });
    expect((await status()).flag).toMatchObject({ enabled: false, client_config_version: 0 });
  });

  it('oncall may roll back, but not change the client configuration (403, nothing changed)', async () => {
    const v = await clientConfigVersion();
    await flag(ADMIN.engLead, { enabled: true, client_config_version: v });
    const refused = await flag(ADMIN.oncall, { enabled: false, client_config_version: 0 });
    expect(refused.status).toBe(403);
    expect(refused.body.error_description).toMatch(/client_config_version needs the eng-lead role/);
    expect((await status()).flag).toMatchObject({ enabled: true, client_config_version: v });
    // Naming the version already in force is not a change: oncall's rollback goes through.
    const same = await flag(ADMIN.oncall, { enabled: false, client_config_version: v });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ enabled: false, client_config_version: v });
  });
});

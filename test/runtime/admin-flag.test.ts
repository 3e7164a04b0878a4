/** The flag's admin API: authentication, roles, validation, and the plan's own curl command. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gw, kv, resetGatewayCaches, resetState } from './support/gateway.ts';
import { installNetwork } from './support/fake-network.ts';
import { startLogin } from './support/login-flow.ts';
import { ADMIN, ISSUERS } from './support/constants.ts';
import { FLAG_KEY, parseFlagRecord } from '../../src/flag/flag-record.ts';

beforeEach(async () => {
  await resetState();
  await installNetwork();
});
afterEach(() => vi.restoreAllMocks());

const path = `/_switchback/api/flags/${FLAG_KEY}`;
const post = (token: string | undefined, body: string, type = 'application/json') =>
  gw(path, { method: 'POST', body, headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

describe('authentication and roles', () => {
  it('no token: 401 with a challenge', async () => {
    const res = await gw(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
  });
  it('unknown token: 401', async () => {
    expect((await gw(path, { headers: { authorization: 'Bearer not-a-known-admin-token' } })).status).toBe(401);
  });
  it('viewer reads; cannot write (403)', async () => {
    const r = await gw(path, { headers: { authorization: `Bearer ${ADMIN.viewer}` } });
    expect(r.status).toBe(200);
    expect((await r.json()) as { enabled: boolean }).toMatchObject({ enabled: false, version: 0 });
    expect((await post(ADMIN.viewer, '{"enabled": false}')).status).toBe(403);
  });
  it('oncall can roll back but not enable Olympus', async () => {
    expect((await post(ADMIN.oncall, '{"enabled": true}')).status).toBe(403);
    expect((await post(ADMIN.oncall, '{"enabled": false}')).status).toBe(200);
  });
  it('eng-lead enables; the flag records who, why, version; a rollback sets rollback_at', async () => {
    const on = await post(ADMIN.engLead, JSON.stringify({ enabled: true, percent: 20, reason: 'start the 20% cohort' }));
    expect(on.status).toBe(200);
    const onBody = (await on.json()) as Record<string, unknown>;
    expect(onBody).toMatchObject({ enabled: true, percent: 20, version: 1, updated_by: 'lead (eng-lead)', reason: 'start the 20% cohort', rollback_at: null });
    const off = (await (await post(ADMIN.oncall, '{"enabled": false, "reason": "login success 91%"}')).json()) as Record<string, unknown>;
    expect(off).toMatchObject({ enabled: false, version: 2, updated_by: 'pager (oncall)' });
    expect(Date.now() - Date.parse(off.rollback_at as string)).toBeLessThan(5000);
    // History kept per version.
    expect(parseFlagRecord((await kv().get(`${FLAG_KEY}:v1`))!)?.enabled).toBe(true);
  });
});

describe("the plan's rollback command", () => {
  it("curl -X POST $FLAG_API/flags/olympus_auth -d '{\"enabled\": false}' (form content type) flips new logins to Auth0", async () => {
    await post(ADMIN.engLead, '{"enabled": true}');
    expect(new URL((await startLogin()).authorize).origin).toBe(new URL(ISSUERS.olympus).origin);
    const res = await post(ADMIN.oncall, '{"enabled": false}', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    // The writing isolate drops its cache at once.
    expect(new URL((await startLogin()).authorize).origin).toBe(new URL(ISSUERS.auth0).origin);
  });
});

describe('bad input: 400/413/415 with a clear message', () => {
  it.each([
    ['malformed JSON', '{"enabled": fal', 400, 'not valid JSON'],
    ['empty body', '', 400, 'not valid JSON'],
    ['wrong type', '{"enabled": "false"}', 400, 'enabled'],
    ['percent out of range', '{"enabled": true, "percent": 101}', 400, 'percent'],
    ['percent not an integer', '{"enabled": true, "percent": 12.5}', 400, 'percent'],
    ['unknown field', '{"enabled": false, "rollback_at": "2020-01-01T00:00:00Z"}', 400, 'rollback_at'],
    ['array body', '[true]', 400, 'Invalid flag change'],
    ['oversized body', JSON.stringify({ enabled: false, reason: 'x'.repeat(20_000) }), 413, 'at most'],
  ])('%s', async (_n, body, status, message) => {
    const res = await post(ADMIN.engLead, body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error_description: string };
    expect(json.error_description).toContain(message);
    expect(await kv().get(FLAG_KEY)).toBeNull();
  });
  it('another content type: 415', async () => {
    expect((await post(ADMIN.engLead, 'enabled=false', 'text/plain')).status).toBe(415);
  });
});

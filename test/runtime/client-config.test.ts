/**
 * Versioned client configuration: a provider switch and the client settings
 * it needs change together, and revert together, through the flag record.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { installNetwork, type Network } from './support/fake-network.ts';
import { cookiesFrom, gw, kv, resetGatewayCaches, resetState, testEnv } from './support/gateway.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { ADMIN, CLIENTS, GATEWAY, ISSUERS } from './support/constants.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';
import { clearClientConfigCache } from '../../src/providers/client-config.ts';

let net: Network;
beforeEach(async () => {
  await resetState();
  clearClientConfigCache();
  net = await installNetwork();
});
afterEach(() => vi.restoreAllMocks());

// A second Olympus client whose secret lives in its own var.
const envV2 = { ...(env as unknown as Record<string, unknown>), OLYMPUS_CLIENT_SECRET_V2: 'olympus-secret-v2' };
function call(path: string, init: RequestInit = {}) {
  return app.fetch(new Request(`${GATEWAY}${path}`, { redirect: 'manual', ...init }), envV2, createExecutionContext());
}
const admin = (path: string, body: unknown, token: string = ADMIN.engLead) =>
  call(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });

describe('client configuration versions', () => {
  it('a flag change names a version; login and callback use its client; rolling back reverts both', async () => {
    const created = await admin('/_switchback/api/client-config', { reason: 'new Olympus client for the app', providers: { olympus: { client_id: 'olympus-client-v2', client_secret_var: 'OLYMPUS_CLIENT_SECRET_V2' } } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { version: number }).version).toBe(1);
    const audit = (await controller(testEnv()).audit(10)) as unknown as { type: string; actor: string }[];
    expect(audit.find((e) => e.type === 'client_config.created')?.actor).toBe('lead (eng-lead)');

    expect((await admin(`/_switchback/api/flags/${FLAG_KEY}`, { enabled: true, client_config_version: 1 })).status).toBe(200);
    const login = await call('/login');
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin).toBe(new URL(ISSUERS.olympus).origin);
    expect(authorize.searchParams.get('client_id')).toBe('olympus-client-v2');

    // The callback redeems the code with the same client (id and secret) and expects its aud.
    const nonce = authorize.searchParams.get('nonce')!;
    net.olympus.codes.set('c1', { body: { id_token: await net.olympus.sign({ sub: 'u1', aud: 'olympus-client-v2', nonce }) } });
    const res = await call(`/callback?code=c1&state=${authorize.searchParams.get('state')}&iss=${encodeURIComponent(ISSUERS.olympus)}`, { headers: { cookie: `__Host-sb_login=${cookiesFrom(login)['__Host-sb_login']}` } });
    expect(res.status).toBe(302);
    expect(net.olympus.lastTokenRequest?.get('code_verifier')).toBeTruthy();

    // Rolling back to a flag state without the version goes back to the bootstrap client (v0 = vars).
    expect((await admin(`/_switchback/api/flags/${FLAG_KEY}`, { enabled: true, client_config_version: 0 })).status).toBe(200);
    const again = new URL((await call('/login')).headers.get('location')!);
    expect(again.searchParams.get('client_id')).toBe(CLIENTS.olympus);
  });

  it('refuses a version naming an unset secret, and a flag naming a missing version', async () => {
    const bad = await admin('/_switchback/api/client-config', { reason: 'x', providers: { olympus: { client_id: 'c', client_secret_var: 'NOT_SET_ANYWHERE' } } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error_description: string }).error_description).toContain('NOT_SET_ANYWHERE');
    const missing = await admin(`/_switchback/api/flags/${FLAG_KEY}`, { enabled: true, client_config_version: 7 });
    expect(missing.status).toBe(400);
    expect(await kv().get(FLAG_KEY)).toBeNull();
  });

  it('only eng-lead creates versions', async () => {
    const res = await admin('/_switchback/api/client-config', { reason: 'x', providers: {} }, ADMIN.oncall);
    expect(res.status).toBe(403);
  });

  it('lists versions with the bootstrap from the vars', async () => {
    const res = await gw('/_switchback/api/client-config', { headers: { authorization: `Bearer ${ADMIN.viewer}` } });
    const body = (await res.json()) as { latest: number; versions: { version: number; providers: { olympus: { client_id: string } } }[] };
    expect(body.latest).toBe(0);
    expect(body.versions.at(-1)!.providers.olympus.client_id).toBe(CLIENTS.olympus);
    expect(JSON.stringify(body)).not.toContain('olympus-secret-value');
  });
});

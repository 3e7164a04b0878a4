/**
 * No input the admin API accepts may fail inside the controller: every
 * field of every admin route at the longest value its schema accepts (and
 * an actor whose label is longer than any record allows) answers non-5xx
 * and does what it says. A 1,000-character rollback reason used to pass the
 * route's schema, overflow the flag record inside the object, answer 500
 * and leave Olympus on.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import app from '../../src/worker.ts';
import { installNetwork } from './support/fake-network.ts';
import { putFlag, resetState } from './support/gateway.ts';
import { status } from './support/controller.ts';
import { MAX_BODY_BYTES } from '../../src/admin/admin-http.ts';
import { sha256, toHex } from '../../src/core/bytes.ts';

const LONG_NAME = `release-captain-${'x'.repeat(300)}`;
const LEAD_TOKEN = 'admin-token-long-name-eng-lead-000000001';
const ONCALL_TOKEN = 'admin-token-long-name-oncall-0000000001';
/** A var name of the longest accepted shape (64 characters), holding a client secret. */
const SECRET_VAR = `OLYMPUS_CLIENT_SECRET_${'V'.repeat(42)}`;
const sha = async (s: string) => toHex(await sha256(s));
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const limitEnv = {
  ...(env as unknown as Record<string, unknown>),
  ADMIN_TOKENS: JSON.stringify([
    { name: LONG_NAME, role: 'eng-lead', sha256: await sha(LEAD_TOKEN) },
    { name: `${LONG_NAME}-pager`, role: 'oncall', sha256: await sha(ONCALL_TOKEN) },
  ]),
  [SECRET_VAR]: 'a-rotated-olympus-client-secret',
};

/** The schemas count code points: 1,000 of them, 600 astral (two UTF-16 units each), which a clip must not split. */
const REASON = `${'r'.repeat(400)}${'🙂'.repeat(600)}`;

async function call(method: string, path: string, token: string, body?: string, type = 'application/json') {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`https://gateway.test/_switchback/api${path}`, { method, body, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': type }) } }),
    limitEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(500);
  return { status: res.status, json: () => JSON.parse(text) };
}

beforeEach(async () => {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true });
});

describe('the longest accepted value of every admin field', () => {
  it('client-config, flags, rollback, rules and audit all work at their limits', async () => {
    expect(Array.from(REASON).length).toBe(1000);

    const created = await call('POST', '/client-config', LEAD_TOKEN, JSON.stringify({
      providers: {
        auth0: { client_id: 'a'.repeat(256), client_secret_var: SECRET_VAR, scopes: `openid ${'s'.repeat(993)}` },
        olympus: { client_id: 'o'.repeat(256), client_secret_var: SECRET_VAR, scopes: `openid ${'s'.repeat(993)}` },
      },
      reason: REASON,
    }));
    expect(created.status).toBe(201);
    const version = (created.json() as { version: number; created_by: string }).version;
    expect((created.json() as { created_by: string }).created_by.length).toBeLessThanOrEqual(200);

    // Enabling with every field at its limit.
    const enabled = await call('POST', '/flags/olympus_auth', LEAD_TOKEN, JSON.stringify({ enabled: true, percent: 100, reason: REASON, client_config_version: version }));
    expect(enabled.status).toBe(200);
    expect(enabled.json()).toMatchObject({ enabled: true, percent: 100, reason: REASON, client_config_version: version });
    expect((enabled.json() as { updated_by: string }).updated_by.length).toBeLessThanOrEqual(200);

    // Disabling through the flag route: the controller prefixes "manual decision: ".
    const disabled = await call('POST', '/flags/olympus_auth', ONCALL_TOKEN, JSON.stringify({ enabled: false, percent: 0, reason: REASON, client_config_version: version }));
    expect(disabled.status).toBe(200);
    const flag = disabled.json() as { enabled: boolean; reason: string; updated_by: string };
    expect(flag.enabled).toBe(false);
    expect(flag.reason.startsWith('manual decision: rrr')).toBe(true);
    expect(Array.from(flag.reason).length).toBe(1000);
    expect(flag.reason.endsWith('…')).toBe(true);
    expect(flag.reason).not.toMatch(LONE_SURROGATE);

    // The manual decision route, the one that answered 500.
    await call('POST', '/flags/olympus_auth', LEAD_TOKEN, JSON.stringify({ enabled: true, reason: 'again', override_reason: 'test: re-enabling right after this test\'s rollback (re-enable gate lifted on purpose)' }));
    const rolled = await call('POST', '/rollback', ONCALL_TOKEN, JSON.stringify({ reason: REASON }));
    expect(rolled.status).toBe(200);
    expect(rolled.json()).toMatchObject({ rolled_back: true, flag: { enabled: false } });
    expect((await status()).flag.enabled).toBe(false);

    // The audit keeps the whole reason.
    const audit = await call('GET', '/audit?limit=500&before=999999999999999', LEAD_TOKEN);
    expect(audit.status).toBe(200);
    const rollback = (audit.json() as { entries: { type: string; data: { reason: string } }[] }).entries.find((e) => e.type === 'rollback')!;
    expect(rollback.data.reason).toBe(`manual decision: ${REASON}`);

    // Rules: the longest body the route accepts.
    const rules = 'evaluate_every: 1s\nrollback_if:\n  - rule: support_tickets_per_hour > 1000000\n    window: 24h\n  - manual_decision_by: [oncall, eng-lead]\n';
    const padded = `${rules}#${'x'.repeat(MAX_BODY_BYTES - rules.length - 2)}\n`;
    expect(new TextEncoder().encode(padded).byteLength).toBe(MAX_BODY_BYTES);
    const put = await call('PUT', '/rules', LEAD_TOKEN, padded, 'text/yaml');
    expect(put.status).toBe(200);
    expect((await call('GET', '/rules', LEAD_TOKEN)).json()).toMatchObject({ source: 'admin-api' });
  });

  it('values past the limits are a 4xx, never a 5xx', async () => {
    const tooLong = await call('POST', '/rollback', ONCALL_TOKEN, JSON.stringify({ reason: `${REASON}x` }));
    expect(tooLong.status, JSON.stringify(tooLong.json())).toBe(400);
    const noSuchVersion = await call('POST', '/flags/olympus_auth', LEAD_TOKEN, JSON.stringify({ enabled: true, client_config_version: Number.MAX_SAFE_INTEGER }));
    expect(noSuchVersion.status, JSON.stringify(noSuchVersion.json())).toBe(400);
    expect((await call('PUT', '/rules', LEAD_TOKEN, `#${'x'.repeat(MAX_BODY_BYTES)}`, 'text/yaml')).status).toBe(413);
    expect((await status()).flag.enabled).toBe(true);
  });
});

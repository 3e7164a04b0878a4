/** The controller's admin API and hooks: authentication, roles, validation, status, audit, metrics, rules. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installNetwork } from './support/fake-network.ts';
import { gw, putFlag, resetState } from './support/gateway.ts';
import { auditTypes, sleep, status } from './support/controller.ts';
import { ADMIN } from './support/constants.ts';
import { hmacSha256Hex } from '../../src/admin/hook-auth.ts';

beforeEach(async () => {
  await resetState();
  await installNetwork();
  await putFlag({ enabled: true });
});
afterEach(() => vi.restoreAllMocks());

const api = (path: string, token: string | undefined, init: RequestInit = {}) =>
  gw(`/_switchback/api${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
const postJson = (path: string, token: string | undefined, body: string) => api(path, token, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('POST /rollback (manual decision)', () => {
  it('needs a token (401) and the oncall role (403)', async () => {
    expect((await postJson('/rollback', undefined, '{"reason":"x"}')).status).toBe(401);
    expect((await postJson('/rollback', ADMIN.viewer, '{"reason":"x"}')).status).toBe(403);
    expect((await status()).flag.enabled).toBe(true);
  });

  it('oncall rolls back, with actor and reason in the audit; a second call is a no-op', async () => {
    const res = await postJson('/rollback', ADMIN.oncall, '{"reason":"support queue exploding"}');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rolled_back: true, flag: { enabled: false, updated_by: 'pager (oncall)' } });
    const again = await postJson('/rollback', ADMIN.engLead, '{"reason":"me too"}');
    expect(await again.json()).toMatchObject({ rolled_back: false, already_on_auth0: true });
    const audit = (await (await api('/audit', ADMIN.viewer)).json()) as { entries: { type: string; actor: string; data: Record<string, unknown> }[] };
    const rollback = audit.entries.find((e) => e.type === 'rollback')!;
    expect(rollback.actor).toBe('pager (oncall)');
    expect(rollback.data.reason).toBe('manual decision: support queue exploding');
    expect(rollback.data.role).toBe('oncall');
  });

  it('the rules decide who may: manual_decision_by [eng-lead] refuses oncall', async () => {
    const put = await api('/rules', ADMIN.engLead, { method: 'PUT', body: 'rollback_if:\n  - login_success_rate < 95%\n  - manual_decision_by: [eng-lead]\n', headers: { 'content-type': 'application/yaml' } });
    expect(put.status).toBe(200);
    expect((await postJson('/rollback', ADMIN.oncall, '{"reason":"x"}')).status).toBe(403);
    expect((await postJson('/rollback', ADMIN.engLead, '{"reason":"x"}')).status).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"reason": ', 400, 'not valid JSON'],
    ['missing reason', '{}', 400, 'reason'],
    ['wrong type', '{"reason": 42}', 400, 'reason'],
    ['blank reason', '{"reason": "   "}', 400, 'reason'],
    ['unknown field', '{"reason": "x", "force": true}', 400, 'force'],
    ['oversized', JSON.stringify({ reason: 'x'.repeat(17_000) }), 413, 'at most'],
  ])('%s: %i with a clear message, nothing changed', async (_n, body, code, message) => {
    const res = await postJson('/rollback', ADMIN.oncall, body);
    expect(res.status).toBe(code);
    expect(((await res.json()) as { error_description: string }).error_description).toContain(message);
    expect((await status()).flag.enabled).toBe(true);
  });
});

describe('GET /status, /audit, /metrics', () => {
  it('status shows each signal against its threshold, samples, and the overlap countdown', async () => {
    await postJson('/rollback', ADMIN.oncall, '{"reason":"x"}');
    const st = (await (await api('/status', ADMIN.viewer)).json()) as Record<string, any>;
    expect(st.active_provider).toBe('auth0');
    expect(st.overlap.seconds_left).toBeGreaterThan(1790);
    expect(st.rules.map((r: { rule: string }) => r.rule)).toEqual(['login_success_rate < 95%', 'api_error_rate > 5%', 'support_tickets_per_hour > 50']);
    for (const r of st.rules) expect(r).toHaveProperty('threshold');
    expect(st.rules[0].verdict).toBe('inconclusive');
  });

  it('metrics are Prometheus text', async () => {
    const res = await api('/metrics', ADMIN.viewer);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE switchback_flag_enabled gauge');
    expect(text).toMatch(/^switchback_flag_enabled 1$/m);
    expect(text).toMatch(/^switchback_rule_state\{rule="login_success_rate < 95%",verdict="inconclusive"\} 1$/m);
  });

  it('audit pages with limit and before, and validates them', async () => {
    await postJson('/flags/olympus_auth', ADMIN.engLead, '{"enabled": true, "percent": 10}');
    await postJson('/flags/olympus_auth', ADMIN.engLead, '{"enabled": true, "percent": 20}');
    const first = (await (await api('/audit?limit=1', ADMIN.viewer)).json()) as { entries: { seq: number }[]; next_before: number };
    expect(first.entries).toHaveLength(1);
    const second = (await (await api(`/audit?limit=1&before=${first.next_before}`, ADMIN.viewer)).json()) as { entries: { seq: number }[] };
    expect(second.entries[0]!.seq).toBeLessThan(first.entries[0]!.seq);
    expect((await api('/audit?limit=9999', ADMIN.viewer)).status).toBe(400);
    expect((await api('/audit?before=abc', ADMIN.viewer)).status).toBe(400);
  });
});

describe('rules through the admin API', () => {
  it('GET shows the source and the text; PUT validates and replaces (eng-lead only)', async () => {
    const get = (await (await api('/rules', ADMIN.viewer)).json()) as { source: string; text: string };
    expect(get.source).toBe('default');
    expect(get.text).toContain('login_success_rate < 95%');
    expect((await api('/rules', ADMIN.oncall, { method: 'PUT', body: 'rollback_if: []', headers: { 'content-type': 'text/yaml' } })).status).toBe(403);
    const bad = await api('/rules', ADMIN.engLead, { method: 'PUT', body: 'rollback_if:\n  - login_success_rate < 950%', headers: { 'content-type': 'text/yaml' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_rules', path: 'rollback_if[0]' });
    const json = await api('/rules', ADMIN.engLead, { method: 'PUT', body: JSON.stringify({ dry_run: true, rollback_if: ['api_error_rate > 10%'] }), headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(200);
    expect((await status()).dry_run).toBe(true);
    expect(await auditTypes()).toContain('rules.changed');
  });
});

describe('hooks', () => {
  const ticket = async (body: string, signature?: string) =>
    gw('/_switchback/hooks/support-ticket', { method: 'POST', body, headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) } });

  it('a signed support ticket is counted; unsigned, wrongly signed or tampered ones are refused', async () => {
    const body = '{"ticket":"T-1","subject":"cannot log in"}';
    const sig = await hmacSha256Hex('support-hook-secret-for-tests', new TextEncoder().encode(body));
    expect((await ticket(body, sig)).status).toBe(202);
    expect((await ticket(body, `sha256=${sig}`)).status).toBe(202);
    expect((await ticket(body)).status).toBe(401);
    expect((await ticket(body, '0'.repeat(64))).status).toBe(401);
    expect((await ticket(body.replace('T-1', 'T-2'), sig)).status).toBe(401);
    expect((await ticket(body, 'not-hex')).status).toBe(401);
    await sleep(400);
    const m = await (await api('/metrics', ADMIN.viewer)).text();
    // The same ticket posted twice (with and without the prefix) is one delivery.
    expect(m).toMatch(/^switchback_support_tickets_total 1$/m);
  });

  it('more than 50 tickets an hour, with evidence, rolls back', async () => {
    await api('/rules', ADMIN.engLead, { method: 'PUT', body: 'evaluate_every: 1s\nrollback_if:\n  - rule: support_tickets_per_hour > 50\n    consecutive: 1\n', headers: { 'content-type': 'text/yaml' } });
    for (let i = 0; i < 120; i++) {
      const body = `{"ticket":"T-${i}"}`;
      await ticket(body, await hmacSha256Hex('support-hook-secret-for-tests', new TextEncoder().encode(body)));
    }
    await sleep(1300);
    await ticket('{}', await hmacSha256Hex('support-hook-secret-for-tests', new TextEncoder().encode('{}')));
    await sleep(400);
    const st = await status();
    expect(st.flag.enabled).toBe(false);
    expect(st.flag.reason).toContain('support_tickets_per_hour > 50');
  });

  it('Auth0 log stream and Kratos after-login hooks need their tokens and count events', async () => {
    const logs = JSON.stringify([{ log_id: '1', data: { type: 's' } }, { log_id: '2', data: { type: 'fp' } }, { log_id: '3', data: { type: 'fu' } }, { log_id: '4', data: { type: 'sapi' } }]);
    expect((await gw('/_switchback/hooks/auth0-log-stream', { method: 'POST', body: logs })).status).toBe(401);
    const ok = await gw('/_switchback/hooks/auth0-log-stream', { method: 'POST', body: logs, headers: { authorization: 'Bearer auth0-log-stream-token-for-tests' } });
    expect(await ok.json()).toEqual({ accepted: 3, ignored: 1 });
    expect((await gw('/_switchback/hooks/auth0-log-stream', { method: 'POST', body: '{nope', headers: { authorization: 'Bearer auth0-log-stream-token-for-tests' } })).status).toBe(400);
    expect((await gw('/_switchback/hooks/kratos-after-login', { method: 'POST', body: '{}', headers: { authorization: 'wrong' } })).status).toBe(401);
    expect((await gw('/_switchback/hooks/kratos-after-login', { method: 'POST', body: '{}', headers: { authorization: 'kratos-hook-token-for-tests' } })).status).toBe(202);
    await sleep(400);
    const m = await (await api('/metrics', ADMIN.viewer)).text();
    expect(m).toMatch(/^switchback_provider_login_events_total\{provider="auth0",outcome="failed"\} 2$/m);
    expect(m).toMatch(/^switchback_provider_login_events_total\{provider="olympus",outcome="succeeded"\} 1$/m);
  });
});

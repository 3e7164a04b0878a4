/**
 * Property: whatever the password, the identifier, the address and however
 * the call goes (match, mismatch, the provider failing or throttling,
 * refused bodies, wrong key), the password never shows up in a log line (the
 * gateway's or the legacy stand-in's, both in this isolate) or in the hook's
 * response, raw, JSON-escaped or URL-encoded: with Auth0, and with Cognito
 * and Clerk as the legacy kind (their admin-API stand-ins).
 */
import { expect, vi } from 'vitest';
import fc from 'fast-check';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { kindGw } from './support/kind-gateway.ts';

const test = gatewayTest({ enabled: true });
const KEY = 'password-hook-key-for-tests-0123456789abcdef';

type Scenario = 'right' | 'wrong' | 'upstream_down' | 'oversized' | 'bad_identifier' | 'no_key' | 'broken_json' | 'request_headers';
const SCENARIOS: Scenario[] = ['right', 'wrong', 'upstream_down', 'oversized', 'bad_identifier', 'no_key', 'broken_json', 'request_headers'];

let seq = 0;

test('no password in any log line or response', async ({ net }) => {
  const lines: string[] = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ')));
  }
  // At least 4 distinct characters: a run like "0000000000" could sit in a hash by chance.
  const password = fc.string({ minLength: 10, maxLength: 120, unit: 'binary' }).filter((p) => new Set(p).size >= 4);
  const address = fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 })), { nil: undefined });
  await fc.assert(
    fc.asyncProperty(password, fc.constantFrom(...SCENARIOS), address, fc.string({ maxLength: 60 }), async (pw, scenario, ip, junk) => {
      lines.length = 0;
      const email = `secrecy-${Date.now().toString(36)}-${++seq}@example.com`;
      if (scenario === 'right') net.auth0Api.seedUser({ email }, { kind: 'password', password: pw });
      if (scenario === 'wrong') net.auth0Api.seedUser({ email }, { kind: 'password', password: `${pw}-other` });
      if (scenario === 'upstream_down') net.auth0Api.failNext(1, 502);
      const identifier = scenario === 'bad_identifier' ? junk.repeat(20) : email;
      const payload: Record<string, unknown> = { identifier, password: pw };
      if (scenario === 'request_headers') payload.request_headers = { 'True-Client-Ip': [ip ?? pw], 'X-Password': [pw] };
      else if (ip !== undefined) payload.client_ip = ip;
      let body = JSON.stringify(payload);
      if (scenario === 'oversized') body = JSON.stringify({ ...payload, pad: 'x'.repeat(70_000) });
      if (scenario === 'broken_json') body = body.slice(0, -2);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (scenario !== 'no_key') headers.authorization = `Bearer ${KEY}`;
      const res = await gw('/_switchback/hooks/password-migration', { method: 'POST', headers, body });
      // A call refused before Auth0 (a limit) leaves the fault armed: it must not hit the next run.
      net.auth0Api.faults.clear();
      const answer = `${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await res.text()}`;
      // 429: the stand-in's token endpoint limit (30/s, Auth0's free tier) is reached at this pace.
      if (scenario === 'right') expect([200, 429]).toContain(res.status);
      expect(res.status).toBeLessThan(600);
      expect(res.status).not.toBe(500);
      const seen = `${answer}\n${lines.join('\n')}`;
      for (const form of new Set([pw, JSON.stringify(pw).slice(1, -1), encodeURIComponent(pw)])) expect(seen.includes(form)).toBe(false);
    }),
    { numRuns: 80 },
  );
});

type KindScenario = 'right' | 'wrong' | 'upstream_down' | 'throttled' | 'unknown_user' | 'no_key';
const KIND_SCENARIOS: KindScenario[] = ['right', 'wrong', 'upstream_down', 'throttled', 'unknown_user', 'no_key'];

for (const kind of ['cognito', 'clerk'] as const) {
  test(`no password in any log line or response (${kind})`, async ({ net }) => {
    const lines: string[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ')));
    }
    const api = kind === 'cognito' ? net.cognitoApi : net.clerkApi;
    const seed = (email: string, password: string) => (kind === 'cognito' ? net.cognitoApi.pool.seed({ email, password }) : net.clerkApi.instance.seed({ email, password }));
    const password = fc.string({ minLength: 10, maxLength: 120, unit: 'binary' }).filter((p) => new Set(p).size >= 4);
    const address = fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(password, fc.constantFrom(...KIND_SCENARIOS), address, async (pw, scenario, ip) => {
        lines.length = 0;
        const email = `secrecy-${kind}-${Date.now().toString(36)}-${++seq}@example.com`;
        if (scenario === 'right') seed(email, pw);
        if (scenario === 'wrong') seed(email, `${pw}-other`);
        if (scenario === 'upstream_down') api.failNext(1, 502);
        if (scenario === 'throttled') api.failNext(1, kind === 'cognito' ? 400 : 429);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (scenario !== 'no_key') headers.authorization = `Bearer ${KEY}`;
        const res = await kindGw(kind, '/_switchback/hooks/password-migration', { method: 'POST', headers, body: JSON.stringify({ identifier: email, password: pw, ...(ip !== undefined ? { client_ip: ip } : {}) }) });
        api.faults.clear();
        const answer = `${res.status} ${[...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${await res.text()}`;
        if (scenario === 'right') expect([200, 429]).toContain(res.status);
        if (scenario === 'wrong' || scenario === 'unknown_user') expect([403, 429]).toContain(res.status);
        expect(res.status).not.toBe(500);
        const seen = `${answer}\n${lines.join('\n')}`;
        for (const form of new Set([pw, JSON.stringify(pw).slice(1, -1), encodeURIComponent(pw)])) expect(seen.includes(form)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
}

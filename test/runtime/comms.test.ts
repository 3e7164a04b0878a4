/**
 * Communication after a rollback: the preview fills the templates from the
 * latest rollback (users' texts never mention the migration); the Statuspage
 * incident is a draft until a person publishes it, and publishing makes one
 * incident per rollback, even when two people press at once, against the
 * stand-in's contract (auth header, rate limit, errors).
 */
import { expect, vi } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { gw } from './support/gateway.ts';
import { ADMIN } from './support/constants.ts';
import { createStatuspageApp } from '../../dev/statuspage-api/app.ts';
import { USER_FACING_FORBIDDEN } from '../../src/comms/templates.ts';
import { controller } from '../../src/rollback/controller-client.ts';
import { testEnv } from './support/gateway.ts';

const it = gatewayTest({ enabled: true });

/** The stand-in in front of https://statuspage.test, the rest of the fake network behind it. */
function statuspage(options: { apiKey?: string; limit?: number } = {}) {
  const sp = createStatuspageApp({ pageId: 'pagetest01', apiKey: options.apiKey ?? 'statuspage-key-for-tests', limit: options.limit ?? 60 });
  const spy = vi.mocked(globalThis.fetch);
  const behind = spy.getMockImplementation()!;
  spy.mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    if (new URL(req.url).origin === 'https://statuspage.test') return sp.app.fetch(req);
    return behind(input, init);
  });
  return sp;
}
const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await gw(`/_switchback/api${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const audit = async () => ((await controller(testEnv()).audit(500)) as unknown as { type: string }[]).map((e) => e.type).reverse();

it('the preview fills the templates from the latest rollback; nothing is published by it', async () => {
  const sp = statuspage();
  expect((await call('GET', '/comms/preview', ADMIN.viewer)).body).toMatchObject({ incident: null, user_email: null, statuspage: { configured: true, record: null } });
  await call('POST', '/rollback', ADMIN.oncall, { reason: 'password hashes do not verify' });
  const p = (await call('GET', '/comms/preview', ADMIN.viewer)).body;
  expect(p.user_email.subject).toBe('Brief authentication issue resolved');
  expect(p.user_email.text).toContain('Full details: https://status.example.test/');
  expect(p.user_email.text).toContain('(https://gateway.test/recovery)');
  expect(`${p.user_email.text}${p.status_page.subject}${p.status_page.text}`).not.toMatch(USER_FACING_FORBIDDEN);
  expect(p.oncall.text).toContain('manual decision: password hashes do not verify');
  expect(p.variables).toMatchObject({ product: 'The Example team', legacy_provider: 'Auth0', rule: 'manual decision' });
  expect(sp.incidents).toEqual([]);
});

it('publishing creates one Statuspage incident per rollback, even when two people press at once', async () => {
  const sp = statuspage();
  expect((await call('POST', '/comms/statuspage', ADMIN.oncall)).body.error).toBe('no_rollback');
  await call('POST', '/rollback', ADMIN.oncall, { reason: 'logins failing' });
  expect((await call('POST', '/comms/statuspage', ADMIN.viewer)).status).toBe(403);
  const [a, b] = await Promise.all([call('POST', '/comms/statuspage', ADMIN.oncall), call('POST', '/comms/statuspage', ADMIN.engLead)]);
  expect([a.status, b.status].sort()).toEqual([201, 409]);
  const again = await call('POST', '/comms/statuspage', ADMIN.oncall);
  expect(again.status).toBe(200);
  expect(again.body.outcome).toBe('already_published');
  expect(sp.incidents).toHaveLength(1);
  expect(sp.incidents[0]).toMatchObject({ name: 'Sign-in issues', status: 'identified', deliver_notifications: false });
  expect(sp.incidents[0]!.body).not.toMatch(USER_FACING_FORBIDDEN);
  // Once published, users' texts link the incident.
  expect((await call('GET', '/comms/preview', ADMIN.viewer)).body.user_email.text).toContain(`Full details: ${sp.incidents[0]!.shortlink}`);
  expect((await audit()).filter((t) => t === 'statuspage.published')).toHaveLength(1);

  // The next rollback gets its own incident.
  await call('POST', `/flags/olympus_auth`, ADMIN.engLead, { enabled: true, override_reason: 'test: second rollback' });
  await call('POST', '/rollback', ADMIN.oncall, { reason: 'again' });
  expect((await call('POST', '/comms/statuspage', ADMIN.oncall)).status).toBe(201);
  expect(sp.incidents).toHaveLength(2);
});

it('a refused publish (wrong key, rate limit) publishes nothing, says why, and can be retried', async () => {
  statuspage({ apiKey: 'some-other-key' });
  await call('POST', '/rollback', ADMIN.oncall, { reason: 'logins failing' });
  const refused = await call('POST', '/comms/statuspage', ADMIN.oncall);
  expect(refused.status).toBe(502);
  expect(refused.body.error_description).toContain('unauthorized: HTTP 401: Could not authenticate');
  expect(refused.body.error_description).not.toContain('statuspage-key-for-tests');
  const sp = statuspage({ limit: 1 });
  expect((await call('POST', '/comms/statuspage', ADMIN.oncall)).status).toBe(201);
  expect(sp.incidents).toHaveLength(1);
  expect((await audit()).filter((t) => t.startsWith('statuspage.'))).toEqual(['statuspage.failed', 'statuspage.published']);
});

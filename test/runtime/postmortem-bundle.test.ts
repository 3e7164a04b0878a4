/**
 * The postmortem bundle (`switchback postmortem`, built through the typed
 * admin client): for an incident made here (Olympus on, an outage the rules
 * roll back, the operators' decision and postmortem link, notifications
 * delivered), the bundle holds every audit event of that incident, in order,
 * and nothing of the incident before it; per-minute metrics of both
 * providers; the rules in force; who was affected by id only.
 */
import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import { gatewayTest } from './support/fixtures.ts';
import { FAST_RULES, alarm, ingest, logins, setRules, sleep, stub } from './support/controller.ts';
import { ADMIN, GATEWAY } from './support/constants.ts';
import { adminApi } from '../../scripts/cli/admin-api.ts';
import { collectBundle, markdown } from '../../scripts/postmortem/postmortem-bundle.ts';
import type { AuditEntry } from '../../src/rollback/audit-entry.ts';
import { FLAG_KEY } from '../../src/flag/flag-record.ts';

const it = gatewayTest();

const gatewayFetch: typeof fetch = (input, init) => {
  const req = new Request(input instanceof Request ? input : String(input), init);
  req.headers.set('cf-connecting-ip', '203.0.113.7');
  return (exports as unknown as { default: { fetch(r: Request): Promise<Response> } }).default.fetch(req);
};
const api = adminApi(GATEWAY, ADMIN.engLead, gatewayFetch);
const post = async (path: string, body: unknown) => {
  const res = await gatewayFetch(`${GATEWAY}/_switchback/api${path}`, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${ADMIN.engLead}`, 'content-type': 'application/json' } });
  expect(res.status, await res.clone().text()).toBe(200);
};
const allAudit = async () => ((await stub().audit(500)) as unknown as AuditEntry[]).reverse();

it('holds every event of the incident, in order, and none of the one before', { timeout: 30_000 }, async () => {
  await setRules(FAST_RULES);
  // The incident before: on, rolled back by hand, on again (with the gate lifted on purpose).
  await post(`/flags/${FLAG_KEY}`, { enabled: true, reason: 'go live' });
  await post('/rollback', { reason: 'first try failed' });
  const first = (await allAudit()).filter((e) => e.type === 'rollback')[0]!;
  await post(`/flags/${FLAG_KEY}`, { enabled: true, reason: 'second try', override_reason: 'test: the earlier incident is not the one under study' });
  const reenable = (await allAudit()).filter((e) => e.type === 'flag.changed').at(-1)!;

  // The incident: an outage across 40 clients, two evaluations, the rules roll back.
  await ingest(logins('olympus', 'failed', 60, 40).concat(logins('olympus', 'succeeded', 40, 40, 'ok')));
  await sleep(1050);
  await ingest([]);
  await alarm();
  const rollback = (await allAudit()).filter((e) => e.type === 'rollback')[1];
  expect(rollback, JSON.stringify((await allAudit()).map((e) => e.type))).toBeDefined();
  expect(rollback!.actor).toBe('switchback-controller');
  await post('/rollback/decision', { kind: 'temporary', why: 'hash format; fix and retry' });
  await post('/rollback/postmortem', { url: 'https://wiki.example.com/pm/7' });
  await alarm(); // notifications delivered

  const bundle = await collectBundle(api, {});
  const expected = (await allAudit()).filter((e) => e.seq >= reenable.seq);
  expect(bundle.incident.rollback_seq).toBe(rollback!.seq);
  expect(bundle.timeline.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
  expect(bundle.timeline.map((e) => e.type)).toEqual(expected.map((e) => e.type));
  const types = bundle.timeline.map((e) => e.type);
  for (const t of ['flag.changed', 'rule.verdict', 'rollback', 'notification.rollback.triggered', 'notification.rollback.completed', 'notification.delivered', 'rollback.decision', 'postmortem.linked']) expect(types, t).toContain(t);
  expect(types.indexOf('rule.verdict')).toBeLessThan(types.indexOf('rollback'));
  expect(bundle.timeline.some((e) => e.seq === first.seq)).toBe(false);
  expect(bundle.incident).toMatchObject({ rule: 'login_success_rate < 95%', decision: { kind: 'temporary' }, postmortem_url: 'https://wiki.example.com/pm/7' });

  // Metrics of both providers per minute; who was affected as counts.
  expect(bundle.affected.logins.olympus_failed).toBe(60);
  expect(bundle.affected.logins.olympus_succeeded).toBe(40);
  expect(bundle.metrics.login.some((m) => (m.olympus.failed ?? 0) > 0)).toBe(true);
  expect(bundle.rules.text_in_force).toContain('login_success_rate < 95%');
  expect(bundle.client_config.version).toBe(0);
  expect(JSON.stringify(bundle)).not.toMatch(/@example\.(com|test)/);

  // The earlier incident: from its own enabling to the re-enable, nothing after.
  const earlier = await collectBundle(api, { incident: first.seq });
  expect(earlier.incident.window.ended_by).toBe('reenabled');
  expect(earlier.timeline.at(-1)!.seq).toBe(reenable.seq);
  expect(earlier.timeline.some((e) => e.seq === rollback!.seq)).toBe(false);

  const md = markdown(bundle);
  expect(md).toContain(`# Postmortem bundle: rollback ${rollback!.seq}`);
  expect(md).toContain('ROLLBACK by rule login_success_rate < 95%');
  await expect(collectBundle(api, { incident: reenable.seq })).rejects.toThrow(/is not a rollback/);
});

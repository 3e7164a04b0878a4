/**
 * The automatic rollback with the DEFAULT rules (the plan's text: no fast
 * test rules), end to end: the real gateway under wrangler dev, a healthy
 * crowd of 60 distinct clients signed in through Olympus, then the Olympus
 * stand-in refuses every login and failing logins arrive one every 1.5 s
 * (200 logins per 5 minutes), each from a new client. The sequential
 * detector decides on the batch that brings the evidence: the target
 * is 10 s after the first failing login; asserted here within 20 s (a shared
 * CI machine), where the window rule it replaced took 30 s or more.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../../dev/stack.ts';
import { auditEntries, controllerStatus } from './support/controller-api.ts';
import { setIdpMode, switchProvider } from './support/gateway-admin.ts';
import { clientIp, ScriptedClient } from './support/scripted-client.ts';

const ALICE = { email: 'alice@example.com', password: 'alice-pass' };
const CROWD = 60;
const INTERVAL_MS = 1500;
const BOUND_MS = 20_000;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ extraVars: {} });
});

afterAll(async () => {
  await stack?.stop();
});

it('a total Olympus outage rolls back within 20 s of the first failing login, with the default rules', async () => {
  await switchProvider(stack, 'olympus');
  const crowd = Array.from({ length: CROWD }, (_, i) => new ScriptedClient(clientIp('203.0.113', i + 1)));
  for (let i = 0; i < crowd.length; i += 8) await Promise.all(crowd.slice(i, i + 8).map((c) => c.signIn(stack, 'olympus', ALICE.email, ALICE.password)));
  await setIdpMode(stack.olympus.url, { failLogins: true });
  let firstFailure: number | undefined;
  let flippedAt: number | undefined;
  try {
    for (let i = 1; i <= 30 && flippedAt === undefined; i++) {
      const attempt = await new ScriptedClient(clientIp('100.64.1', i)).failingLogin(stack);
      if (attempt.status === 401 && attempt.error === 'access_denied') firstFailure ??= Date.now();
      const s = await controllerStatus(stack);
      if (!s.flag.enabled) flippedAt = Date.parse(s.flag.rollback_at!);
      else await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
  } finally {
    await setIdpMode(stack.olympus.url, { failLogins: false });
  }
  expect(firstFailure).toBeDefined();
  expect(flippedAt).toBeDefined();
  expect(flippedAt! - firstFailure!).toBeLessThan(BOUND_MS);
  const rollback = (await auditEntries(stack)).find((e) => e.type === 'rollback')!;
  expect(rollback.actor).toBe('switchback-controller');
  expect(rollback.data).toMatchObject({ rule: 'login_success_rate < 95%', evidence: { detector: 'outcome' } });
}, 180_000);

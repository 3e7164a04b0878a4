/**
 * A replayed signed hook cannot force a rollback, end to end: the real
 * gateway under wrangler dev, Olympus enabled, a ticket rule that 90 real
 * tickets would breach at once (more than 20 an hour over 15 minutes, one
 * breaching evaluation). One signed ticket, captured and posted 90 times
 * from 90 addresses, counts 1 and rolls nothing back; 30 different tickets
 * (a real support spike) still roll back.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from '../../dev/stack.ts';
import { controllerStatus, ruleStatus, waitForEvaluations, waitForStatus } from './support/controller-api.ts';

const SECRET = 'e2e-support-hook-secret';
const RULE = 'support_tickets_per_hour > 20';
const RULES_YAML = `evaluate_every: 1s
rollback_if:
  - rule: ${RULE}
    window: 15m
    consecutive: 1
  - manual_decision_by: [oncall, eng-lead]
`;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ extraVars: { SUPPORT_HOOK_SECRET: SECRET, ROLLBACK_RULES: JSON.stringify(parseYaml(RULES_YAML)) } });
  const res = await stack.setFlag('olympus_auth', true);
  expect(res.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`--- gateway output ---\n${stack.gatewayOutput().slice(-6000)}`));
});

/** Posts a ticket signed the way docs/rollback-controller.md tells helpdesks to: HMAC-SHA256 of `${timestamp}.${body}`. */
async function postTicket(body: string, ip: string, timestamp = Math.floor(Date.now() / 1000)): Promise<number> {
  const signature = createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
  const res = await fetch(`${stack.gatewayUrl}/_switchback/hooks/support-ticket`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-signature': signature, 'x-signature-timestamp': String(timestamp), 'cf-connecting-ip': ip },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('support-ticket replay', () => {
  it('the same signed ticket posted 90 times from 90 addresses counts 1 ticket and does not roll back', async () => {
    const body = JSON.stringify({ ticket: { id: 'ZD-90210', subject: 'I cannot sign in' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const statuses = await Promise.all(Array.from({ length: 90 }, (_, i) => postTicket(body, `203.0.113.${i + 1}`, timestamp)));
    expect(statuses.every((s) => s === 202)).toBe(true);
    await waitForStatus(stack, 'the ticket counted', (s) => (ruleStatus(s, RULE).samples >= 1 ? true : undefined), 10_000);
    // A few evaluations after the replays landed: the rule has seen them all.
    const after = await waitForEvaluations(stack, 3, 15_000);
    expect(ruleStatus(after, RULE).samples).toBe(1);
    expect(ruleStatus(after, RULE).verdict).toBe('ok');
    expect(after.flag.enabled).toBe(true);
    const final = await controllerStatus(stack);
    expect(final.hook_deliveries_duplicate_total).toBe(89);
  });

  it('30 different tickets, a real spike, still roll back', async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => postTicket(JSON.stringify({ ticket: { id: `ZD-${1000 + i}` } }), `198.18.0.${i + 1}`)));
    const { status } = await waitForStatus(stack, 'a rollback by the ticket rule', (s) => (!s.flag.enabled ? true : undefined), 15_000);
    expect(status.flag.reason).toContain(RULE);
    expect(ruleStatus(status, RULE).samples).toBe(31);
  });
});

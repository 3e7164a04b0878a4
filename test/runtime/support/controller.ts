/** Driving the controller object directly: batches of outcomes, rules, alarms. */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { controller } from '../../../src/rollback/controller-client.ts';
import type { OutcomeEvent } from '../../../src/rollback/outcome-events.ts';
import { testEnv } from './gateway.ts';

export const stub = () => controller(testEnv());

let seq = 0;
/** `n` logins from `clients` distinct clients: each started and finished with `outcome`. */
export function logins(provider: 'auth0' | 'olympus', outcome: 'succeeded' | 'failed', n: number, clients: number, prefix = 'c'): OutcomeEvent[] {
  const out: OutcomeEvent[] = [];
  const at = Date.now();
  for (let i = 0; i < n; i++) {
    const id = `login-${++seq}`;
    const client = `${prefix}${i % clients}`;
    out.push({ k: 'login_started', id, provider, client, at });
    out.push({ k: 'login_outcome', id, provider, client, outcome, reason: outcome === 'failed' ? 'provider_access_denied' : undefined, at });
  }
  return out;
}

export async function ingest(events: OutcomeEvent[], lost = 0) {
  return stub().ingest({ events, lost });
}

export async function setRules(yaml: string) {
  return runInDurableObject(stub(), (instance) => (instance as unknown as { setRules(t: string, a: string): unknown }).setRules(yaml, 'test'));
}

export async function status(): Promise<Record<string, any>> {
  return (await stub().status()) as Record<string, any>;
}

export async function auditTypes(): Promise<string[]> {
  return ((await stub().audit(500)) as unknown as { type: string }[]).map((e) => e.type).reverse();
}

export async function alarm(): Promise<boolean> {
  return runDurableObjectAlarm(stub());
}

/** Fast rules for tests: evaluate every second, small windows. */
export const FAST_RULES = `
evaluate_every: 1s
abandon_after: 1s
rollback_if:
  - rule: login_success_rate < 95%
    window: 5m
    min_samples: 50
    min_clients: 10
    consecutive: 2
    max_per_client: 3
  - rule: api_error_rate > 5%
    window: 5m
    min_samples: 100
    min_clients: 10
    consecutive: 2
  - support_tickets_per_hour > 50
  - manual_decision_by: [oncall, eng-lead]
`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the rollback controller through the admin API the way an operator
 * does (status, audit, Prometheus metrics) and waits, bounded, for it to
 * reach a state: a count ingested, a number of rule evaluations done, the
 * flag flipped back to Auth0.
 */
import type { Stack } from '../../../dev/stack.ts';
import { pollUntil } from './poll.ts';

export interface RuleStatus {
  rule: string;
  metric: string;
  verdict: 'breach' | 'ok' | 'inconclusive';
  value: number | null;
  bound: number | null;
  threshold: number;
  samples: number;
  clients: number;
  windowSeconds: number;
  note?: string;
  streak: number;
  consecutive: number;
}

export interface ControllerStatus {
  flag: { enabled: boolean; version: number; rollback_at?: string | null; updated_by?: string; reason?: string };
  rules: RuleStatus[];
  last_evaluated_at: string | null;
  last_5_minutes: { logins: Record<string, Record<string, number>>; api: Record<string, Record<string, number>> };
  pending_logins: number;
  events_lost_total: number;
}

import type { AuditEntry } from '../../../src/controller/audit-entry.ts';

export type { AuditEntry };

async function adminGet(stack: Stack, path: string): Promise<Response> {
  const res = await fetch(`${stack.gatewayUrl}/_switchback/api${path}`, { headers: { authorization: `Bearer ${stack.adminToken}` } });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res;
}

export async function controllerStatus(stack: Stack): Promise<ControllerStatus> {
  return (await (await adminGet(stack, '/status')).json()) as ControllerStatus;
}

export async function auditEntries(stack: Stack, limit = 500): Promise<AuditEntry[]> {
  return ((await (await adminGet(stack, `/audit?limit=${limit}`)).json()) as { entries: AuditEntry[] }).entries;
}

/** GET /metrics, the Prometheus text. */
export async function metricsText(stack: Stack): Promise<string> {
  return (await adminGet(stack, '/metrics')).text();
}

export function ruleStatus(status: ControllerStatus, rule: string): RuleStatus {
  const r = status.rules.find((x) => x.rule === rule);
  if (!r) throw new Error(`rule ${rule} not in status (have ${status.rules.map((x) => x.rule).join(', ')})`);
  return r;
}

/** Polls status until `probe` returns something; the error names the last status seen. */
export async function waitForStatus<T>(stack: Stack, what: string, probe: (s: ControllerStatus) => T | undefined, timeoutMs: number, intervalMs = 200): Promise<{ value: T; status: ControllerStatus; elapsedMs: number }> {
  let last: ControllerStatus | undefined;
  const { value, elapsedMs } = await pollUntil(
    what,
    async () => {
      last = await controllerStatus(stack);
      const v = probe(last);
      return v === undefined ? undefined : { v, s: last };
    },
    { timeoutMs, intervalMs },
    () => JSON.stringify({ flag: last?.flag, rules: last?.rules, logins: last?.last_5_minutes.logins, last_evaluated_at: last?.last_evaluated_at }),
  );
  return { value: value.v, status: value.s, elapsedMs };
}

/** Waits until the controller has evaluated its rules `n` more times (distinct last_evaluated_at values). */
export async function waitForEvaluations(stack: Stack, n: number, timeoutMs: number): Promise<ControllerStatus> {
  const seen = new Set<string>();
  const first = (await controllerStatus(stack)).last_evaluated_at;
  const { status } = await waitForStatus(
    stack,
    `${n} more rule evaluations`,
    (s) => {
      if (s.last_evaluated_at && s.last_evaluated_at !== first) seen.add(s.last_evaluated_at);
      return seen.size >= n ? true : undefined;
    },
    timeoutMs,
    150,
  );
  return status;
}

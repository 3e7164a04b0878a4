// Reads the controller through the admin API for the benchmark: Prometheus
// counters (GET /_switchback/api/metrics), status, audit, and the flag
// switch, plus a bounded wait for counters to settle after a load phase
// (events are flushed ~200 ms after they happen, off the request path).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from '../dev/stack.ts';
import { adminApi, okJson, okText, readStatus, type AuditEntry, type GatewayStatus } from '../scripts/cli/admin-api.ts';

const api = (stack: Stack) => adminApi(stack.gatewayUrl, stack.adminToken);

/** Sum of every sample of `name` whose labels include all of `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}

export interface CounterSnapshot {
  apiRequests: number;
  tickets: number;
  lost: number;
  at: number;
}

export async function counters(stack: Stack): Promise<CounterSnapshot> {
  const text = await okText('GET /metrics', api(stack).metrics.$get());
  return {
    apiRequests: sumMetric(text, 'switchback_api_requests_total'),
    tickets: sumMetric(text, 'switchback_support_tickets_total'),
    lost: sumMetric(text, 'switchback_events_lost_total'),
    at: performance.now(),
  };
}

/** Polls the counters until `field` has grown by `expected` or stopped growing for 1 s (bounded by `timeoutMs`). */
export async function settledCounters(stack: Stack, before: CounterSnapshot, field: 'apiRequests' | 'tickets', expected: number, timeoutMs = 10_000): Promise<CounterSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = await counters(stack);
  let stableSince = Date.now();
  while (last[field] - before[field] < expected && Date.now() < deadline && Date.now() - stableSince < 1_000) {
    await sleep(100);
    const next = await counters(stack);
    if (next[field] !== last[field]) stableSince = Date.now();
    last = next;
  }
  return last;
}

export function status(stack: Stack): Promise<GatewayStatus> {
  return readStatus(api(stack));
}

/**
 * A rollback's audit entry. The wire type says only `data: Record<string,
 * unknown>` (audit data is free-form per event type); this names the fields
 * the controller writes for a rollback, the ones the benchmark reports.
 */
export type RollbackAudit = AuditEntry & { data: { rule: string | null; value: number | null; samples: number | null; clients: number | null; rollback_at: string } };

/** Rollback entries, newest first. */
export async function rollbackAudits(stack: Stack): Promise<RollbackAudit[]> {
  const { entries } = await okJson('GET /audit', api(stack).audit.$get({ query: { limit: '500' } }));
  return entries.filter((e): e is RollbackAudit => e.type === 'rollback');
}

/** The plan's flag API (eng-lead to enable). */
export async function setOlympus(stack: Stack, enabled: boolean): Promise<void> {
  await okJson('POST /flags/olympus_auth', api(stack).flags.olympus_auth.$post({ json: { enabled, reason: `controller bench: ${enabled ? 'on' : 'off'}`, ...(enabled ? { override_reason: 'controller bench: each phase starts with Olympus on after the last phase\'s rollback (re-enable gate lifted on purpose)' } : {}) } }));
}

/**
 * Reads the rollback controller through the admin API the way an operator
 * does (status, audit, Prometheus metrics) and waits, bounded, for it to
 * reach a state: a count ingested, a number of rule evaluations done, the
 * flag flipped back to Auth0.
 */
import type { Stack } from '../../../dev/stack.ts';
import { pollUntil } from './poll.ts';
import { adminApi, okJson, okText, readStatus, type AuditEntry, type GatewayStatus, type RuleStatus } from '../../../scripts/cli/admin-api.ts';

/** GET /status as the routes type it (src/rollback's status view). */
export type ControllerStatus = GatewayStatus;
export type { AuditEntry, RuleStatus };

const api = (stack: Stack) => adminApi(stack.gatewayUrl, stack.adminToken);

export async function controllerStatus(stack: Stack): Promise<ControllerStatus> {
  return readStatus(api(stack));
}

export async function auditEntries(stack: Stack, limit = 500): Promise<AuditEntry[]> {
  return (await okJson('GET /audit', api(stack).audit.$get({ query: { limit: String(limit) } }))).entries;
}

/** GET /metrics, the Prometheus text. */
export async function metricsText(stack: Stack): Promise<string> {
  return okText('GET /metrics', api(stack).metrics.$get());
}

export function ruleStatus(status: ControllerStatus, rule: string): RuleStatus {
  const r = status.rules.find((x: RuleStatus) => x.rule === rule);
  if (!r) throw new Error(`rule ${rule} not in status (have ${status.rules.map((x: RuleStatus) => x.rule).join(', ')})`);
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

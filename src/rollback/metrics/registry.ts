/**
 * The metrics a rollback rule can watch, by the name rules use. Adding one is
 * a definition file and a line here: the compiler (`satisfies`) checks the
 * definition is complete, and the rule parser, the controller, /metrics,
 * notifications and the simulator pick it up from here.
 */
import { apiErrorRate } from './api-error-rate.ts';
import { loginSuccessRate } from './login-success-rate.ts';
import type { EventCounter, MetricDefinition } from './metric-definition.ts';
import { passwordMigrationErrorRate } from './password-migration-error-rate.ts';
import { supportTicketsPerHour } from './support-tickets-per-hour.ts';
import type { OutcomeEvent } from '../outcome-events.ts';

export type MetricId = 'login_success_rate' | 'api_error_rate' | 'support_tickets_per_hour' | 'password_migration_error_rate';

export const METRICS = {
  login_success_rate: loginSuccessRate,
  api_error_rate: apiErrorRate,
  support_tickets_per_hour: supportTicketsPerHour,
  password_migration_error_rate: passwordMigrationErrorRate,
} as const satisfies Record<MetricId, MetricDefinition>;

export const METRIC_IDS = Object.keys(METRICS) as MetricId[];

export function metric(id: MetricId): MetricDefinition {
  return METRICS[id];
}

export function isMetricId(name: string): name is MetricId {
  return Object.hasOwn(METRICS, name);
}

const COUNTERS = new Map<OutcomeEvent['k'], { signal: string; counter: EventCounter }>(
  METRIC_IDS.flatMap((id) => METRICS[id].events.map((counter): [OutcomeEvent['k'], { signal: string; counter: EventCounter }] => [counter.kind, { signal: METRICS[id].signal, counter }])),
);

/** The metric counter for an event kind, if a metric owns that kind. */
export function counterFor(kind: OutcomeEvent['k']): { signal: string; counter: EventCounter } | undefined {
  return COUNTERS.get(kind);
}

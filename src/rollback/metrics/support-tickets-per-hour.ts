/**
 * Support tickets per hour, from the signed support-ticket hook (a replayed
 * delivery is dropped by the delivery ledger before it gets here).
 */
import { eventCounter, type MetricDefinition } from './metric-definition.ts';
import { countWindow, evaluatePoissonRate, observedPerHour } from './poisson-statistic.ts';

export const supportTicketsPerHour = {
  title: 'support tickets per hour',
  example: 'support_tickets_per_hour > 50',
  signal: 'ticket',
  events: [eventCounter('ticket', (e) => ({ provider: 'all', outcome: 'ticket', client: 'hook', n: Math.max(1, Math.floor(e.n)), total: 'tickets' }))],
  op: '>',
  unit: 'per_hour',
  // 15 min, scaled to an hourly rate: a 60 min window took ~30 min to see 120 tickets/h.
  // Confidence 0.95: at 0.99, 60 tickets/h fired within the hour only 30% of the time; 0.95 still had no false trigger in 365 simulated days at 20/h.
  defaults: { windowSeconds: 900, minSamples: 0, minClients: 0, consecutive: 2, confidence: 0.95, maxPerClient: 1_000_000, compareCohorts: false, tolerance: 0 },
  window: (rows) => countWindow(rows),
  evaluate: (rule, w) => evaluatePoissonRate(rule, w),
  observed: (good, bad, windowSeconds) => observedPerHour(good + bad, windowSeconds),
  series: {
    name: 'switchback_support_tickets_total',
    help: 'Support tickets received by the hook.',
    labels: (key) => (key === 'tickets' ? {} : undefined),
    zeroWhenEmpty: true,
  },
} as const satisfies MetricDefinition;

/**
 * API error rate: of the proxied requests, the share answered with an error,
 * by the provider of the caller's credential. Events: `api` (aggregated per
 * second by the gateway's outcome recorder).
 */
import { eventCounter, type MetricDefinition } from './metric-definition.ts';
import { cohortWindow, evaluateProportion, observedRate } from './proportion-statistic.ts';

const API_TOTAL = /^api_(auth0|olympus|anonymous)_(ok|error)$/;

export const apiErrorRate = {
  title: 'API error rate',
  example: 'api_error_rate > 5%',
  signal: 'api',
  events: [
    eventCounter('api', (e) => {
      const outcome = e.error ? 'error' : 'ok';
      return { provider: e.provider, outcome, client: String(e.client), n: Math.max(0, Math.min(1_000_000, Math.floor(e.n))), total: `api_${e.provider}_${outcome}` };
    }),
  ],
  op: '>',
  unit: 'percent',
  defaults: { windowSeconds: 300, minSamples: 200, minClients: 10, consecutive: 3, confidence: 0.99, maxPerClient: 20, compareCohorts: true, tolerance: 0.02 },
  // A busy API client's errors are its own ratio: it adds up to its cap of bad observations per window.
  detector: { badPerClient: 'cap', overdue: false },
  window: cohortWindow,
  evaluate: (rule, w, split) => evaluateProportion('bad', rule, w, split),
  observed: (good, bad) => observedRate('bad', good, bad),
  series: {
    name: 'switchback_api_requests_total',
    help: "Proxied requests by the provider of the caller's credential and result.",
    labels: (key) => {
      const g = API_TOTAL.exec(key);
      return g ? { provider: g[1]!, result: g[2]! } : undefined;
    },
    zeroWhenEmpty: false,
  },
} as const satisfies MetricDefinition;

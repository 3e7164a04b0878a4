/**
 * Login success rate: of the logins started through /login, the share that
 * came back successfully (failed and abandoned ones count against it). Its
 * events (login_started, login_outcome) are counted by ingest.ts, which
 * needs the login ledger to count each login once.
 */
import type { MetricDefinition } from './metric-definition.ts';
import { cohortWindow, evaluateProportion, observedRate } from './proportion-statistic.ts';

const LOGIN_TOTAL = /^login_(auth0|olympus)_(started|succeeded|failed|abandoned)$/;

export const loginSuccessRate = {
  title: 'login success rate',
  example: 'login_success_rate < 95%',
  signal: 'login',
  events: [],
  op: '<',
  unit: 'percent',
  // 0.999: checked every 10 s over overlapping windows, 0.99 gave ~0.75 false rollbacks a day at a true 97% and 50 logins per window (npm run simulate).
  defaults: { windowSeconds: 300, minSamples: 50, minClients: 10, consecutive: 3, confidence: 0.999, maxPerClient: 3, compareCohorts: true, tolerance: 0.02 },
  // Each failed or stuck login is a person: one client adds at most one bad observation per window (attack floor, bernoulli-cusum.ts).
  detector: { badPerClient: 'one', overdue: true },
  window: cohortWindow,
  evaluate: (rule, w, split) => evaluateProportion('good', rule, w, split),
  observed: (good, bad) => observedRate('good', good, bad),
  series: {
    name: 'switchback_login_outcomes_total',
    help: 'Login funnel events by provider and outcome.',
    labels: (key) => {
      const g = LOGIN_TOTAL.exec(key);
      return g ? { provider: g[1]!, outcome: g[2]! } : undefined;
    },
    zeroWhenEmpty: false,
  },
} as const satisfies MetricDefinition;

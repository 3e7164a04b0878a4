/**
 * Password migration error rate: of the calls Kratos made to the password
 * migration hook that reached a verdict or failed upstream, the share that
 * failed upstream (the legacy provider down, slow or answering badly). A
 * user in that share sees "a third-party upstream service responded
 * improperly" and cannot sign in to Olympus; on Auth0 they still could.
 * Wrong passwords are answers, not errors; rate-limited calls (ours or the
 * legacy provider's brute-force protection) are counted in the totals but
 * weigh neither way, so an attack on one account cannot move the rule.
 * Events: `password_migration`, by the end user's client (capped per client
 * like the others). There is no Auth0 cohort to compare with: the hook runs
 * only for Olympus sign-ins, so the rule is read against its threshold.
 */
import { eventCounter, type MetricDefinition } from './metric-definition.ts';
import { cohortWindow, evaluateProportion, observedRate } from './proportion-statistic.ts';
import type { PasswordMigrationOutcome } from '../outcome-events.ts';

const TOTAL = /^password_migration_(match|mismatch|upstream_error|rate_limited)$/;

/** The window's reading of each outcome: `ok` and `error` are what window-aggregation.ts counts. */
const WINDOW_OUTCOME = {
  match: 'ok',
  mismatch: 'ok',
  upstream_error: 'error',
  rate_limited: 'rate_limited',
} as const satisfies Record<PasswordMigrationOutcome, string>;

export const passwordMigrationErrorRate = {
  title: 'password migration error rate',
  example: 'password_migration_error_rate > 5%',
  signal: 'password_migration',
  events: [
    eventCounter('password_migration', (e) => ({
      provider: 'olympus',
      outcome: WINDOW_OUTCOME[e.outcome] ?? 'unknown',
      client: String(e.client),
      n: Math.max(0, Math.min(1_000_000, Math.floor(e.n))),
      total: TOTAL.test(`password_migration_${e.outcome}`) ? `password_migration_${e.outcome}` : 'password_migration_unknown',
      // The console sets mismatches (both `ok` to the rule) against the legacy provider's own sign-in failures.
      history: { signal: 'password_migration_outcome', outcome: Object.hasOwn(WINDOW_OUTCOME, e.outcome) ? e.outcome : 'unknown' },
    })),
  ],
  op: '>',
  unit: 'percent',
  // A first sign-in per user: fewer samples than API calls. One client weighs at most 3 calls a window (a user retrying).
  defaults: { windowSeconds: 300, minSamples: 50, minClients: 10, consecutive: 3, confidence: 0.99, maxPerClient: 3, compareCohorts: false, tolerance: 0 },
  window: cohortWindow,
  evaluate: (rule, w, split) => evaluateProportion('bad', rule, w, split),
  observed: (good, bad) => observedRate('bad', good, bad),
  series: {
    name: 'switchback_password_migration_total',
    help: 'Calls of the password migration hook by outcome (match, mismatch, upstream_error, rate_limited).',
    labels: (key) => {
      const g = TOTAL.exec(key);
      return g ? { outcome: g[1]! } : undefined;
    },
    zeroWhenEmpty: false,
  },
} as const satisfies MetricDefinition;

/**
 * password_migration_error_rate, through its definition: upstream errors over
 * the calls that reached a verdict; wrong passwords are answers and
 * rate-limited calls weigh neither way (an attack on accounts cannot move
 * it); one client weighs at most its cap; too few clients is inconclusive.
 */
import { describe, expect, it } from 'vitest';
import { METRICS, counterFor } from '../../src/rollback/metrics/registry.ts';
import { parseRules } from '../../src/rollback/rules.ts';
import type { PasswordMigrationOutcome } from '../../src/rollback/outcome-events.ts';
import type { ClientRow } from '../../src/rollback/window-aggregation.ts';

const def = METRICS.password_migration_error_rate;
const [rule] = parseRules('rollback_if:\n  - password_migration_error_rate > 5%').rules;

/** `n` calls with `outcome`, spread over `clients` clients. */
function rows(outcome: PasswordMigrationOutcome, n: number, clients: number, prefix = 'c'): ClientRow[] {
  const out: ClientRow[] = [];
  for (let i = 0; i < n; i++) {
    const s = counterFor('password_migration')!.counter.sample({ k: 'password_migration', outcome, client: `${prefix}${i % clients}`, n: 1, at: 0 })!;
    out.push({ provider: s.provider, outcome: s.outcome, client: s.client, n: s.n });
  }
  return out;
}

const verdict = (r: ClientRow[]) => def.evaluate(rule!, def.window(r, rule!), false).verdict;

describe('password_migration_error_rate', () => {
  it('is counted by its definition, per outcome total', () => {
    expect(counterFor('password_migration')?.signal).toBe('password_migration');
    expect(counterFor('password_migration')?.counter.sample({ k: 'password_migration', outcome: 'upstream_error', client: 'c1', n: 1, at: 0 })).toEqual({ provider: 'olympus', outcome: 'error', client: 'c1', n: 1, total: 'password_migration_upstream_error', history: { signal: 'password_migration_outcome', outcome: 'upstream_error' } });
    // A wrong password is `ok` to the rule; the console's history keeps it apart.
    expect(counterFor('password_migration')?.counter.sample({ k: 'password_migration', outcome: 'mismatch', client: 'c1', n: 2, at: 0 })).toMatchObject({ outcome: 'ok', history: { signal: 'password_migration_outcome', outcome: 'mismatch' } });
  });

  it('upstream errors well above 5% from many clients breach; around 1% does not', () => {
    expect(verdict([...rows('match', 150, 60), ...rows('upstream_error', 40, 30, 'e')])).toBe('breach');
    expect(verdict([...rows('match', 190, 60), ...rows('upstream_error', 2, 2, 'e')])).toBe('ok');
  });

  it('wrong passwords are answers, not errors: a credential-stuffing wave does not breach', () => {
    expect(verdict([...rows('match', 100, 50), ...rows('mismatch', 2000, 200, 'm'), ...rows('upstream_error', 1, 1, 'e')])).toBe('ok');
  });

  it('rate-limited calls weigh neither way, and one client weighs at most its cap', () => {
    const w = def.window([...rows('match', 100, 50), ...rows('rate_limited', 5000, 3, 'r'), ...rows('upstream_error', 500, 1, 'one')], rule!);
    expect(w.olympus.good + w.olympus.bad).toBe(100 + 3);
    expect(def.evaluate(rule!, w, false).verdict).toBe('ok');
  });

  it('is inconclusive with too few clients (no forwarded address: every call is the one unknown client)', () => {
    expect(verdict(rows('upstream_error', 500, 1))).toBe('inconclusive');
  });

  it('has no Auth0 cohort to compare with: a running split does not make it inconclusive', () => {
    expect(rule!.compareCohorts).toBe(false);
    expect(def.evaluate(rule!, def.window([...rows('match', 150, 60), ...rows('upstream_error', 40, 30, 'e')], rule!), true).verdict).toBe('breach');
  });
});

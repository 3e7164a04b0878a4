/**
 * Section 5: the percentage split. While a split runs the login rule
 * compares the Olympus cohort with the Auth0 cohort (same hour, same app),
 * so an outage of the application itself, which hurts both cohorts alike,
 * should not roll back, while an Olympus-only degradation should. When
 * either cohort lacks min_samples/min_clients the evaluation is inconclusive
 * (it holds the streak); the "evaluations" column shows how often the rule
 * compared and which cohort was short otherwise.
 */
import type { MetricRule } from '../../src/rollback/rules.ts';
import type { LoginHealth } from './login-traffic.ts';
import { Rng } from './prng.ts';
import { RuleRunner } from './rule-runner.ts';
import { DETECTION_HORIZON_S, loginWorld, ruleFor, spreadMix, type SimContext } from './scenario.ts';
import { detectionTrial, evaluationsPerDay, steadyRun, summarize, type Detection } from './sim-driver.ts';
import { HEALTHY_LOGIN } from './section-login-detection.ts';
import { duration, int, pct, perDay, prob, table } from './table.ts';

const SHARES = [0.1, 0.5, 0.9];
const LEVELS = [200, 1000, 5000];
const HEALTHY: LoginHealth = { olympus: HEALTHY_LOGIN, auth0: HEALTHY_LOGIN, hang: false };

export function splitSection(ctx: SimContext): void {
  const rule = ruleFor(ctx, 'login_success_rate');
  if (!rule) return;
  const days = ctx.sizes.splitDays;
  const evals = Math.round(days * evaluationsPerDay(ctx.cadence));
  const rows: string[][] = [];
  const facts: { share: number; level: number; compared: number; absolute: number; olympusShort: number; auth0Short: number; app: number; o80: number; o90: number }[] = [];
  for (const share of SHARES) {
    for (const level of LEVELS) {
      const runner = new RuleRunner(rule);
      const { world } = loginWorld(ctx, rule, new Rng(ctx.seed, `split-false|${share}|${level}`), spreadMix(level, share), HEALTHY);
      steadyRun(world, runner, evals, ctx.cadence);
      const both = trials(ctx, rule, share, level, { olympus: 0.8, auth0: 0.8, hang: false }, 'app');
      const o90 = trials(ctx, rule, share, level, { olympus: 0.9, auth0: HEALTHY_LOGIN, hang: false }, 'o90');
      const o80 = trials(ctx, rule, share, level, { olympus: 0.8, auth0: HEALTHY_LOGIN, hang: false }, 'o80');
      facts.push({
        share,
        level,
        compared: runner.compared / runner.evaluations,
        absolute: absolute(runner) / runner.evaluations,
        olympusShort: (runner.inconclusive - runner.auth0Short) / runner.evaluations,
        auth0Short: runner.auth0Short / runner.evaluations,
        app: both.within[0]!,
        o80: o80.within[0]!,
        o90: o90.within[0]!,
      });
      rows.push([
        pct(share),
        int(level),
        modes(runner),
        perDay(runner.fires, days),
        prob(both.within[0]!),
        prob(o90.within[1]!),
        duration(o90.median, DETECTION_HORIZON_S),
        prob(o80.within[1]!),
        duration(o80.median, DETECTION_HORIZON_S),
      ]);
    }
  }
  ctx.out(`### 5. Percentage split: Olympus cohort vs Auth0 cohort (both ${pct(HEALTHY_LOGIN)} before t0; ${days} simulated days / ${int(ctx.sizes.splitTrials)} trials per row)\n`);
  ctx.out(
    table(
      ['Olympus share', 'logins / 5 min (all)', 'evaluations: compared / absolute / Olympus short / Auth0 short', 'healthy: fires/day', 'app outage, both 80%: P(rollback ≤ 30 m)', 'Olympus-only 90%: P(≤ 5 m)', 'median', 'Olympus-only 80%: P(≤ 5 m)', 'median'],
      rows,
    ),
  );
  ctx.out(
    `\nShould be ~0 for the app outage (both cohorts degrade alike) and high for Olympus-only degradation. "Olympus short" / "Auth0 short": that cohort was below min_samples ${rule.minSamples} / min_clients ${rule.minClients}, ` +
      `so the evaluation was inconclusive (no fallback to the absolute ${pct(rule.threshold)} threshold; the streak is held). "absolute" appears only with compare_cohorts off.\n`,
  );
  const compared = facts.filter((f) => f.compared > 0.5);
  const auth0Short = facts.filter((f) => f.auth0Short > 0.5);
  const olympusShort = facts.filter((f) => f.olympusShort > 0.5);
  const absoluteRows = facts.filter((f) => f.absolute > 0.5);
  const where = (fs: typeof facts) => fs.map((f) => `${pct(f.share)} of ${int(f.level)}`).join(', ');
  const worst = (fs: typeof facts, k: 'app' | 'o80' | 'o90', max: boolean) => prob(max ? Math.max(...fs.map((f) => f[k])) : Math.min(...fs.map((f) => f[k])));
  ctx.out(
    `**Reading:** ${compared.length ? `with both cohorts above the minimums an app-wide outage rolled back in at most ${worst(compared, 'app', true)} of trials, and Olympus-only 80% was caught within 30 minutes ${Math.min(...compared.map((f) => f.o80)) === 1 ? 'in every trial' : `in ${worst(compared, 'o80', false)} or more of trials`}` : 'no row had both cohorts above the minimums'}. ` +
      (auth0Short.length
        ? `Where the Auth0 cohort is too small (${where(auth0Short)}) the rule is inconclusive instead of falling back to the absolute threshold, so an app-wide outage ${never(auth0Short, 'app') ? 'never rolled back' : `rolled back in at most ${worst(auth0Short, 'app', true)}`}, ` +
          `but Olympus-only 80% ${never(auth0Short, 'o80') ? 'was never caught either' : `was caught within 30 minutes in at most ${worst(auth0Short, 'o80', true)} of trials`}: that split runs unguarded by this rule. `
        : '') +
      (olympusShort.length
        ? `Where the Olympus cohort is too small (${where(olympusShort)}) every evaluation is inconclusive: Olympus-only 80% ${never(olympusShort, 'o80') ? 'was never caught' : `was caught within 30 minutes in at most ${worst(olympusShort, 'o80', true)} of trials`}. `
        : '') +
      (absoluteRows.length ? `Rows evaluated in absolute mode (${where(absoluteRows)}) roll back on an app outage like any absolute rule (up to ${worst(absoluteRows, 'app', true)}). ` : '') +
      `Olympus-only degradation close to the tolerance (90% vs 97%) is slow unless both cohorts are large.\n`,
  );
}

function never(fs: { app: number; o80: number }[], k: 'app' | 'o80'): boolean {
  return fs.every((f) => f[k] === 0);
}

function absolute(r: RuleRunner): number {
  return r.evaluations - r.compared - r.inconclusive;
}

function modes(r: RuleRunner): string {
  const share = (n: number) => `${Math.round((100 * n) / r.evaluations)}%`;
  return `${share(r.compared)} / ${share(absolute(r))} / ${share(r.inconclusive - r.auth0Short)} / ${share(r.auth0Short)}`;
}

function trials(ctx: SimContext, rule: MetricRule, share: number, level: number, after: LoginHealth, label: string) {
  const rng = new Rng(ctx.seed, `split-${label}|${share}|${level}`);
  const results: Detection[] = [];
  for (let t = 0; t < ctx.sizes.splitTrials; t++) {
    const { world, traffic } = loginWorld(ctx, rule, rng, spreadMix(level, share), HEALTHY);
    results.push(detectionTrial(world, new RuleRunner(rule), () => (traffic.health = { ...after }), DETECTION_HORIZON_S, ctx.cadence));
  }
  return summarize(results, [DETECTION_HORIZON_S, 300]);
}

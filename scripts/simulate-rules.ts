/**
 * npm run simulate: a seeded Monte-Carlo simulation of the rollback rules
 * (the defaults, or --rules FILE), run through the controller's own code:
 * parseRules(), the window semantics of window-aggregation.ts (each client's
 * total capped at max_per_client in its own good/bad ratio, cross-checked
 * against cohortCounts()) and evaluateRule()/nextStreak(). It exists to put numbers on the rule design:
 * false rollbacks per day while healthy, time to detect a real outage,
 * resistance to scripted failures, and the percentage-split comparison.
 * Prints markdown tables, the seed and the command that reproduces them.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_RULES_YAML, parseRules } from '../src/rollback/rules.ts';
import { parseArgs, USAGE, type Section } from './simulate/cli-args.ts';
import { describeRule, type SimContext } from './simulate/scenario.ts';
import { evalEveryBuckets } from './simulate/sim-driver.ts';
import { crossChecks } from './simulate/capped-window.ts';
import { int } from './simulate/table.ts';
import { loginFalseTriggers } from './simulate/section-login-false-triggers.ts';
import { sequentialSection } from './simulate/section-sequential.ts';
import { loginDetection } from './simulate/section-login-detection.ts';
import { apiSection } from './simulate/section-api.ts';
import { ticketSection } from './simulate/section-tickets.ts';
import { attackSection } from './simulate/section-attack.ts';
import { splitSection } from './simulate/section-split.ts';

const RUN: Record<Section, (ctx: SimContext) => void> = {
  sequential: sequentialSection,
  logins: loginFalseTriggers,
  detection: loginDetection,
  api: apiSection,
  tickets: ticketSection,
  attack: attackSection,
  split: splitSection,
};

function main(): void {
  const started = performance.now();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    console.error(text);
    process.exit(text === USAGE ? 0 : 2);
  }
  let rules;
  try {
    rules = parseRules(opts.rulesFile ? readFileSync(opts.rulesFile, 'utf8') : DEFAULT_RULES_YAML);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  }
  const cadence = { evalEvery: evalEveryBuckets(rules.evaluateEverySeconds), checkEvery: opts.checkEvery };
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const ctx: SimContext = { seed: opts.seed, rules, cadence, sizes: opts.sizes, out };
  const argv = opts.argv.includes('--seed') ? opts.argv : ['--seed', String(opts.seed), ...opts.argv];

  out(`## Rollback rules simulation\n`);
  out(`Command: \`npm run simulate -- ${argv.join(' ')}\`  `);
  out(`Seed: ${opts.seed} · rules: ${opts.rulesFile ?? 'defaults (DEFAULT_RULES_YAML)'} · evaluation every ${rules.evaluateEverySeconds} s over sliding windows of 10 s buckets\n`);
  for (const r of rules.rules) out(`- ${describeRule(ctx, r)}`);
  out('');
  for (const s of opts.sections) {
    const t = performance.now();
    RUN[s](ctx);
    out(`_(${s}: ${((performance.now() - t) / 1000).toFixed(1)} s)_\n`);
  }
  const checked = crossChecks.count
    ? `Capped window counts cross-checked against the controller's cohortCounts() ${int(crossChecks.count)} times (every ${opts.checkEvery} evaluations); all matched (largest relative difference ${crossChecks.maxRelError.toExponential(1)}, from summing fractional counts in another order).`
    : 'No cross-check against cohortCounts() ran (too few evaluations or --check-every 0).';
  out(`Elapsed: ${((performance.now() - started) / 1000).toFixed(1)} s. ${checked}`);
}

main();

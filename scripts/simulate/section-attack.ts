/**
 * Section 4: scripted failures. One client failing logins at a high rate on
 * top of healthy traffic (per-client cap and min_clients should make it
 * harmless), then the residual risk: how many distinct attacking clients,
 * each exactly at the cap, it takes to force a rollback, found by search with
 * the real evaluator (on expected counts, and by Monte Carlo).
 *
 * The cap is on each client's total, and `failed` and `abandoned` are both
 * bad outcomes: a client that also opens /login without finishing weighs no
 * more than one that only fails callbacks (max_per_client bad samples).
 */
import { evaluateRule } from '../../src/rollback/rule-evaluator.ts';
import type { MetricRule } from '../../src/rollback/rules.ts';
import { Rng } from './prng.ts';
import { RuleRunner } from './rule-runner.ts';
import type { LoginAttack } from './login-traffic.ts';
import { LOGIN_LEVELS, loginWorld, ruleFor, spreadMix, type SimContext } from './scenario.ts';
import { detectionTrial, evaluationsPerDay, steadyRun } from './sim-driver.ts';
import { HEALTHY_LOGIN } from './section-login-detection.ts';
import { int, pct, perDay, plural, prob, table } from './table.ts';

/** A scripted client: 10 attempts per second of each kind it uses. */
const RATE_PER_BUCKET = 100;
const HORIZON_S = 600;

interface Variant {
  label: string;
  failed: boolean;
  abandoned: boolean;
}

const VARIANTS: Variant[] = [
  { label: 'failed callbacks', failed: true, abandoned: false },
  { label: 'failed + abandoned', failed: true, abandoned: true },
];

function attackOf(v: Variant, clients: number): LoginAttack {
  return { clients, failedPerBucket: v.failed ? RATE_PER_BUCKET : 0, abandonedPerBucket: v.abandoned ? RATE_PER_BUCKET : 0 };
}

export function attackSection(ctx: SimContext): void {
  const rule = ruleFor(ctx, 'login_success_rate');
  if (!rule) return;
  const one = singleClient(ctx, rule);
  const ips = residual(ctx, rule);
  const lo = LOGIN_LEVELS[0]!;
  const hi = LOGIN_LEVELS[LOGIN_LEVELS.length - 1]!;
  const [f, fa] = VARIANTS.map((v) => v.label);
  const k = ips.get(hi);
  const kLo = ips.get(lo);
  ctx.out(
    `**Reading:** one scripted client weighs at most ${plural(rule.maxPerClient, 'bad sample')} whatever it sends, so abandoning logins as well adds nothing: ` +
      `at ${int(lo)} logins per 5 min it still rolled back ${one.get(`${lo}|${f}`)}/day (failed callbacks) and ${one.get(`${lo}|${fa}`)}/day (failed + abandoned), at ${int(hi)} logins ${one.get(`${hi}|${fa}`)}/day. ` +
      `The cap bounds each client (an IPv4 address or an IPv6 /64), not the number of clients: ` +
      `${kLo ? `a rollback at ${int(lo)} logins takes ${kLo.ips} clients (${kLo.failures} counted failures per 5 min, ${pct(kLo.failures / lo)} of the login volume)` : `at ${int(lo)} logins no number of clients searched forced a rollback`}` +
      `${k ? `, at ${int(hi)} logins ${k.ips} clients (${k.failures}, ${pct(k.failures / hi)}).` : '.'} ` +
      `Each counted failure is one login transaction of its own (a replayed one is refused and not counted), well within the per-client limits of 30 /login and 30 /callback a minute.\n`,
  );
}

function singleClient(ctx: SimContext, rule: MetricRule): Map<string, string> {
  const got = new Map<string, string>();
  const days = ctx.sizes.attackDays;
  const evals = Math.round(days * evaluationsPerDay(ctx.cadence));
  const rows: string[][] = [];
  for (const level of LOGIN_LEVELS) {
    for (const v of VARIANTS) {
      const rng = new Rng(ctx.seed, `attack-one|${level}|${v.label}`);
      const { world } = loginWorld(ctx, rule, rng, spreadMix(level), { olympus: HEALTHY_LOGIN, auth0: HEALTHY_LOGIN, hang: false }, attackOf(v, 1));
      const runner = new RuleRunner(rule);
      steadyRun(world, runner, evals, ctx.cadence);
      rows.push([int(level), v.label, prob(runner.naiveFires / runner.evaluations), prob(runner.breaches / runner.evaluations, runner.evaluations), perDay(runner.fires, days)]);
      got.set(`${level}|${v.label}`, perDay(runner.fires, days));
    }
  }
  ctx.out(`### 4a. One client scripting failures (10/s of each kind) on healthy ${HEALTHY_LOGIN * 100}% traffic (${days} simulated days per row)\n`);
  ctx.out(table(['logins / 5 min', 'attacker sends', 'naive: P(window < 95%)', 'ours: P(breach verdict)', 'ours: fires/day'], rows));
  ctx.out(
    `\nThe attacker's ~${int(RATE_PER_BUCKET * 30)} events per window of each kind count as ${plural(rule.maxPerClient, 'bad sample')} in all after the per-client cap: ` +
      `"abandoned" (GET /login, never come back) and "failed" share the client's one cap (the previous per-outcome cap let one client weigh ${2 * rule.maxPerClient}).\n`,
  );
  return got;
}

/** Smallest k in [0, max] with ok(k), assuming ok is monotone; undefined if none. */
function smallest(ok: (k: number) => boolean, max: number): number | undefined {
  if (ok(0)) return 0;
  let hi = 1;
  while (!ok(hi)) {
    if (hi >= max) return undefined;
    hi = Math.min(max, hi * 2);
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

function expectedBreach(rule: MetricRule, level: number, perAttacker: number, k: number): boolean {
  const pool = spreadMix(level).poolClients;
  const clients = pool * (1 - Math.exp(-level / pool));
  const olympus = { good: HEALTHY_LOGIN * level, bad: (1 - HEALTHY_LOGIN) * level + k * perAttacker, clients: clients + k };
  return evaluateRule(rule, { olympus, auth0: { good: 0, bad: 0, clients: 0 }, tickets: 0 }, false).verdict === 'breach';
}

/** Every client weighs the cap whatever mix it sends, so the search runs for the failed + abandoned attacker only. */
function residual(ctx: SimContext, rule: MetricRule): Map<number, { ips: number; failures: number }> {
  const got = new Map<number, { ips: number; failures: number }>();
  const trials = ctx.sizes.attackTrials;
  const rows: string[][] = [];
  const v = VARIANTS[VARIANTS.length - 1]!;
  const perAttacker = rule.maxPerClient;
  for (const level of LOGIN_LEVELS) {
    const kExpected = smallest((k) => expectedBreach(rule, level, perAttacker, k), 100_000);
    const memo = new Map<number, number>();
    const pFire = (k: number): number => {
      let p = memo.get(k);
      if (p === undefined) {
        const rng = new Rng(ctx.seed, `attack-k|${level}|${v.label}|${k}`);
        let fired = 0;
        for (let t = 0; t < trials; t++) {
          const { world } = loginWorld(ctx, rule, rng, spreadMix(level), { olympus: HEALTHY_LOGIN, auth0: HEALTHY_LOGIN, hang: false }, attackOf(v, k));
          if (detectionTrial(world, new RuleRunner(rule), () => {}, HORIZON_S, ctx.cadence).ours !== null) fired++;
        }
        p = fired / trials;
        memo.set(k, p);
      }
      return p;
    };
    const k50 = smallest((k) => pFire(k) >= 0.5, 100_000);
    const k95 = smallest((k) => pFire(k) >= 0.95, 100_000);
    const show = (k: number | undefined) => (k === undefined ? 'none' : String(k));
    const load = k95 === undefined ? '-' : `${int(k95 * perAttacker)} failures / 5 min (${int(k95)} clients × ${perAttacker})`;
    if (k95 !== undefined) got.set(level, { ips: k95, failures: k95 * perAttacker });
    rows.push([int(level), `${v.label} (weighs ${perAttacker})`, show(kExpected), show(k50), show(k95), prob(pFire(0)), load]);
  }
  ctx.out(`### 4b. Residual risk: distinct attacking clients (IPv4 addresses or IPv6 /64s), each at the cap, needed for a rollback\n`);
  ctx.out(table(['logins / 5 min', 'each client sends', 'clients: expected window breaches', 'clients: P(rollback ≤ 10 m) ≥ 50%', 'clients: ≥ 95%', 'P(rollback ≤ 10 m) with 0 clients', 'attack size at 95%'], rows));
  ctx.out(
    `\nSearch over the number of attacking clients with the real evaluateRule(): on expected counts (healthy ${HEALTHY_LOGIN * 100}% traffic plus k × ${perAttacker} failures), and by Monte Carlo (${int(trials)} trials per k, ` +
      `attack already in the window, rollback within ${HORIZON_S / 60} minutes). Only one attacker row per level: with the cap on each client's total, a client sending failed callbacks only weighs the same ${perAttacker}. ` +
      `A client is what the gateway keys on (src/telemetry/client-key.ts): an IPv4 address, or an IPv6 network of CLIENT_IPV6_PREFIX bits (default 64), so the addresses of one /64 are one client.\n`,
  );
  return got;
}

/**
 * Section 3c: the support-ticket rule. Tickets are Poisson; the controller
 * sums them over the rule's window and fires when the Poisson lower bound,
 * scaled to an hour, exceeds the threshold. Healthy 20/h for false triggers;
 * incidents at 60, 80 and 120/h for detection (t0 with a full healthy window).
 */
import { metric } from '../../src/rollback/metrics/registry.ts';
import type { MetricRule } from '../../src/rollback/rules.ts';
import { Rng } from './prng.ts';
import { RuleRunner } from './rule-runner.ts';
import { ruleFor, type SimContext } from './scenario.ts';
import { evaluationsPerDay, summarize, windowBuckets, type Cadence, type Detection } from './sim-driver.ts';
import { duration, int, perDay, prob, table } from './table.ts';

const HEALTHY_PER_HOUR = 20;
const INCIDENTS_PER_HOUR = [60, 80, 120];
const HORIZON_S = 3 * 3600;
const MARKS_S = [300, 600, 1800, 3600];
const EMPTY = { good: 0, bad: 0, clients: 0 };

/** A sliding sum of Poisson ticket counts per 10 s bucket. */
class TicketWindow {
  private readonly ring: Int32Array;
  private head = 0;
  sum = 0;
  perHour: number;

  constructor(
    buckets: number,
    perHour: number,
    private readonly rng: Rng,
  ) {
    this.ring = new Int32Array(buckets);
    this.perHour = perHour;
  }

  advance(n: number): void {
    for (let i = 0; i < n; i++) {
      this.head = (this.head + 1) % this.ring.length;
      this.sum -= this.ring[this.head]!;
      const k = this.rng.poisson(this.perHour / 360);
      this.ring[this.head] = k;
      this.sum += k;
    }
  }

  step(runner: RuleRunner, elapsedMs: number) {
    const observed = metric(runner.rule.metric).observed(0, this.sum, runner.rule.windowSeconds);
    return runner.step({ olympus: EMPTY, auth0: EMPTY, tickets: this.sum }, false, observed, elapsedMs);
  }
}

export function ticketSection(ctx: SimContext): void {
  const rule = ruleFor(ctx, 'support_tickets_per_hour');
  if (!rule) return ctx.out('_No support_tickets_per_hour rule in these rules: section skipped._\n');
  const c = ctx.cadence;
  const days = ctx.sizes.ticketDays;
  const evals = Math.round(days * evaluationsPerDay(c));
  const healthy = new RuleRunner(rule);
  const w = new TicketWindow(windowBuckets(rule.windowSeconds), HEALTHY_PER_HOUR, new Rng(ctx.seed, 'tickets-false'));
  w.advance(windowBuckets(rule.windowSeconds));
  for (let e = 0; e < evals; e++) {
    w.advance(c.evalEvery);
    w.step(healthy, c.evalEvery * 10_000);
  }
  ctx.out(`### 3c. Support tickets per hour (healthy ${HEALTHY_PER_HOUR}/h)\n`);
  ctx.out(
    table(
      ['true tickets/h', 'simulated', `naive: P(window > ${rule.threshold}/h)`, 'naive: fires/day', 'ours: P(breach verdict)', 'ours: fires/day'],
      [[String(HEALTHY_PER_HOUR), `${int(days)} days`, prob(healthy.naiveFires / evals), perDay(healthy.naiveFires, days), prob(healthy.breaches / evals, evals), perDay(healthy.fires, days)]],
    ),
  );
  const summaries = INCIDENTS_PER_HOUR.map((rate) => detectionRow(ctx, rule, c, rate));
  const rows = summaries.map((x) => x.row);
  ctx.out('');
  ctx.out(table(['incident tickets/h (from t0)', 'P(fire ≤ 5 m)', 'P(≤ 10 m)', 'P(≤ 30 m)', 'P(≤ 60 m)', 'median time to fire', 'naive: median'], rows));
  ctx.out(
    `\n${int(ctx.sizes.ticketTrials)} trials per incident row. The window is ${rule.windowSeconds / 60} minutes, so an incident shows up in the count gradually; ` +
      `the Poisson lower bound needs the count well above ${rule.threshold}/h, and a rate just above it may never fire.\n`,
  );
  const big = summaries[summaries.length - 1]!;
  ctx.out(
    `**Reading:** ${healthy.fires === 0 ? `no false trigger in ${int(days)} days` : `${perDay(healthy.fires, days)} false triggers a day`} at ${HEALTHY_PER_HOUR}/h. ` +
      `With a ${rule.windowSeconds / 60}-minute window, ${big.rate}/h (${big.rate / HEALTHY_PER_HOUR}× normal) takes a median ${big.median}, and ${summaries[0]!.rate}/h ` +
      `(above the threshold) fires within an hour only ${summaries[0]!.in60} of the time.\n`,
  );
}

function detectionRow(ctx: SimContext, rule: MetricRule, c: Cadence, rate: number) {
  const rng = new Rng(ctx.seed, `tickets-detect|${rate}`);
  const results: Detection[] = [];
  const buckets = windowBuckets(rule.windowSeconds);
  for (let t = 0; t < ctx.sizes.ticketTrials; t++) {
    const w = new TicketWindow(buckets, HEALTHY_PER_HOUR, rng);
    w.advance(buckets);
    w.perHour = rate;
    const runner = new RuleRunner(rule);
    const d: Detection = { ours: null, naive: null };
    const step = c.evalEvery * 10;
    for (let s = step; s <= HORIZON_S && (d.ours === null || d.naive === null); s += step) {
      w.advance(c.evalEvery);
      const r = w.step(runner, step * 1000);
      if (r.fired && d.ours === null) d.ours = s;
      if (r.naiveFired && d.naive === null) d.naive = s;
    }
    results.push(d);
  }
  const s = summarize(results, MARKS_S);
  const median = duration(s.median, HORIZON_S);
  return { rate, median, in60: prob(s.within[3]!), row: [String(rate), ...s.within.map((p) => prob(p)), median, duration(s.naiveMedian, HORIZON_S)] };
}

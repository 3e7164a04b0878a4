/**
 * What every section of the simulation shares: the options, the rules in
 * force, the cadence, and factories for login and API worlds wired to the
 * controller's real window size, caps and outcome names.
 */
import { metric } from '../../src/rollback/metrics/registry.ts';
import type { Metric, MetricRule, RulesConfig } from '../../src/rollback/rules.ts';
import { ApiTraffic, API_OUTCOMES, type ApiMix } from './api-traffic.ts';
import { CappedWindow } from './capped-window.ts';
import { LoginTraffic, LOGIN_OUTCOMES, NO_ATTACK, type LoginAttack, type LoginHealth, type LoginMix } from './login-traffic.ts';
import type { Rng } from './prng.ts';
import { windowBuckets, type Cadence, type World } from './sim-driver.ts';

export interface Sizes {
  /** Simulated days per row of the login false-trigger table. */
  days: number;
  /** Trials per row of the login detection table. */
  trials: number;
  apiDays: number;
  apiTrials: number;
  ticketDays: number;
  ticketTrials: number;
  attackDays: number;
  attackTrials: number;
  splitDays: number;
  splitTrials: number;
}

export interface SimContext {
  seed: number;
  rules: RulesConfig;
  cadence: Cadence;
  sizes: Sizes;
  out: (text: string) => void;
}

export const LOGIN_LEVELS = [50, 200, 1000];
/** Distinct clients in the pool per login of a window: logins rarely share an IP. */
export const POOL_PER_LOGIN = 20;
export const DETECTION_HORIZON_S = 1800;
export const DETECTION_MARKS_S = [60, 120, 300, 600];

export function ruleFor(ctx: SimContext, metric: Metric): MetricRule | undefined {
  return ctx.rules.rules.find((r) => r.metric === metric);
}

export function describeRule(ctx: SimContext, r: MetricRule): string {
  const common = `window ${r.windowSeconds} s, confidence ${r.confidence}, consecutive ${r.consecutive}, evaluated every ${ctx.rules.evaluateEverySeconds} s`;
  if (metric(r.metric).unit === 'per_hour') return `\`${r.id}\`: ${common} (Poisson lower bound)`;
  return `\`${r.id}\`: ${common}, min_samples ${r.minSamples}, min_clients ${r.minClients}, max_per_client ${r.maxPerClient} per client (total, in its own good/bad ratio), compare_cohorts ${r.compareCohorts} (tolerance ${r.tolerance})`;
}

export function spreadMix(loginsPerWindow: number, olympusShare = 1): LoginMix {
  return { loginsPerWindow, poolClients: Math.max(500, POOL_PER_LOGIN * loginsPerWindow), natShare: 0, natClients: 0, olympusShare };
}

/** Most users behind a few shared egress IPs (offices, a B2B customer's NAT). */
export const B2B_LABEL = 'B2B: 90% via 10 IPs';
export function b2bMix(loginsPerWindow: number): LoginMix {
  return { ...spreadMix(loginsPerWindow), natShare: 0.9, natClients: 10 };
}

export function loginWorld(ctx: SimContext, rule: MetricRule, rng: Rng, mix: LoginMix, health: LoginHealth, attack: LoginAttack = NO_ATTACK, aggregation: World['aggregation'] = 'controller') {
  const abandonDelay = Math.round(ctx.rules.abandonAfterSeconds / 10) + 1;
  const traffic = new LoginTraffic(mix, attack, { ...health }, rng, abandonDelay);
  const win = new CappedWindow(windowBuckets(rule.windowSeconds), traffic.clients, LOGIN_OUTCOMES, rule.maxPerClient);
  const world: World = { win, emit: () => traffic.emit(win), split: mix.olympusShare < 1, aggregation };
  return { world, traffic };
}

export function apiWorld(rule: MetricRule, rng: Rng, mix: ApiMix, errorRate: number, aggregation: World['aggregation'] = 'controller') {
  const traffic = new ApiTraffic(mix, errorRate, rng);
  const win = new CappedWindow(windowBuckets(rule.windowSeconds), traffic.clients, API_OUTCOMES, rule.maxPerClient);
  const world: World = { win, emit: () => traffic.emit(win), split: false, aggregation };
  return { world, traffic };
}

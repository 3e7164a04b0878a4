/**
 * Rollback rules as configuration: the plan's own YAML works as written,
 *
 *   rollback_if:
 *     - login_success_rate < 95%
 *     - api_error_rate > 5%
 *     - support_tickets_per_hour > 50
 *     - manual_decision_by: [oncall, eng-lead]
 *
 * and each rule can be refined with its window, minimum sample, minimum
 * distinct clients, consecutive breaching evaluations, confidence and
 * per-client cap (`- rule: "login_success_rate < 95%"` plus those keys).
 * Parsing is strict: an unknown key or a bad value is an error naming it.
 */
import { SwitchbackError } from '../core/errors.ts';
import { parseRulesYaml } from './rules-yaml.ts';
import type { AdminRole } from '../admin/admin-role.ts';
import { METRIC_IDS, METRICS, isMetricId, type MetricId } from './metrics/registry.ts';
import type { MetricDefaults } from './metrics/metric-definition.ts';

/** A metric a rule can watch: one definition each in metrics/ (metrics/registry.ts). */
export type Metric = MetricId;

export interface MetricRule {
  /** Stable id, also the label in metrics and notifications, e.g. "login_success_rate < 95%". */
  id: string;
  metric: Metric;
  op: '<' | '>';
  /** A fraction for rates (0.95), a count per hour for tickets. */
  threshold: number;
  windowSeconds: number;
  /** Fewer samples (after per-client caps) than this: inconclusive, never a breach. */
  minSamples: number;
  /** Fewer distinct clients than this: inconclusive. */
  minClients: number;
  /** Breaching evaluations in a row before the rule fires. */
  consecutive: number;
  /** Confidence of the interval whose bound must cross the threshold. */
  confidence: number;
  /** A client weighs at most this many samples in a window (its total, in its own good/bad ratio). */
  maxPerClient: number;
  /** While a percentage split runs, compare Olympus with the Auth0 cohort instead of the threshold. */
  compareCohorts: boolean;
  /** With compareCohorts: how much worse than Auth0 Olympus may be (a fraction). */
  tolerance: number;
  /**
   * The sequential detector's error budget (rate metrics with a detector):
   * false rollbacks allowed per 30 days of traffic sitting exactly at the
   * threshold (a healthy rate better than the threshold gives far fewer).
   */
  falseRollbacksPer30d: number;
}

export interface RulesConfig {
  dryRun: boolean;
  evaluateEverySeconds: number;
  abandonAfterSeconds: number;
  rules: MetricRule[];
  manualRoles: AdminRole[];
}

export class RulesError extends SwitchbackError {
  readonly code = 'ERR_RULES';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`ROLLBACK_RULES ${path}: ${problem}`);
  }
}

export const DEFAULT_RULES_YAML = `rollback_if:
  - login_success_rate < 95%
  - api_error_rate > 5%
  - support_tickets_per_hour > 50
  - manual_decision_by: [oncall, eng-lead]
`;

/** `<metric> <op> <number>[%]`, the metric names taken from the registry. */
const SHORTHAND = new RegExp(`^\\s*(${METRIC_IDS.join('|')})\\s*(<|>)\\s*(\\d+(?:\\.\\d+)?)\\s*(%?)\\s*$`);

const EXAMPLES = METRIC_IDS.map((id) => JSON.stringify(METRICS[id].example)).join(', ');

export function parseDuration(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string') {
    const m = /^(\d+)\s*(s|m|h)$/.exec(value.trim());
    if (m) return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  }
  throw new RulesError(path, 'must be a duration like "30s", "5m", "1h" or a number of seconds');
}

function fraction(value: unknown, path: string): number {
  if (typeof value === 'number' && value >= 0 && value <= 1) return value;
  if (typeof value === 'string') {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
    if (m && Number(m[1]) <= 100) return Number(m[1]) / 100;
  }
  throw new RulesError(path, 'must be a percentage like "2%" or a fraction between 0 and 1');
}

function whole(value: unknown, path: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new RulesError(path, `must be a whole number from ${min} to ${max}`);
}

function shorthand(text: string, path: string): Pick<MetricRule, 'id' | 'metric' | 'op' | 'threshold'> {
  const m = SHORTHAND.exec(text);
  if (!m || !isMetricId(m[1]!)) throw new RulesError(path, `cannot read ${JSON.stringify(text)}: expected e.g. ${EXAMPLES}`);
  const metric = m[1];
  const def = METRICS[metric];
  const op = m[2] as '<' | '>';
  const n = Number(m[3]);
  const isRate = def.unit === 'percent';
  if (isRate && m[4] !== '%') throw new RulesError(path, `${metric} takes a percentage, e.g. "5%"`);
  if (isRate && n > 100) throw new RulesError(path, 'a percentage cannot exceed 100%');
  if (!isRate && m[4] === '%') throw new RulesError(path, `${metric} takes a count, not a percentage`);
  if (op !== def.op) throw new RulesError(path, `${metric} rules use "${def.op}" (roll back when it ${def.op === '<' ? 'drops' : 'rises'})`);
  return { id: `${metric} ${op} ${m[3]}${m[4]}`, metric, op, threshold: isRate ? n / 100 : n };
}

const RULE_KEYS = new Set(['rule', 'window', 'min_samples', 'min_clients', 'consecutive', 'confidence', 'max_per_client', 'compare_cohorts', 'tolerance', 'false_rollbacks_per_30d']);

/** The budget when neither the rule nor its metric sets one: the target, stated at the threshold itself. */
export const DEFAULT_FALSE_ROLLBACKS_PER_30D = 1;

function budget(value: unknown, path: string): number {
  if (typeof value === 'number' && value > 0 && value <= 1000) return value;
  throw new RulesError(path, 'must be a number of false rollbacks per 30 days, more than 0 and at most 1000, e.g. 0.5');
}

function metricRule(entry: unknown, path: string): MetricRule {
  if (typeof entry === 'string') {
    const head = shorthand(entry, path);
    const d: MetricDefaults = METRICS[head.metric].defaults;
    return { ...head, ...d, falseRollbacksPer30d: d.falseRollbacksPer30d ?? DEFAULT_FALSE_ROLLBACKS_PER_30D };
  }
  const o = entry as Record<string, unknown>;
  if (typeof o.rule !== 'string') throw new RulesError(path, 'needs "rule", e.g. rule: "login_success_rate < 95%"');
  for (const k of Object.keys(o)) if (!RULE_KEYS.has(k)) throw new RulesError(`${path}.${k}`, `unknown key (known: ${[...RULE_KEYS].join(', ')})`);
  const head = shorthand(o.rule, `${path}.rule`);
  const d: MetricDefaults = METRICS[head.metric].defaults;
  const r: MetricRule = {
    ...head,
    windowSeconds: o.window === undefined ? d.windowSeconds : parseDuration(o.window, `${path}.window`),
    minSamples: o.min_samples === undefined ? d.minSamples : whole(o.min_samples, `${path}.min_samples`, 0, 1_000_000),
    minClients: o.min_clients === undefined ? d.minClients : whole(o.min_clients, `${path}.min_clients`, 0, 1_000_000),
    consecutive: o.consecutive === undefined ? d.consecutive : whole(o.consecutive, `${path}.consecutive`, 1, 100),
    confidence: d.confidence,
    maxPerClient: o.max_per_client === undefined ? d.maxPerClient : whole(o.max_per_client, `${path}.max_per_client`, 1, 1_000_000),
    compareCohorts: d.compareCohorts,
    tolerance: o.tolerance === undefined ? d.tolerance : fraction(o.tolerance, `${path}.tolerance`),
    falseRollbacksPer30d: o.false_rollbacks_per_30d === undefined ? (d.falseRollbacksPer30d ?? DEFAULT_FALSE_ROLLBACKS_PER_30D) : budget(o.false_rollbacks_per_30d, `${path}.false_rollbacks_per_30d`),
  };
  if (o.confidence !== undefined) {
    const c = o.confidence;
    if (typeof c !== 'number' || !(c >= 0.5 && c < 1)) throw new RulesError(`${path}.confidence`, 'must be a number in [0.5, 1), e.g. 0.99');
    r.confidence = c;
  }
  if (o.compare_cohorts !== undefined) {
    if (typeof o.compare_cohorts !== 'boolean') throw new RulesError(`${path}.compare_cohorts`, 'must be true or false');
    r.compareCohorts = o.compare_cohorts;
  }
  if (r.windowSeconds > 86400) throw new RulesError(`${path}.window`, 'must be at most 24h');
  return r;
}

const TOP_KEYS = new Set(['rollback_if', 'dry_run', 'evaluate_every', 'abandon_after']);
const ROLES: AdminRole[] = ['viewer', 'oncall', 'eng-lead'];

/** Parses YAML or JSON rules text. Throws RulesError naming the first bad entry. */
export function parseRules(text: string): RulesConfig {
  const parsed = parseRulesYaml(text);
  if (!parsed.ok) throw new RulesError('(document)', `is not valid YAML or JSON: ${parsed.problem}`);
  const doc = parsed.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new RulesError('(document)', 'must be a mapping with "rollback_if"');
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!TOP_KEYS.has(k)) throw new RulesError(k, `unknown key (known: ${[...TOP_KEYS].join(', ')})`);
  if (!Array.isArray(top.rollback_if)) throw new RulesError('rollback_if', 'must be a list of rules');
  const rules: MetricRule[] = [];
  let manualRoles: AdminRole[] = [];
  top.rollback_if.forEach((entry, i) => {
    const path = `rollback_if[${i}]`;
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && 'manual_decision_by' in entry) {
      const roles = (entry as Record<string, unknown>).manual_decision_by;
      if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => ROLES.includes(r as AdminRole))) {
        throw new RulesError(`${path}.manual_decision_by`, 'must list roles among viewer, oncall, eng-lead');
      }
      manualRoles = roles as AdminRole[];
      return;
    }
    if (typeof entry !== 'string' && (typeof entry !== 'object' || entry === null || Array.isArray(entry))) throw new RulesError(path, 'must be a rule string or a mapping');
    rules.push(metricRule(entry, path));
  });
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw new RulesError('rollback_if', `rule "${r.id}" appears twice`);
    ids.add(r.id);
  }
  if (top.dry_run !== undefined && typeof top.dry_run !== 'boolean') throw new RulesError('dry_run', 'must be true or false');
  return {
    dryRun: top.dry_run === true,
    evaluateEverySeconds: top.evaluate_every === undefined ? 10 : parseDuration(top.evaluate_every, 'evaluate_every'),
    // 5 min: logins that hang count as abandoned only after this, so it bounds how fast a hang is seen.
    abandonAfterSeconds: top.abandon_after === undefined ? 300 : parseDuration(top.abandon_after, 'abandon_after'),
    rules,
    manualRoles,
  };
}

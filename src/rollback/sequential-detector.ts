/**
 * The controller's sequential detector: feeds every observation of a batch
 * to the charts of the rules that watch it (detector-bank.ts), through the
 * per-client limits (detector-feed.ts), and learns the callback horizon.
 *
 * Observations (Olympus only: there is nothing else to roll back). Each
 * login is one observation in each family:
 * - `overdue`: a login of a known client back by its horizon H is good; not
 *   back by H, bad (swept on every batch and alarm, long before abandon_after);
 * - `outcome`: its callback (failed = bad), whenever it comes, or its
 *   abandonment at abandon_after (bad), as the success rate counts it;
 * - an API call: `outcome` (error = bad), n at a time.
 * Nothing is fed while Olympus is off: the charts stay at 0.
 *
 * During a percentage split, a rule with compare_cohorts is decided by the
 * cohort comparison instead (split-comparison.ts): every failed outcome of
 * either cohort (an Olympus login or API call, or a legacy one) is one
 * observation of its charts, through the same per-client limits (key
 * `<rule>|cohort`); successes carry no evidence there. The rule's own charts
 * keep being fed from the Olympus cohort, as before.
 *
 * State in `meta` (docs/storage.md): `detectors` (the charts, `cohort` among
 * them during a split), `cohort_windows` (the split's null), `callback_horizon`
 * (per provider), `detector_window_samples` (for h and the attack floor),
 * `overdue_swept_until` (per provider).
 */
import type { ControllerStore } from './controller-store.ts';
import type { DetectorFeed } from './detector-feed.ts';
import type { MetaKeys } from './meta-keys.ts';
import { metric } from './metrics/registry.ts';
import type { RuleBook } from './rule-book.ts';
import type { MetricRule } from './rules.ts';
import type { BankReading } from './sequential/bernoulli-cusum.ts';
import { calibrate, fitState, observations30d, observe, read, type Calibration, type DetectorState, type Family } from './sequential/detector-bank.ts';
import { emptyHorizon, horizonSeconds, learnArrival, learnSuccess, overdueNull, type HorizonState } from './sequential/callback-horizon.ts';
import { bucketOf, windowStartBucket } from './window-aggregation.ts';
import { observeFailure, type CohortCalibration } from './sequential/cohort-comparison.ts';
import { cohortFigures, failures30d, fitCohortState, readCohorts, splitCalibration, type CohortFigures, type CohortWindow } from './split-comparison.ts';

/** What /status and /metrics show of a rule's detector. */
export interface DetectorView {
  /** Largest S/h over the charts: 1 or more is enough evidence to roll back. */
  ratio: number;
  /** `cohort`: the split comparison's chart (p1: the share of failures that are Olympus ones under its alternative). */
  leading: { family: Family | 'cohort'; p1: number; s: number; h: number };
  /** Null probability of a bad outcome (from the threshold); during a split, q0: of a failure being an Olympus one. */
  p0: number;
  /** Null probability of a login not back by the horizon (learnt), null without the overdue family. */
  overdue_null: number | null;
  /** The learnt horizon H (seconds), null without the overdue family. */
  horizon_seconds: number | null;
  /** The budget's threshold before the attack floor. */
  h_budget: number;
  /** Bad observations fewer than which cannot reach a threshold in a burst. */
  attack_floor: number;
  false_rollbacks_per_30d: number;
  /** Observations in 30 days for the budget (during a split: failures of both cohorts). */
  observations_30d: number;
  /** The split comparison's null while it decides the rule, else null. */
  cohort: CohortFigures | null;
}

const OLYMPUS = 'olympus';
/** The legacy cohort's provider id in the counts (window-aggregation.ts, proportion-statistic.ts). */
const LEGACY = 'auth0';

function p0Of(rule: MetricRule): number {
  return rule.op === '<' ? 1 - rule.threshold : rule.threshold;
}

export class SequentialDetector {
  constructor(
    private readonly store: ControllerStore,
    private readonly feed: DetectorFeed,
    private readonly ruleBook: RuleBook,
    private readonly counting: () => boolean,
    /** The Olympus percent while a percentage split runs (strictly between 0 and 100), else undefined. */
    private readonly splitPercent: () => number | undefined = () => undefined,
  ) {}

  /** True when the split comparison decides this rule now. */
  comparing(rule: MetricRule): boolean {
    return rule.compareCohorts && this.splitPercent() !== undefined;
  }

  badPerClient(rule: MetricRule): number {
    return metric(rule.metric).detector!.badPerClient === 'one' ? 1 : rule.maxPerClient;
  }

  /** The split comparison's calibration for a rule, from its last noted window. */
  cohortCalibration(rule: MetricRule, windows = this.store.get('cohort_windows') ?? {}): CohortCalibration {
    return splitCalibration(rule, windows[rule.id], this.splitPercent() ?? 50, this.badPerClient(rule));
  }

  /** Rules decided by the detector (rate metrics with a detector). */
  rules(): MetricRule[] {
    return this.ruleBook.rules().rules.filter((r) => metric(r.metric).detector !== undefined);
  }

  horizons(): Record<string, HorizonState> {
    return this.store.get('callback_horizon') ?? {};
  }

  horizonMs(provider: string, horizons = this.horizons()): number {
    return horizonSeconds(horizons[provider], horizons[provider === OLYMPUS ? 'auth0' : OLYMPUS]) * 1000;
  }

  calibration(rule: MetricRule, horizons = this.horizons(), samples = this.store.get('detector_window_samples') ?? {}): Calibration {
    const def = metric(rule.metric).detector!;
    const windowSamples = samples[rule.id] ?? 0;
    return calibrate({
      p0: p0Of(rule),
      o0: def.overdue ? overdueNull(horizons[OLYMPUS], horizons.auth0) : undefined,
      budget: rule.falseRollbacksPer30d,
      observations30d: observations30d(windowSamples, rule.minSamples, rule.windowSeconds),
      windowSamples,
      badPerClient: def.badPerClient === 'one' ? 1 : rule.maxPerClient,
    });
  }

  /** A batch's worth of observations; commit() writes them. */
  session(now: number): DetectorSession {
    return new DetectorSession(this, this.store, this.feed, now, this.counting());
  }

  reading(rule: MetricRule): BankReading {
    if (this.comparing(rule)) return readCohorts(fitCohortState(this.store.get('detectors')?.[rule.id]?.cohort), this.cohortCalibration(rule));
    const cal = this.calibration(rule);
    return read(fitState(this.store.get('detectors')?.[rule.id], cal), cal);
  }

  view(rule: MetricRule): DetectorView {
    if (this.comparing(rule)) return this.cohortView(rule);
    const horizons = this.horizons();
    const samples = this.store.get('detector_window_samples') ?? {};
    const cal = this.calibration(rule, horizons, samples);
    const r = read(fitState(this.store.get('detectors')?.[rule.id], cal), cal);
    const overdue = metric(rule.metric).detector!.overdue;
    return {
      ratio: r.ratio,
      leading: { ...r.leading, family: r.leading.family as Family },
      p0: cal.p0,
      overdue_null: cal.o0,
      horizon_seconds: overdue ? this.horizonMs(OLYMPUS, horizons) / 1000 : null,
      h_budget: cal.budgetH,
      attack_floor: cal.attackFloor,
      false_rollbacks_per_30d: rule.falseRollbacksPer30d,
      observations_30d: observations30d(samples[rule.id] ?? 0, rule.minSamples, rule.windowSeconds),
      cohort: null,
    };
  }

  private cohortView(rule: MetricRule): DetectorView {
    const windows = this.store.get('cohort_windows') ?? {};
    const cal = this.cohortCalibration(rule, windows);
    const r = readCohorts(fitCohortState(this.store.get('detectors')?.[rule.id]?.cohort), cal);
    return {
      ratio: r.ratio,
      leading: { ...r.leading, family: 'cohort' },
      p0: cal.null.q0,
      overdue_null: null,
      horizon_seconds: null,
      h_budget: cal.budgetH,
      attack_floor: cal.attackFloor,
      false_rollbacks_per_30d: rule.falseRollbacksPer30d,
      observations_30d: failures30d(rule, windows[rule.id]),
      cohort: cohortFigures(rule, windows[rule.id], cal),
    };
  }

  /** Both cohorts' capped outcomes in the compare_cohorts rules' windows: the split comparison's null and floor. */
  noteCohortWindows(windows: Record<string, CohortWindow>): void {
    this.store.set('cohort_windows', windows);
  }

  /** The window's capped samples, from the cadence's evaluation: sets h and the attack floor. */
  noteWindowSamples(samples: Record<string, number>): void {
    this.store.set('detector_window_samples', samples);
  }

  /** Charts start over (after a rollback, a dry-run notice or a rules change). */
  reset(ruleId?: string): void {
    if (ruleId === undefined) return this.store.set('detectors', {});
    const all = this.store.get('detectors') ?? {};
    delete all[ruleId];
    this.store.set('detectors', all);
  }
}

export class DetectorSession {
  readonly #rules: { rule: MetricRule; signal: string; cal: Calibration; state: DetectorState; badPerClient: number; cohort?: { cal: CohortCalibration; s: number[] } }[];
  #horizons: Record<string, HorizonState>;
  #dirty = false;

  constructor(
    private readonly detector: SequentialDetector,
    private readonly store: ControllerStore,
    private readonly feed: DetectorFeed,
    readonly now: number,
    readonly counting: boolean,
  ) {
    this.#horizons = detector.horizons();
    const samples = store.get('detector_window_samples') ?? {};
    const states = store.get('detectors') ?? {};
    const windows = store.get('cohort_windows') ?? {};
    this.#rules = detector.rules().map((rule) => {
      const cal = detector.calibration(rule, this.#horizons, samples);
      const cohort = detector.comparing(rule) ? { cal: detector.cohortCalibration(rule, windows), s: fitCohortState(states[rule.id]?.cohort) } : undefined;
      return { rule, signal: metric(rule.metric).signal, cal, state: fitState(states[rule.id], cal), badPerClient: detector.badPerClient(rule), cohort };
    });
  }

  horizonMs(provider: string): number {
    return this.detector.horizonMs(provider, this.#horizons);
  }

  /** An observation of `signal` from one client: `family` outcome or overdue, bad or good, n alike. */
  observe(signal: string, provider: string, client: string, family: Family, bad: boolean, n = 1): void {
    if (!this.counting || n <= 0) return;
    const bucket = bucketOf(this.now);
    for (const r of this.#rules) {
      if (r.signal !== signal) continue;
      const limits = { fromBucket: windowStartBucket(this.now, r.rule.windowSeconds), maxPerClient: r.rule.maxPerClient, badPerClient: r.badPerClient };
      if (provider === OLYMPUS && r.cal[family].charts.length > 0) {
        const take = this.feed.admit(`${r.rule.id}|${family}`, client, bad, n, bucket, limits);
        if (take > 0) {
          observe(r.state, r.cal, family, bad, take);
          this.#dirty = true;
        }
      }
      // During a split, a failure of either cohort is one observation of the comparison; a success is none.
      if (r.cohort && family === 'outcome' && bad && (provider === OLYMPUS || provider === LEGACY)) {
        const take = this.feed.admit(`${r.rule.id}|cohort`, client, true, n, bucket, limits);
        if (take > 0) {
          observeFailure(r.cohort.s, r.cohort.cal, provider === OLYMPUS, take);
          this.#dirty = true;
        }
      }
    }
  }

  /** A successful login came back `seconds` after it started. */
  learnCallback(provider: string, seconds: number): void {
    this.#horizons = { ...this.#horizons, [provider]: learnSuccess(this.#horizons[provider] ?? emptyHorizon(this.now), seconds, this.now) };
    this.#dirty = true;
  }

  /** A started login (of a known client) was back by its horizon, or not. */
  learnArrival(provider: string, overdue: boolean): void {
    this.#horizons = { ...this.#horizons, [provider]: learnArrival(this.#horizons[provider] ?? emptyHorizon(this.now), overdue, 1, this.now) };
    this.#dirty = true;
  }

  commit(): void {
    if (!this.#dirty) return;
    const states: MetaKeys['detectors'] = {};
    // Outside a split the comparison's charts are dropped: a later split starts on new evidence.
    for (const r of this.#rules) states[r.rule.id] = r.cohort ? { ...r.state, cohort: r.cohort.s } : r.state;
    this.store.set('detectors', this.counting ? states : {});
    this.store.set('callback_horizon', this.#horizons);
  }
}

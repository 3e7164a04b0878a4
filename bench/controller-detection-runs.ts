// Phase 0 of `npm run bench:controller`, repeated: each scenario (total,
// half, stuck) runs CTRL_BENCH_DETECTION_RUNS times, every run on a fresh
// stack (a stack reused after a rollback would not be at 200 logins per 5
// minutes any more: the window keeps the earlier runs' logins, which moves
// the attack floor, and a stuck run's logins would reach abandon_after or
// teach the overdue share during the next). Runs go in two lanes at once
// (stuck in one, total then half in the other), so the default 4 runs of each
// take about 5.5 minutes on 2 cores (a stuck run is ~80 s with its stack);
// CTRL_BENCH_DETECTION_LANES=1 runs them one by one.
// Each lane's load is one login per 1.5 s plus a /login probe every 50 ms.
import { median } from './controller-report.ts';
import { TARGET_MS, timeDetection, type DetectionScenario, type DetectionTiming } from './controller-detection.ts';

export interface DetectionSummary {
  scenario: DetectionScenario;
  runs: number;
  /** Median and extremes of the flip time from the first failing (stuck) login, ms. */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median ms to the first /login sent to Auth0. */
  medianTotalMs: number;
  targetMs: number;
  met: boolean;
}

export interface DetectionRunOptions {
  scenarios: DetectionScenario[];
  runs: number;
  lanes: 1 | 2;
}

export function readDetectionOptions(): DetectionRunOptions {
  const scenarios = (process.env.CTRL_BENCH_DETECTION_SCENARIOS ?? 'total,half,stuck').split(',').map((x) => x.trim());
  const bad = scenarios.filter((x) => x !== 'total' && x !== 'half' && x !== 'stuck');
  if (bad.length || scenarios.length === 0) throw new Error(`CTRL_BENCH_DETECTION_SCENARIOS takes total, half and stuck, got "${bad.join(',')}"`);
  const runs = Number(process.env.CTRL_BENCH_DETECTION_RUNS ?? '4');
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new Error(`CTRL_BENCH_DETECTION_RUNS must be a whole number from 1 to 50, got "${process.env.CTRL_BENCH_DETECTION_RUNS}"`);
  const lanes = Number(process.env.CTRL_BENCH_DETECTION_LANES ?? '2');
  if (lanes !== 1 && lanes !== 2) throw new Error(`CTRL_BENCH_DETECTION_LANES must be 1 or 2, got "${process.env.CTRL_BENCH_DETECTION_LANES}"`);
  return { scenarios: scenarios as DetectionScenario[], runs, lanes };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function printRun(t: DetectionTiming, run: number): void {
  console.log(
    `  ${t.scenario.padEnd(5)} run ${run}: flip after ${s(t.detectionMs)}, first /login to Auth0 after ${s(t.totalMs)}; ` +
      `${t.failingLogins} failing of ${t.logins} logins; setup ${s(t.setupMs)}; horizon ${t.horizonSeconds ?? '-'} s; evidence ${JSON.stringify(t.evidence)}`,
  );
}

async function lane(scenarios: DetectionScenario[], runs: number, into: DetectionTiming[]): Promise<void> {
  for (const scenario of scenarios) {
    for (let run = 1; run <= runs; run++) {
      const t = await timeDetection(scenario);
      into.push(t);
      printRun(t, run);
    }
  }
}

/** Runs every scenario `runs` times (fresh stack each), in one or two lanes. */
export async function detectionRuns(o: DetectionRunOptions): Promise<DetectionTiming[]> {
  const all: DetectionTiming[] = [];
  if (o.lanes === 1) {
    await lane(o.scenarios, o.runs, all);
    return all;
  }
  // The longest scenario (stuck, ~1.3 min a run) alone in one lane; the others (~0.5 and ~0.8 min) in the other.
  const first = o.scenarios.filter((x) => x === 'stuck');
  const second = o.scenarios.filter((x) => x !== 'stuck');
  await Promise.all([lane(first, o.runs, all), lane(second, o.runs, all)]);
  return all;
}

export function summarizeDetection(timings: DetectionTiming[], scenarios: DetectionScenario[]): DetectionSummary[] {
  return scenarios.map((scenario) => {
    const ts = timings.filter((t) => t.scenario === scenario);
    const flips = ts.map((t) => t.detectionMs);
    const m = median(flips);
    return {
      scenario,
      runs: ts.length,
      medianMs: m,
      minMs: Math.min(...flips),
      maxMs: Math.max(...flips),
      medianTotalMs: median(ts.map((t) => t.totalMs)),
      targetMs: TARGET_MS[scenario],
      met: m <= TARGET_MS[scenario],
    };
  });
}

export function printDetectionSummary(timings: DetectionTiming[], summary: DetectionSummary[]): void {
  console.log('\n-- time to roll back with the default rules, 200 logins per 5 min (from the first failing callback; stuck: the first stuck login), fresh stack per run --');
  for (const x of summary) {
    const each = timings.filter((t) => t.scenario === x.scenario).map((t) => (t.detectionMs / 1000).toFixed(1)).join(', ');
    console.log(
      `  ${x.scenario.padEnd(5)} median ${s(x.medianMs)} over ${x.runs} runs (${each} s; min ${s(x.minMs)}, max ${s(x.maxMs)}); ` +
        `first /login to Auth0 median ${s(x.medianTotalMs)}; target ${x.targetMs / 1000} s: ${x.met ? 'met' : 'MISSED'}`,
    );
  }
}

// Knobs of `npm run bench:controller`, read once from CTRL_BENCH_* variables
// so a run can be repeated exactly: the report prints them back as the
// command line that produced it.

export interface ControllerBenchOptions {
  /** Automatic rollbacks to time (CTRL_BENCH_RUNS, default 5). */
  runs: number;
  /** Scripted clients failing logins at once in each timed rollback (CTRL_BENCH_FAILING_CLIENTS, default 20). */
  failingClients: number;
  /** Concurrency steps of the counting phase (CTRL_BENCH_CONCURRENCY, default 1,16,64). */
  concurrency: number[];
  /** Length of each measured counting segment, seconds (CTRL_BENCH_SECONDS, default 4). */
  seconds: number;
  /** Counting on/off passes over all steps, odd ones reversed (CTRL_BENCH_ROUNDS, default 3). */
  rounds: number;
  /** Distinct client IPs the counting load cycles through (CTRL_BENCH_CLIENTS, default 5000). */
  clients: number;
  /** Events per ingest call in the direct phase (CTRL_BENCH_BATCH_SIZES, default 1,20,200,1000,5000). */
  batchSizes: number[];
  /**
   * Callers sending ingest calls back to back in the direct phase (CTRL_BENCH_INGEST_CONCURRENCY, default 1).
   * The object runs one call at a time whatever this is; in wrangler dev more than one caller also keeps
   * the getFlag prober's requests out of the shared workerd thread until the load ends.
   */
  ingestConcurrency: number;
  /** Events sent per batch size in the direct phase (CTRL_BENCH_INGEST_EVENTS, default 40000). */
  ingestEvents: number;
  /** Where the JSON goes, relative to the repo root (CTRL_BENCH_OUT). */
  out: string;
}

const ENV_NAMES = [
  'CTRL_BENCH_RUNS',
  'CTRL_BENCH_FAILING_CLIENTS',
  'CTRL_BENCH_CONCURRENCY',
  'CTRL_BENCH_SECONDS',
  'CTRL_BENCH_ROUNDS',
  'CTRL_BENCH_CLIENTS',
  'CTRL_BENCH_BATCH_SIZES',
  'CTRL_BENCH_INGEST_CONCURRENCY',
  'CTRL_BENCH_INGEST_EVENTS',
  'CTRL_BENCH_OUT',
  'CTRL_BENCH_DETECTION_ONLY',
  'CTRL_BENCH_DIRECT_ONLY',
  'CTRL_BENCH_DETECTION_SCENARIOS',
  'CTRL_BENCH_DETECTION_RUNS',
  'CTRL_BENCH_DETECTION_LANES',
];

function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
  return n;
}

function list(name: string, fallback: number[], min: number, max: number): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((x) => Number(x.trim()));
  if (values.length === 0 || values.some((n) => !Number.isInteger(n) || n < min || n > max)) {
    throw new Error(`${name} must be comma-separated whole numbers between ${min} and ${max}, got "${raw}"`);
  }
  return values;
}

export function readControllerOptions(): ControllerBenchOptions {
  return {
    runs: num('CTRL_BENCH_RUNS', 5, 1, 20),
    failingClients: num('CTRL_BENCH_FAILING_CLIENTS', 20, 5, 200),
    concurrency: list('CTRL_BENCH_CONCURRENCY', [1, 16, 64], 1, 256),
    seconds: num('CTRL_BENCH_SECONDS', 4, 1, 60),
    rounds: num('CTRL_BENCH_ROUNDS', 3, 1, 10),
    clients: num('CTRL_BENCH_CLIENTS', 5000, 1, 1_000_000),
    batchSizes: list('CTRL_BENCH_BATCH_SIZES', [1, 20, 200, 1000, 5000], 1, 20_000),
    ingestConcurrency: num('CTRL_BENCH_INGEST_CONCURRENCY', 1, 1, 64),
    ingestEvents: num('CTRL_BENCH_INGEST_EVENTS', 40_000, 100, 10_000_000),
    out: process.env.CTRL_BENCH_OUT || 'bench-results/controller-bench.json',
  };
}

/** The command that reproduces this run, with every CTRL_BENCH_* variable that was set. */
export function controllerCommandLine(): string {
  const set = ENV_NAMES.filter((n) => process.env[n] !== undefined && process.env[n] !== '').map((n) => `${n}=${process.env[n]}`);
  return [...set, 'npm run bench:controller'].join(' ');
}

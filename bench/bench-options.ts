// Benchmark knobs, read once from the environment so a run can be repeated
// exactly: the report prints them back as the command line that produced it.

export const KIND_NAMES = ['passthrough', 'session-auth0', 'session-olympus', 'bearer-jwt', 'opaque-token'] as const;
export type KindName = (typeof KIND_NAMES)[number];

export interface BenchOptions {
  /** Length of each measured segment, seconds (BENCH_SECONDS, default 8). */
  seconds: number;
  /** Requests in flight at once (BENCH_CONCURRENCY, default 16). */
  concurrency: number;
  /** Passes over all kinds; odd passes run in reverse order (BENCH_ROUNDS, default 3). */
  rounds: number;
  /** Unmeasured requests before each segment (BENCH_WARMUP, default 300). */
  warmup: number;
  /** Unmeasured seconds per kind once before the first round, for JIT and caches (BENCH_PREWARM_SECONDS, default 2). */
  prewarmSeconds: number;
  /** Origin route for the verified kinds (BENCH_PATH, default /api/echo-headers). */
  path: string;
  /** Which kinds to run (BENCH_KINDS, comma-separated, default all). */
  kinds: KindName[];
  /** Where the JSON goes, relative to the repo root (BENCH_OUT). */
  out: string;
  /** Throughput ratio to passthrough each verified kind should reach (BENCH_TARGET, default 0.85). */
  target: number;
  /** Serve a frozen copy of the worker source (BENCH_SNAPSHOT, default 1; 0 = the live tree, rebuilt on edits). */
  snapshot: boolean;
}

const ENV_NAMES = ['BENCH_SECONDS', 'BENCH_CONCURRENCY', 'BENCH_ROUNDS', 'BENCH_WARMUP', 'BENCH_PREWARM_SECONDS', 'BENCH_PATH', 'BENCH_KINDS', 'BENCH_OUT', 'BENCH_TARGET', 'BENCH_SNAPSHOT'];

function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
  return n;
}

function kinds(): KindName[] {
  const raw = process.env.BENCH_KINDS;
  if (!raw) return [...KIND_NAMES];
  const list = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of list) {
    if (!(KIND_NAMES as readonly string[]).includes(k)) throw new Error(`BENCH_KINDS: unknown kind "${k}" (known: ${KIND_NAMES.join(', ')})`);
  }
  if (!list.includes('passthrough')) list.unshift('passthrough');
  return list as KindName[];
}

export function readOptions(): BenchOptions {
  const path = process.env.BENCH_PATH || '/api/echo-headers';
  if (!path.startsWith('/')) throw new Error('BENCH_PATH must start with /');
  return {
    seconds: num('BENCH_SECONDS', 8, 1, 120),
    concurrency: Math.floor(num('BENCH_CONCURRENCY', 16, 1, 256)),
    rounds: Math.floor(num('BENCH_ROUNDS', 3, 1, 10)),
    warmup: Math.floor(num('BENCH_WARMUP', 300, 0, 100_000)),
    prewarmSeconds: num('BENCH_PREWARM_SECONDS', 2, 0, 60),
    path,
    kinds: kinds(),
    out: process.env.BENCH_OUT || 'bench-results/gateway-bench.json',
    target: num('BENCH_TARGET', 0.85, 0, 10),
    snapshot: process.env.BENCH_SNAPSHOT !== '0',
  };
}

/** The command that reproduces this run, with every BENCH_* variable that was set. */
export function commandLine(): string {
  const set = ENV_NAMES.filter((n) => process.env[n] !== undefined && process.env[n] !== '').map((n) => `${n}=${process.env[n]}`);
  return [...set, 'npm run bench'].join(' ');
}

// Knobs of `npm run bench:hotpath`, from HOTPATH_* variables, with defaults
// that keep a full run under about five minutes on a 2-core machine.
import type { KindName } from '../bench-options.ts';
import type { Layout } from './runtime.ts';

export const HOTPATH_KINDS = ['passthrough', 'session-auth0', 'bearer-jwt', 'opaque-token'] as const satisfies readonly KindName[];
export type HotpathKind = (typeof HOTPATH_KINDS)[number];

export interface HotpathOptions {
  /** Measured seconds per segment (HOTPATH_SECONDS, default 4). */
  seconds: number;
  /** Rounds of (gateway, bare) pairs over every kind (HOTPATH_ROUNDS, default 3; 0 skips the load phases). */
  rounds: number;
  /** Requests in flight (HOTPATH_CONCURRENCY, default 16). */
  concurrency: number;
  /** Unmeasured requests before each segment (HOTPATH_WARMUP, default 200). */
  warmup: number;
  /** Iterations of each stage in the in-isolate stage timing (HOTPATH_STAGE_ITERATIONS, default 2000; 0 skips it). */
  stageIterations: number;
  /** Rebuild with `wrangler deploy --dry-run` first (HOTPATH_BUILD, default 1). */
  build: boolean;
  kinds: HotpathKind[];
  /** HOTPATH_LAYOUT: `split` (default: gateway and controller Workers in two workerd processes, as deployed) or `combined` (wrangler.toml in one). */
  layout: Layout;
  /**
   * The origin answers after this many ms (HOTPATH_ORIGIN_DELAY_MS, default 0:
   * at once, the worst case for the ratio). Both targets ask the same origin
   * the same path, so only what the gateway adds differs.
   */
  originDelayMs: number;
  /**
   * HOTPATH_CONTROL (default 1): every round also measures the bare proxy
   * against an identical copy of itself (the A/A control), so the report says
   * which differences this run can resolve. 0 skips it.
   */
  control: boolean;
  /**
   * HOTPATH_RATE (req/s, default 0: as fast as 16 connections go, the
   * closed loop that measures throughput): every target is offered this
   * rate instead, the same for all, so p50/p99 compare at one load the
   * machine can carry (the throughput ratio is then ~1 by construction and
   * says only whether a target kept up).
   */
  rate: number;
  /**
   * HOTPATH_PATH (default /api/ok): what the verified kinds ask the origin.
   * An answer that does not depend on the request, so the gateway's identity
   * headers (and the assertion, about 600 bytes) do not make the origin's
   * answer bigger than the bare proxy's, as /api/echo-headers (npm run
   * bench's default) would: the comparison is then the gateway's own work.
   */
  path: string;
  out: string;
}

/** The path a kind's load asks, with the origin's delay when there is one (dev/origin's `delay_ms`). */
export function loadPath(path: string, o: Pick<HotpathOptions, 'originDelayMs'>): string {
  return o.originDelayMs > 0 ? `${path}${path.includes('?') ? '&' : '?'}delay_ms=${o.originDelayMs}` : path;
}

const NAMES = ['HOTPATH_SECONDS', 'HOTPATH_ROUNDS', 'HOTPATH_CONCURRENCY', 'HOTPATH_WARMUP', 'HOTPATH_STAGE_ITERATIONS', 'HOTPATH_BUILD', 'HOTPATH_KINDS', 'HOTPATH_LAYOUT', 'HOTPATH_ORIGIN_DELAY_MS', 'HOTPATH_CONTROL', 'HOTPATH_RATE', 'HOTPATH_PATH', 'HOTPATH_OUT'];

function num(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
  return n;
}

function kinds(): HotpathKind[] {
  const raw = process.env.HOTPATH_KINDS;
  if (!raw) return [...HOTPATH_KINDS];
  const list = raw.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of list) if (!(HOTPATH_KINDS as readonly string[]).includes(k)) throw new Error(`HOTPATH_KINDS: unknown kind "${k}" (known: ${HOTPATH_KINDS.join(', ')})`);
  return list as HotpathKind[];
}

function layout(): Layout {
  const raw = process.env.HOTPATH_LAYOUT || 'split';
  if (raw !== 'split' && raw !== 'combined') throw new Error(`HOTPATH_LAYOUT must be "split" or "combined", got "${raw}"`);
  return raw;
}

function hotpathPath(): string {
  const raw = process.env.HOTPATH_PATH || '/api/ok';
  if (!raw.startsWith('/')) throw new Error(`HOTPATH_PATH must start with /, got "${raw}"`);
  return raw;
}

export function readHotpathOptions(): HotpathOptions {
  return {
    seconds: num('HOTPATH_SECONDS', 4, 1, 60),
    rounds: Math.floor(num('HOTPATH_ROUNDS', 3, 0, 10)),
    concurrency: Math.floor(num('HOTPATH_CONCURRENCY', 16, 1, 256)),
    warmup: Math.floor(num('HOTPATH_WARMUP', 200, 0, 100_000)),
    stageIterations: Math.floor(num('HOTPATH_STAGE_ITERATIONS', 2000, 0, 1_000_000)),
    build: process.env.HOTPATH_BUILD !== '0',
    kinds: kinds(),
    layout: layout(),
    originDelayMs: Math.floor(num('HOTPATH_ORIGIN_DELAY_MS', 0, 0, 2000)),
    control: process.env.HOTPATH_CONTROL !== '0',
    rate: num('HOTPATH_RATE', 0, 0, 100_000),
    path: hotpathPath(),
    out: process.env.HOTPATH_OUT || 'bench-results/hotpath-bench.json',
  };
}

export function hotpathCommand(): string {
  const set = NAMES.filter((n) => process.env[n]).map((n) => `${n}=${process.env[n]}`);
  return [...set, 'npm run bench:hotpath'].join(' ');
}

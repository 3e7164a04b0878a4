/**
 * Synthetic proxied-API traffic for the simulation: a fixed set of clients
 * (hashed IPs) with request volumes that are either even or heavy-tailed
 * (log-normal, as NATs, mobile carriers and busy SPAs make them), Poisson
 * per client and bucket, each request an error with the current error rate.
 *
 * Successes and errors are independent Poisson streams (thinning). Within a
 * stream, busy clients get their own draw; quiet clients share one Poisson
 * total that is spread over them by weight (alias table). Both are exact for
 * Poisson arrivals, and the second costs per request instead of per client.
 */
import type { CappedWindow } from './capped-window.ts';
import type { Rng } from './prng.ts';

export const API_OUTCOMES = ['ok', 'error'] as const;

export interface ApiMix {
  requestsPerWindow: number;
  clients: number;
  /** Log-normal sigma of per-client volume; 0 = every client sends the same. */
  sigma: number;
}

/** One outcome's arrivals: per-client Poisson means split into busy (own draw) and quiet (pooled). */
class Stream {
  private readonly busy: Int32Array;
  private readonly busyMean: Float64Array;
  private readonly quiet: Int32Array;
  private readonly quietTotal: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(means: Float64Array) {
    const busy: number[] = [];
    const quiet: number[] = [];
    means.forEach((m, c) => (m >= 1 ? busy : m > 0 ? quiet : []).push(c));
    this.busy = Int32Array.from(busy);
    this.busyMean = Float64Array.from(busy, (c) => means[c]!);
    this.quiet = Int32Array.from(quiet);
    this.quietTotal = quiet.reduce((s, c) => s + means[c]!, 0);
    // Vose's alias method over the quiet clients' weights.
    const n = quiet.length;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = quiet.map((c) => (means[c]! * n) / this.quietTotal);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }

  emit(win: CappedWindow, outcome: number, rng: Rng): void {
    for (let i = 0; i < this.busy.length; i++) win.add(0, outcome, this.busy[i]!, rng.poisson(this.busyMean[i]!));
    const n = this.quiet.length;
    if (n === 0) return;
    const k = rng.poisson(this.quietTotal);
    for (let j = 0; j < k; j++) {
      const u = rng.next() * n;
      const i = Math.floor(u);
      win.add(0, outcome, this.quiet[u - i < this.prob[i]! ? i : this.alias[i]!]!, 1);
    }
  }
}

export class ApiTraffic {
  readonly clients: number;
  private rate = 0;
  private readonly perBucket: Float64Array;
  private ok!: Stream;
  private err!: Stream;

  constructor(
    mix: ApiMix,
    errorRate: number,
    private readonly rng: Rng,
  ) {
    this.clients = mix.clients;
    const w = new Float64Array(mix.clients);
    let sum = 0;
    for (let c = 0; c < mix.clients; c++) {
      w[c] = mix.sigma > 0 ? Math.exp(mix.sigma * rng.normal()) : 1;
      sum += w[c]!;
    }
    this.perBucket = w.map((x) => (x / sum) * (mix.requestsPerWindow / 30));
    this.errorRate = errorRate;
  }

  get errorRate(): number {
    return this.rate;
  }

  set errorRate(p: number) {
    this.rate = p;
    this.ok = new Stream(this.perBucket.map((m) => m * (1 - p)));
    this.err = new Stream(this.perBucket.map((m) => m * p));
  }

  /** Largest client's share of the requests (for the printed description). */
  topShare(): number {
    let max = 0;
    let sum = 0;
    for (const v of this.perBucket) {
      max = Math.max(max, v);
      sum += v;
    }
    return max / sum;
  }

  /** Mean requests per window of the median client. */
  medianPerWindow(): number {
    const s = [...this.perBucket].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]! * 30;
  }

  emit(win: CappedWindow): void {
    this.ok.emit(win, 0, this.rng);
    this.err.emit(win, 1, this.rng);
  }
}

// Auth0's rate-limit algorithm (rate-limit policy, "rate limit algorithm"): a
// token bucket per key holding up to `burst` requests, refilled at
// `limit / perSeconds` requests per second. Every limited response carries
// x-ratelimit-limit (bucket size), x-ratelimit-remaining and x-ratelimit-reset
// (UNIX seconds at which the bucket is full again).

export interface RateLimitConfig {
  /** Sustained requests per `perSeconds` (Free tier Management API: 2 per 1 s). */
  limit: number;
  perSeconds: number;
  /** Bucket size, i.e. the burst allowance (default: `limit`). */
  burst?: number;
  /** Also send Retry-After on 429 (seconds until one request is allowed). Auth0 does not document it; default false. */
  retryAfter?: boolean;
}

export interface RateLimitDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export function checkRateLimitConfig(config: RateLimitConfig, what: string): void {
  const ok = (v: number) => Number.isFinite(v) && v > 0;
  if (!ok(config.limit) || !ok(config.perSeconds) || (config.burst !== undefined && !(ok(config.burst) && config.burst >= 1))) {
    throw new Error(`${what}: limit and perSeconds must be positive numbers and burst ≥ 1, got ${JSON.stringify(config)}`);
  }
}

export class TokenBucket {
  readonly #config: RateLimitConfig;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(config: RateLimitConfig, now: () => number = Date.now) {
    checkRateLimitConfig(config, 'TokenBucket');
    this.#config = config;
    this.#now = now;
  }

  get capacity(): number {
    return this.#config.burst ?? this.#config.limit;
  }

  /** Tokens per millisecond. */
  get #rate(): number {
    return this.#config.limit / (this.#config.perSeconds * 1000);
  }

  /** Takes one token for `key` when available; always returns the headers to send. */
  take(key = 'tenant'): RateLimitDecision {
    const now = this.#now();
    const state = this.#buckets.get(key) ?? { tokens: this.capacity, at: now };
    state.tokens = Math.min(this.capacity, state.tokens + (now - state.at) * this.#rate);
    state.at = now;
    const allowed = state.tokens >= 1;
    if (allowed) state.tokens -= 1;
    this.#buckets.set(key, state);

    const fullInMs = (this.capacity - state.tokens) / this.#rate;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.capacity),
      'x-ratelimit-remaining': String(Math.floor(state.tokens)),
      'x-ratelimit-reset': String(Math.ceil((now + fullInMs) / 1000)),
    };
    if (!allowed && this.#config.retryAfter) {
      headers['retry-after'] = String(Math.max(1, Math.ceil((1 - state.tokens) / this.#rate / 1000)));
    }
    return { allowed, headers };
  }
}

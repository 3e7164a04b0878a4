// Messages between the benchmark and its load-generator thread, shared so
// both sides agree on the shape of a run and of its result.

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  concurrency: number;
  /** Run until this many ms have passed (measured phase)... */
  durationMs?: number;
  /** ...or until this many requests have been sent (warm-up). */
  requests?: number;
  /**
   * Pace the requests: request i is not sent before t0 + i / ratePerSecond (all connections
   * together). Below the target's capacity the rate is then the same for every target, so
   * CPU per request compares at equal load. Default: as fast as the connections allow.
   */
  ratePerSecond?: number;
  /** Per-request limit; a request past it counts as an error. */
  timeoutMs: number;
  /** Default GET. */
  method?: string;
  /** Sent with every request (e.g. one signed hook event). */
  body?: string;
  /**
   * Instead of `body`: request i sends a distinct support ticket (id `<prefix>-<i>`), HMAC-SHA256
   * signed with `secret` in X-Signature, since the gateway counts a replayed delivery once.
   */
  uniqueTickets?: { secret: string; prefix: string };
  /** The status that counts as a success; default 200. */
  okStatus?: number;
  /**
   * Distinct clients: request i carries header `header` = the IPv4 address
   * 10.0.0.0 + offset + (i mod count), so the gateway sees `count` clients in turn.
   */
  clientIps?: { header: string; count: number; offset?: number };
}

export interface ErrorSample {
  /** "HTTP 401" or the socket error code/message. */
  key: string;
  count: number;
  /** First bytes of the first such response body or error message. */
  sample: string;
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: number;
  errorSamples: ErrorSample[];
  elapsedMs: number;
  /** Completed requests (200 or not) per second of wall time. */
  rps: number;
  /** Latency of all completed requests, ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  p999: number;
  /** The load generator's own event-loop delay during the run, ms (a stall of the client, not of the target). */
  clientLoopDelay: { p99: number; max: number };
}

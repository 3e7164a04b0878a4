// Test controls shared by the local SaaS stand-ins (this Kratos admin API and
// dev/auth0-api): a request log, and fault injection (the next N requests fail
// with 500/503 or lose their connection, added latency) so that the reconcile
// command's retry and "unreachable" paths can be tested without the real SaaS.

/** One request as seen by a stand-in, for tests to assert on. */
export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Response status; 0 until the response is sent (or when the connection was dropped). */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

/** Chooses which requests a fault applies to; default: every request. */
export type RequestMatcher = (method: string, path: string) => boolean;

export type FaultDecision = { kind: 'status'; status: number } | { kind: 'drop' };

interface FaultRule {
  decision: FaultDecision;
  remaining: number;
  match?: RequestMatcher;
}

export interface FaultOptions {
  /** The first `count` requests answer `status` (default 500). */
  failNext?: { count: number; status?: number };
  /** Milliseconds added before every request is handled. */
  latencyMs?: number;
}

export class FaultInjector {
  latencyMs = 0;
  readonly #rules: FaultRule[] = [];

  constructor(options: FaultOptions = {}) {
    if (options.failNext) this.failNext(options.failNext.count, options.failNext.status);
    if (options.latencyMs !== undefined) this.setLatency(options.latencyMs);
  }

  /** The next `count` matching requests get `status` (500, 502, 503...) with the API's error shape. */
  failNext(count: number, status = 500, match?: RequestMatcher): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`failNext: count must be a non-negative integer, got ${count}`);
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`failNext: status must be 4xx/5xx, got ${status}`);
    if (count > 0) this.#rules.push({ decision: { kind: 'status', status }, remaining: count, match });
  }

  /** The next `count` matching requests have their connection destroyed without any response. */
  dropNext(count: number, match?: RequestMatcher): void {
    if (!Number.isInteger(count) || count < 0) throw new Error(`dropNext: count must be a non-negative integer, got ${count}`);
    if (count > 0) this.#rules.push({ decision: { kind: 'drop' }, remaining: count, match });
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`setLatency: ms must be a non-negative number, got ${ms}`);
    this.latencyMs = ms;
  }

  /** Forgets queued failures and latency. */
  clear(): void {
    this.#rules.length = 0;
    this.latencyMs = 0;
  }

  /** Consumes and returns the fault for this request, if one is queued. */
  take(method: string, path: string): FaultDecision | undefined {
    const rule = this.#rules.find((r) => r.remaining > 0 && (!r.match || r.match(method, path)));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.#rules.splice(this.#rules.indexOf(rule), 1);
    return rule.decision;
  }

  /** Sleeps for the configured latency. */
  async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
  }
}

/** Appends the request to `calls` (status 0 until the caller fills it in). */
export function recordRequest(calls: RecordedCall[], method: string, url: URL): RecordedCall {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  const call: RecordedCall = { method, path: url.pathname, query, status: 0, at: Date.now() };
  calls.push(call);
  return call;
}

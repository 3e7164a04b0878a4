/**
 * Per-isolate caches that hold values with their times, never pending I/O.
 *
 * On Workers a promise belongs to the request whose I/O created it: a second
 * request awaiting a fetch started by the first can hang, or fail, when the
 * first is cancelled or finishes (jose stopped sharing in-flight key-set
 * fetches on Workers for this reason: panva/jose#355, #509). So requests share
 * only settled results; concurrent misses each fetch. To keep upstream calls
 * rare in steady state, a record may carry `refreshingSince`: while one
 * request refreshes a stale value, the others keep serving that value instead
 * of fetching too (a timestamp, so a cancelled refresher only delays the next
 * refresh by `refreshWindowMs`, it never blocks anyone).
 *
 * The type refuses a promise as a value, so nobody can slip pending I/O back in.
 */

type Settled<V> = V extends PromiseLike<unknown> ? never : V;

const registry = new Set<{ clear(): void }>();

export class IsolateCache<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly maxEntries: number) {
    registry.add(this);
  }

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** Stores a settled value; the oldest entry goes when the cache is full. */
  set(key: string, value: Settled<V>): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** True while another request's refresh of a stale value may still be running. */
export function refreshInProgress(refreshingSince: number | undefined, now: number, refreshWindowMs: number): boolean {
  return refreshingSince !== undefined && now - refreshingSince < refreshWindowMs;
}

/** Test hook: forget every isolate cache. */
export function clearIsolateCaches(): void {
  for (const c of registry) c.clear();
}

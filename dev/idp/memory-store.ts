// Unbounded in-memory storage for oidc-provider's MemoryAdapter. The default
// one is an LRU capped at 1000 entries shared by every provider in the process,
// which silently evicts sessions and tokens under benchmark load.
import MemoryAdapter, { type ExpiringStore } from 'oidc-provider/lib/adapters/memory_adapter.js';

interface Entry {
  value: unknown;
  expiresAt: number;
}

export class ExpiringMap implements ExpiringStore {
  readonly #entries = new Map<string, Entry>();
  #writes = 0;

  get(key: string): any {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: unknown, options?: { maxAge?: number }): void {
    const expiresAt = options?.maxAge === undefined ? Infinity : Date.now() + options.maxAge;
    this.#entries.set(key, { value, expiresAt });
    if (++this.#writes % 10_000 === 0) this.#sweep();
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

/** An oidc-provider `adapter` option backed by one private ExpiringMap. */
export function memoryAdapterFactory(clockTolerance = 15): (model: string) => MemoryAdapter {
  const store = new ExpiringMap();
  return (model: string) => new MemoryAdapter(model, store, clockTolerance);
}

/**
 * The isolate cache's bounds and its type: it holds settled values, never
 * pending I/O. Its use by discovery, key sets and introspection is in
 * test/runtime/isolate-cache.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { IsolateCache } from '../../src/core/isolate-cache.ts';

describe('IsolateCache', () => {
  it('keeps at most maxEntries, dropping the oldest', () => {
    const c = new IsolateCache<{ n: number }>(2);
    c.set('a', { n: 1 });
    c.set('b', { n: 2 });
    c.set('c', { n: 3 });
    expect(c.get('a')).toBeUndefined();
    expect(c.get('c')).toEqual({ n: 3 });
    expect(c.size).toBe(2);
  });

  it('refuses a promise as a value (compile time)', () => {
    const c = new IsolateCache<Promise<number>>(2);
    // @ts-expect-error pending I/O must never be cached
    c.set('p', Promise.resolve(1));
    c.clear();
  });
});

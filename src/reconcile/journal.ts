/**
 * An append-only journal: the durable memory of a reconcile run and of the
 * mirror. Each step appends one small event (a line settled, an email about
 * to go, a page done) instead of rewriting the whole state, so a run of n
 * identities writes O(n) bytes, not O(n²); the state is the fold of the
 * events, rebuilt on start. A crash can cut only the last event short, and a
 * reader drops a partial last line.
 *
 * Storage is the caller's: a JSON-lines file for the CLI and the mirror
 * (scripts/cli/file-journal.ts), memory in tests.
 */
export interface Journal<E> {
  /** Every event appended so far, in order. */
  read(): Promise<E[]>;
  /** Appends events; resolved once they are written. */
  append(...events: E[]): Promise<void>;
  /** Replaces the whole journal with these events (compaction, on start only). */
  rewrite(events: readonly E[]): Promise<void>;
}

/** A journal in memory (tests, dry runs of the engine). */
export function memoryJournal<E>(initial: E[] = []): Journal<E> & { events: E[] } {
  const events = [...initial];
  return {
    events,
    async read() {
      return [...events];
    },
    async append(...e) {
      events.push(...structuredClone(e));
    },
    async rewrite(e) {
      events.splice(0, events.length, ...structuredClone(e));
    },
  };
}

/** Parses JSON lines; a last line cut short by a crash is dropped, any other bad line is an error. */
export function parseJsonLines<E>(text: string, what: string): E[] {
  const lines = text.split('\n');
  const out: E[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    try {
      out.push(JSON.parse(l) as E);
    } catch {
      if (i >= lines.length - 2) break; // the last line (text ends with \n, or not)
      throw new Error(`${what}: line ${i + 1} is not JSON`);
    }
  }
  return out;
}

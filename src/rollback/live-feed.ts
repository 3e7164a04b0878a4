/**
 * The console's live feed: server-sent events from the controller. However
 * many consoles are open, the object builds one snapshot per tick (status,
 * and the newest audit sequence so a console fetches the timeline only when
 * it changed) and writes the same bytes to every subscriber: fifty consoles
 * during an incident cost one /status a tick, not fifty polls.
 *
 * A subscriber is a stream the worker relays to the browser. One that cannot
 * be written (the browser went away) is dropped at the next tick; the ticker
 * stops when nobody listens. Events are sent every TICK_MS, and at once after
 * a change the object makes itself (a flip, a flag change).
 */
export const LIVE_TICK_MS = 2_000;
/** Open consoles at most; one more gets 503 and falls back to polling. */
export const MAX_SUBSCRIBERS = 200;

const encoder = new TextEncoder();

export interface LiveSnapshot {
  status: unknown;
  audit_head: number;
}

export class LiveFeed {
  readonly #writers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly snapshot: () => LiveSnapshot) {}

  get subscribers(): number {
    return this.#writers.size;
  }

  /** A new event stream, starting with the current snapshot; undefined when too many are open. */
  subscribe(): ReadableStream<Uint8Array> | undefined {
    if (this.#writers.size >= MAX_SUBSCRIBERS) return undefined;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#writers.add(writer);
    void this.#write(writer, this.#frame());
    this.#schedule();
    return readable;
  }

  /** Sends a snapshot to everyone now (after a change the object made). */
  publish(): void {
    if (this.#writers.size === 0) return;
    const frame = this.#frame();
    for (const w of this.#writers) void this.#write(w, frame);
  }

  #frame(): Uint8Array {
    return encoder.encode(`event: status\ndata: ${JSON.stringify(this.snapshot())}\n\n`);
  }

  async #write(writer: WritableStreamDefaultWriter<Uint8Array>, frame: Uint8Array): Promise<void> {
    try {
      // A slow reader must not hold the object: skip a frame rather than queue without bound.
      if (writer.desiredSize !== null && writer.desiredSize < 0) return;
      await writer.write(frame);
    } catch {
      this.#writers.delete(writer);
      writer.abort().catch(() => {});
    }
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#writers.size === 0) return;
      this.publish();
      this.#schedule();
    }, LIVE_TICK_MS);
  }
}

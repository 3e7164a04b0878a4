// The mail catcher's messages: every email (and on-call notification) a part
// of the local stack sends, kept in memory, newest first. Stand-ins in the
// same process add them directly; anything else posts JSON (app.ts).

export interface CaughtMessage {
  id: string;
  /** ISO time it arrived. */
  at: string;
  /** Who sent it: "auth0", "kratos", "switchback", or what a poster said. */
  source: string;
  from: string;
  to: string;
  subject: string;
  text: string;
}

export type NewMessage = Omit<CaughtMessage, 'id' | 'at'>;

const MAX_MESSAGES = 500;
const MAX_FIELD = 16_384;

export class MessageStore {
  readonly #messages: CaughtMessage[] = [];
  #next = 1;

  add(input: NewMessage): CaughtMessage {
    const clip = (s: string) => (s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s);
    const message: CaughtMessage = {
      id: String(this.#next++),
      at: new Date().toISOString(),
      source: clip(input.source),
      from: clip(input.from),
      to: clip(input.to),
      subject: clip(input.subject),
      text: clip(input.text),
    };
    this.#messages.unshift(message);
    if (this.#messages.length > MAX_MESSAGES) this.#messages.pop();
    return message;
  }

  list(): CaughtMessage[] {
    return [...this.#messages];
  }

  get(id: string): CaughtMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }
}

/** A string field of a posted JSON object, or undefined. */
export function field(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

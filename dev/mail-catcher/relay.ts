// The user-mail relay (src/comms/user-mail.ts, USER_MAIL=webhook) as the mail
// catcher serves it: POST /relay/messages with `Authorization: Bearer <token>`
// and an `Idempotency-Key` header, body {to, subject, text, idempotency_key}.
// The contract a team's own relay follows (it then hands the email to its mail
// provider); the idempotency rules are the IETF's
// (draft-ietf-httpapi-idempotency-key-header): a missing key is 400; a key
// already used answers the first result again (200, `Idempotent-Replayed:
// true`) without a second email; a key reused for another recipient is 422
// (a key names one email). The text may differ on a repeat (a retried Auth0
// reset makes a new ticket link): the first email stands. Wrong or missing
// token: 401 with `WWW-Authenticate: Bearer` (RFC 6750). Optional rate limit:
// 429 with Retry-After.
import type { Context } from 'hono';
import { field, type MessageStore } from './messages.ts';

export interface RelayOptions {
  /** The bearer token senders must present (USER_MAIL_TOKEN). */
  token: string;
  /** At most this many new emails per second (default: no limit). */
  perSecond?: number;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

export class UserMailRelay {
  readonly #sent = new Map<string, { id: string; to: string }>();
  #window = { second: 0, count: 0 };

  constructor(
    private readonly store: MessageStore,
    private readonly o: RelayOptions,
  ) {}

  /** How many emails each idempotency key produced (always 1: what the tests check). */
  keys(): string[] {
    return [...this.#sent.keys()];
  }

  async handle(c: Context): Promise<Response> {
    const auth = c.req.header('authorization') ?? '';
    if (!timingSafeEqual(auth, `Bearer ${this.o.token}`)) {
      return c.json({ error: 'unauthorized', error_description: 'a valid bearer token is required' }, 401, { 'www-authenticate': auth ? 'Bearer error="invalid_token"' : 'Bearer' });
    }
    const key = c.req.header('idempotency-key');
    if (!key || !KEY.test(key)) return c.json({ error: 'invalid_request', error_description: 'an Idempotency-Key header is required (1 to 255 visible characters)' }, 400);
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = await c.req.json();
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return c.json({ error: 'invalid_request', error_description: 'a JSON object with to, subject, text and idempotency_key' }, 400);
    }
    const to = field(body, 'to');
    const subject = field(body, 'subject');
    const text = field(body, 'text');
    if (!to || !/^[^\s@]+@[^\s@]+$/.test(to) || !subject || !text) return c.json({ error: 'invalid_request', error_description: 'to (an email address), subject and text are required' }, 400);
    if (body.idempotency_key !== undefined && body.idempotency_key !== key) return c.json({ error: 'invalid_request', error_description: 'idempotency_key differs from the Idempotency-Key header' }, 400);
    const earlier = this.#sent.get(key);
    if (earlier) {
      if (earlier.to !== to.toLowerCase()) return c.json({ error: 'idempotency_key_reused', error_description: 'this Idempotency-Key was used for another recipient' }, 422);
      return c.json({ id: earlier.id, duplicate: true }, 200, { 'idempotent-replayed': 'true' });
    }
    if (this.o.perSecond !== undefined) {
      const second = Math.floor(Date.now() / 1000);
      if (this.#window.second !== second) this.#window = { second, count: 0 };
      if (this.#window.count >= this.o.perSecond) return c.json({ error: 'rate_limited', error_description: 'too many emails' }, 429, { 'retry-after': '1' });
      this.#window.count++;
    }
    const m = this.store.add({ source: 'user-mail', from: 'user-mail relay', to, subject, text });
    this.#sent.set(key, { id: m.id, to: to.toLowerCase() });
    return c.json({ id: m.id, duplicate: false }, 202);
  }
}

function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

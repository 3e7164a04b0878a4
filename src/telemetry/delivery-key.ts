/**
 * The identity of one hook delivery, so that the controller's delivery
 * ledger counts it once however often it is posted (a replayed signed
 * ticket, a log stream batch sent again after a timeout, a Kratos hook
 * retried). The sender's own id is used where the body carries one: a ticket
 * updated three times is still one ticket; otherwise a digest of the exact
 * bytes. Keys are hashed so their size is fixed whatever the sender sends.
 */
import { sha256, toHex } from '../core/bytes.ts';

export type DeliveryKind = 'ticket' | 'auth0-log' | 'kratos-login';

async function hashed(kind: DeliveryKind, by: 'id' | 'digest', value: string | Uint8Array): Promise<string> {
  const digest = typeof value === 'string' ? await sha256(value) : new Uint8Array(await crypto.subtle.digest('SHA-256', value));
  return `${kind}:${by}:${toHex(digest)}`;
}

function idValue(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>)[key] : undefined;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

/**
 * A support ticket's id, from the shapes helpdesks send: `id`, `ticket_id`,
 * `ticket` (a string or number), or `ticket.id`.
 */
export function ticketId(parsed: unknown): string | undefined {
  return idValue(field(parsed, 'id')) ?? idValue(field(parsed, 'ticket_id')) ?? idValue(field(parsed, 'ticket')) ?? idValue(field(field(parsed, 'ticket'), 'id'));
}

export function ticketDeliveryKey(body: Uint8Array): Promise<string> {
  const id = ticketId(parseJson(body));
  return id !== undefined ? hashed('ticket', 'id', id) : hashed('ticket', 'digest', body);
}

/** One entry of an Auth0 log stream batch: its `log_id`, else a digest of the entry. */
export function auth0LogDeliveryKey(entry: unknown): Promise<string> {
  const id = idValue(field(entry, 'log_id'));
  return id !== undefined ? hashed('auth0-log', 'id', id) : hashed('auth0-log', 'digest', JSON.stringify(entry) ?? 'null');
}

/** A Kratos after-login hook: by identity (`{"identity": {...}}` or a bare identity), else a digest of the body. */
export function kratosLoginDeliveryKey(body: Uint8Array): Promise<string> {
  const parsed = parseJson(body);
  const id = idValue(field(field(parsed, 'identity'), 'id')) ?? idValue(field(parsed, 'identity_id')) ?? idValue(field(parsed, 'id'));
  return id !== undefined ? hashed('kratos-login', 'id', id) : hashed('kratos-login', 'digest', body);
}

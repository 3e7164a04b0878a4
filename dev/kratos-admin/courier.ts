// Kratos' courier message queue as exposed by GET /admin/courier/messages
// (courier/handler.go): filters `recipient` and `status`
// (queued|sent|processing|abandoned), keyset pagination with a Link header,
// X-Total-Count, newest first, and bodies redacted unless Kratos runs in dev
// mode. Tests seed messages with addCourierMessage() to check that a recovery
// email went out (or not) before a rollback.
import { randomUUID } from 'node:crypto';
import { badRequest } from './kratos-error.ts';
import { decodePageToken, encodePageToken, linkHeader, parsePageSize, type LinkStyle } from './keyset-page.ts';

export const MESSAGE_STATUSES = ['queued', 'sent', 'processing', 'abandoned'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface CourierMessage {
  id: string;
  status: MessageStatus;
  type: 'email' | 'phone';
  recipient: string;
  body: string;
  subject: string;
  /** e.g. recovery_code_valid, recovery_valid, verification_code_valid, login_code_valid. */
  template_type: string;
  send_count: number;
  created_at: string;
  updated_at: string;
}

export type CourierMessageSeed = Partial<CourierMessage> & Pick<CourierMessage, 'recipient'>;

export const REDACTED_BODY = '<redacted-unless-dev-mode>';

export function makeCourierMessage(seed: CourierMessageSeed): CourierMessage {
  const now = new Date().toISOString();
  const created = seed.created_at ?? now;
  return {
    id: seed.id ?? randomUUID(),
    status: seed.status ?? 'sent',
    type: seed.type ?? 'email',
    recipient: seed.recipient,
    body: seed.body ?? 'Hi, please recover access to your account by entering the following code: 123456',
    subject: seed.subject ?? 'Recover access to your account',
    template_type: seed.template_type ?? 'recovery_code_valid',
    send_count: seed.send_count ?? (seed.status === 'queued' ? 0 : 1),
    created_at: created,
    updated_at: seed.updated_at ?? created,
  };
}

function newestFirst(a: CourierMessage, b: CourierMessage): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface CourierListResult {
  body: unknown[];
  link: string;
  total: number;
}

export function listCourierMessages(
  messages: readonly CourierMessage[],
  requestUrl: URL,
  options: { pageSizeMax: number; linkStyle: LinkStyle; devMode: boolean },
): CourierListResult {
  const q = requestUrl.searchParams;
  const status = q.get('status');
  if (q.has('status') && !(MESSAGE_STATUSES as readonly string[]).includes(status ?? '')) {
    throw badRequest('Message status is not valid');
  }
  const recipient = q.get('recipient') ?? '';
  const size = parsePageSize(q.get('page_size'), options.pageSizeMax);
  const cursor = q.has('page_token') ? decodePageToken(q.get('page_token') ?? '', ['id', 'created_at']) : undefined;

  const matching = messages
    .filter((m) => (!q.has('status') || m.status === status) && (!recipient || m.recipient === recipient))
    .sort(newestFirst);
  const start = cursor
    ? matching.filter((m) => newestFirst(m, { ...m, id: cursor.id!, created_at: cursor.created_at! }) > 0)
    : matching;
  const page = start.slice(0, size);
  const last = page[page.length - 1];
  const nextToken = start.length > size && last ? encodePageToken({ id: last.id, created_at: last.created_at }) : undefined;
  const firstToken = encodePageToken({ id: '00000000-0000-0000-0000-000000000000', created_at: '9999-12-31T23:59:59.999Z' });
  return {
    body: page.map((m) => ({ ...m, body: options.devMode ? m.body : REDACTED_BODY })),
    link: linkHeader(requestUrl, options.linkStyle, size, firstToken, nextToken),
    total: matching.length,
  };
}

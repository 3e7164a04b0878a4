// The local mail catcher as a Hono app, like the other stand-ins. HTTP only:
// nothing in the local stack speaks SMTP (the Auth0 and Kratos stand-ins run
// in this process and hand their emails over directly; the gateway's email
// channel is Cloudflare's send_email binding, which wrangler dev does not
// deliver), so an SMTP server would receive nothing. What it takes:
// - POST /api/messages {from, to, subject, text, source?}: any email;
// - POST /hooks/switchback: the gateway's notifications (NOTIFY_WEBHOOK_URL,
//   schema switchback.notification.v1), shown as the on-call email they stand for;
// - POST /relay/messages: the user-mail relay (USER_MAIL_URL; relay.ts), with
//   a bearer token and deduplication by Idempotency-Key;
// and it shows them at / (inbox) and /messages/{id}, JSON at GET /api/messages.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { field, MessageStore, type NewMessage } from './messages.ts';
import { inboxPage, messagePage } from './pages.ts';
import { UserMailRelay, type RelayOptions } from './relay.ts';

const MAX_BODY_BYTES = 256 * 1024;

function notificationMessage(event: Record<string, unknown>): NewMessage | undefined {
  const type = field(event, 'type');
  const text = field(event, 'text');
  if (!type || !text) return undefined;
  // The subject the gateway's email channel uses (src/rollback/notifications.ts, deliverEmail).
  const subject = type === 'rollback.completed' ? 'Rollback complete. Auth0 is primary again.' : `switchback: ${type}`;
  return { source: 'switchback', from: 'switchback-notifier', to: 'on-call (NOTIFY_WEBHOOK_URL)', subject, text: `${text}\n\n${JSON.stringify(event, null, 2)}` };
}

async function jsonObject(req: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await req.json();
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function createMailCatcherApp(store = new MessageStore(), relayOptions: RelayOptions = { token: crypto.randomUUID() }): { app: Hono; store: MessageStore; relay: UserMailRelay } {
  const app = new Hono();
  const relay = new UserMailRelay(store, relayOptions);
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: 'payload_too_large' }, 413) });
  app.get('/', (c) => c.html(inboxPage(store.list())));
  app.get('/messages/:id', (c) => {
    const m = store.get(c.req.param('id'));
    return m ? c.html(messagePage(m)) : c.html('<!DOCTYPE html><title>Not found</title><p>No such message. <a href="/">All messages</a></p>', 404);
  });
  app.get('/api/messages', (c) => c.json(store.list()));
  app.post('/api/messages', limit, async (c) => {
    const body = await jsonObject(c.req.raw);
    const from = body && field(body, 'from');
    const to = body && field(body, 'to');
    if (!body || !from || !to) return c.json({ error: 'invalid_request', error_description: 'a JSON object with from, to, subject and text' }, 400);
    const m = store.add({ source: field(body, 'source') ?? 'http', from, to, subject: field(body, 'subject') ?? '(no subject)', text: field(body, 'text') ?? '' });
    return c.json({ id: m.id }, 201);
  });
  app.post('/hooks/switchback', limit, async (c) => {
    const body = await jsonObject(c.req.raw);
    const message = body && notificationMessage(body);
    if (!message) return c.json({ error: 'invalid_request', error_description: 'a switchback.notification.v1 event (type, text)' }, 400);
    return c.json({ id: store.add(message).id }, 201);
  });
  app.post('/relay/messages', limit, (c) => relay.handle(c));
  return { app, store, relay };
}

// Serves the mail catcher on 127.0.0.1 (port 0: a free one).
import { serveApp } from '../serve-app.ts';
import { createMailCatcherApp } from './app.ts';
import { MessageStore, type CaughtMessage, type NewMessage } from './messages.ts';
import type { RelayOptions, UserMailRelay } from './relay.ts';

export interface MailCatcherHandle {
  url: string;
  port: number;
  /** The gateway's NOTIFY_WEBHOOK_URL. */
  notifyUrl: string;
  store: MessageStore;
  /** The user-mail relay (USER_MAIL_URL) and its bearer token (USER_MAIL_TOKEN). */
  relayUrl: string;
  relayToken: string;
  relay: UserMailRelay;
  add(message: NewMessage): CaughtMessage;
  stop(): Promise<void>;
}

export async function startMailCatcher(port = 0, relay: Partial<RelayOptions> = {}): Promise<MailCatcherHandle> {
  const relayToken = relay.token ?? `relay-${crypto.randomUUID()}`;
  const caught = createMailCatcherApp(new MessageStore(), { ...relay, token: relayToken });
  const { app, store } = caught;
  const served = await serveApp((req) => app.fetch(req), port);
  return { url: served.url, port: served.port, notifyUrl: `${served.url}/hooks/switchback`, relayUrl: `${served.url}/relay/messages`, relayToken, relay: caught.relay, store, add: (m) => store.add(m), stop: served.stop };
}

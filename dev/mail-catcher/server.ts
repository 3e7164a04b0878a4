// Serves the mail catcher on 127.0.0.1 (port 0: a free one).
import { serveApp } from '../serve-app.ts';
import { createMailCatcherApp } from './app.ts';
import type { CaughtMessage, MessageStore, NewMessage } from './messages.ts';

export interface MailCatcherHandle {
  url: string;
  port: number;
  /** The gateway's NOTIFY_WEBHOOK_URL. */
  notifyUrl: string;
  store: MessageStore;
  add(message: NewMessage): CaughtMessage;
  stop(): Promise<void>;
}

export async function startMailCatcher(port = 0): Promise<MailCatcherHandle> {
  const { app, store } = createMailCatcherApp();
  const served = await serveApp((req) => app.fetch(req), port);
  return { url: served.url, port: served.port, notifyUrl: `${served.url}/hooks/switchback`, store, add: (m) => store.add(m), stop: served.stop };
}

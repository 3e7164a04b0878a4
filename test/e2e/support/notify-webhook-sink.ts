/**
 * A local stand-in for the oncall webhook (NOTIFY_WEBHOOK_URL) of the
 * automatic-rollback test: records every JSON body POSTed to it, answers
 * 200, and waits (bounded) for the notification types a test expects
 * instead of sleeping.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pollUntil } from './poll.ts';

/** A switchback.notification.v1 body as received (fields a test reads; the rest kept). */
export interface SunkNotification {
  schema?: string;
  type?: string;
  [key: string]: unknown;
}

export interface NotifyWebhookSink {
  /** e.g. http://127.0.0.1:41234/notify */
  url: string;
  /** Bodies in arrival order; one that was not JSON is kept as { raw }. */
  received: SunkNotification[];
  /** Waits until every type in `types` has arrived at least once. */
  waitForTypes(types: string[], timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNotifyWebhookSink(): Promise<NotifyWebhookSink> {
  const received: SunkNotification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        received.push(JSON.parse(text) as SunkNotification);
      } catch {
        received.push({ raw: text });
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const types = () => received.map((n) => n.type);
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received,
    async waitForTypes(wanted, timeoutMs) {
      await pollUntil(
        `${wanted.join(' and ')} delivered to the webhook`,
        async () => (wanted.every((t) => types().includes(t)) ? true : undefined),
        { timeoutMs, intervalMs: 100 },
        () => `received ${JSON.stringify(types())}`,
      );
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The rollback command tests' webhook endpoint on 127.0.0.1 (NOTIFY_WEBHOOK_URL): records every
 * notification the gateway's controller delivers (switchback.notification.v1
 * JSON), so a test can check what the on-call channel would have received.
 * It can be made to fail deliveries (an outage of the on-call channel).
 */
import { createServer } from 'node:http';
import { closeServer, listenLocal, readBody } from '../../../dev/http-util.ts';

export interface ReceivedNotification {
  schema: string;
  id: string;
  type: string;
  time: string;
  text: string;
  reason: string;
  actor: string;
  dry_run: boolean;
  flag: { enabled: boolean; version: number; rollback_at: string | null };
  [key: string]: unknown;
}

export interface RollbackWebhook {
  url: string;
  /** Notifications received, in arrival order (bodies that were not JSON are kept as { raw }). */
  received: ReceivedNotification[];
  /** Answer every delivery with this status (nothing recorded) until called with undefined. */
  failWith(status: number | undefined): void;
  stop(): Promise<void>;
}

export async function startRollbackWebhook(): Promise<RollbackWebhook> {
  const received: ReceivedNotification[] = [];
  let failing: number | undefined;
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => {
        if (failing !== undefined) return void res.writeHead(failing).end();
        try {
          received.push(JSON.parse(body) as ReceivedNotification);
        } catch {
          received.push({ raw: body } as unknown as ReceivedNotification);
        }
        res.writeHead(204).end();
      })
      .catch(() => res.writeHead(400).end());
  });
  const port = await listenLocal(server, 0);
  return {
    url: `http://127.0.0.1:${port}/hooks/switchback`,
    received,
    failWith: (status) => (failing = status),
    stop: () => closeServer(server),
  };
}

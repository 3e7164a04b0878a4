/**
 * Notification events with a stable schema (v1), delivered to a Slack-
 * compatible or generic JSON webhook (`NOTIFY_WEBHOOK_URL`) and optionally
 * by email through Cloudflare's `send_email` binding. Every event carries a
 * `text` line, which is all a Slack incoming webhook needs; generic receivers
 * read the structured fields.
 */
import { SwitchbackError } from '../core/errors.ts';

export type NotificationType = 'rollback.triggered' | 'rollback.completed' | 'rollback.paused' | 'rollback.resumed' | 'trigger.inconclusive' | 'flag.changed' | 'reconcile.progress' | 'mirror.silent' | 'mirror.resumed' | 'rollback.decided' | 'reenable.overridden' | 'courier.warning';

export interface NotificationEvent {
  schema: 'switchback.notification.v1';
  id: string;
  type: NotificationType;
  time: string;
  text: string;
  reason: string;
  rule: string | null;
  value: number | null;
  threshold: number | null;
  window: number | null;
  samples: number | null;
  actor: string;
  dry_run: boolean;
  flag: { enabled: boolean; version: number; rollback_at: string | null | undefined };
  details?: Record<string, unknown>;
}

/**
 * `format` prints the measured value in the rule's metric's unit (a rate as a
 * percentage, a count per hour as such: metrics/metric-definition.ts).
 */
export function notification(type: NotificationType, fields: Omit<NotificationEvent, 'schema' | 'id' | 'type' | 'time' | 'text'>, now: Date, format: (v: number | null) => string): NotificationEvent {
  const prefix = fields.dry_run ? '[dry run] ' : '';
  const measured = fields.rule ? ` (${fields.rule}: measured ${format(fields.value)} over ${fields.window}s, ${fields.samples} samples)` : '';
  const text = `${prefix}switchback ${type}: ${fields.reason}${measured}; by ${fields.actor}`;
  return { schema: 'switchback.notification.v1', id: crypto.randomUUID(), type, time: now.toISOString(), text, ...fields };
}

export class DeliveryError extends SwitchbackError {
  readonly code = 'ERR_NOTIFY_DELIVERY';
}

export async function deliverWebhook(url: string, event: NotificationEvent): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'switchback-notifier/1' },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new DeliveryError(`webhook answered HTTP ${res.status}`);
}

/** Email through the `send_email` binding (Cloudflare Email Routing); the subject says what happened. */
export async function deliverEmail(binding: SendEmail, from: string, to: string, event: NotificationEvent): Promise<void> {
  const subject = event.type === 'rollback.completed' ? 'Rollback complete. Auth0 is primary again.' : `switchback: ${event.type}`;
  await binding.send({ from, to, subject, text: `${event.text}\n\n${JSON.stringify(event, null, 2)}` });
}

/**
 * Notifications: each one is audited and queued in the `outbox` table in
 * the same synchronous step as the decision it reports, then delivered by
 * the alarm (webhook, email) with backoff, so a slow or failing receiver
 * never delays a rollback.
 */
import type { GatewayConfig } from '../config.ts';
import type { Env } from '../env.ts';
import { log } from '../core/log.ts';
import type { FlagRecord } from '../flag/flag-record.ts';
import type { ControllerStore } from './controller-store.ts';
import type { Evaluation } from './rule-evaluator.ts';
import { formatValue } from './metrics/metric-definition.ts';
import { metric } from './metrics/registry.ts';
import { deliverEmail, deliverWebhook, notification, type NotificationEvent, type NotificationType } from './notifications.ts';

const MAX_DELIVERY_ATTEMPTS = 10;
export const CONTROLLER_ACTOR = 'switchback-controller';

export type NotifyReceiver = 'webhook' | 'email';

export interface NoticeFields {
  reason: string;
  evaluation?: Evaluation | undefined;
  actor: string;
  dryRun: boolean;
  details?: Record<string, unknown>;
}

export class Outbox {
  constructor(
    private readonly store: ControllerStore,
    private readonly env: Env,
    private readonly config: () => GatewayConfig,
    private readonly flag: () => FlagRecord,
  ) {}

  notify(type: NotificationType, f: NoticeFields, now: number): void {
    const flag = this.flag();
    const ev = f.evaluation;
    const event = notification(type, {
      reason: f.reason,
      rule: ev?.rule ?? null,
      value: ev?.value ?? null,
      threshold: ev?.threshold ?? null,
      window: ev?.windowSeconds ?? null,
      samples: ev?.samples ?? null,
      actor: f.actor,
      dry_run: f.dryRun,
      flag: { enabled: flag.enabled, version: flag.version, rollback_at: flag.rollback_at },
      ...(f.details ? { details: f.details } : {}),
    }, new Date(now), (v) => (ev ? formatValue(metric(ev.metric).unit, v) : 'n/a'));
    const receivers = this.receivers();
    if (receivers.includes('webhook')) this.store.enqueue(JSON.stringify(event), 'webhook', now);
    if (receivers.includes('email') && (type === 'rollback.triggered' || type === 'rollback.completed')) this.store.enqueue(JSON.stringify(event), 'email', now);
    this.store.appendAudit(`notification.${type}`, f.actor, { id: event.id, text: event.text });
  }

  /** The channels a notification goes to: none when neither NOTIFY_WEBHOOK_URL nor the email binding and addresses are set. */
  receivers(): NotifyReceiver[] {
    const cfg = this.config();
    const out: NotifyReceiver[] = [];
    if (cfg.notify.webhookUrl) out.push('webhook');
    if (cfg.notify.email && this.env.ONCALL_EMAIL) out.push('email');
    return out;
  }

  async deliver(now: number): Promise<void> {
    const cfg = this.config();
    for (const item of this.store.dueOutbox(now)) {
      const event = JSON.parse(item.event) as NotificationEvent;
      try {
        if (item.channel === 'webhook' && cfg.notify.webhookUrl) await deliverWebhook(cfg.notify.webhookUrl, event);
        else if (item.channel === 'email' && cfg.notify.email && this.env.ONCALL_EMAIL) await deliverEmail(this.env.ONCALL_EMAIL, cfg.notify.email.from, cfg.notify.email.to, event);
        else {
          // The receiver was removed from the configuration since: nothing was sent; say so, once.
          this.store.delivered(item.id);
          this.store.appendAudit('notification.failed', CONTROLLER_ACTOR, { id: event.id, type: event.type, channel: item.channel, error: 'no such receiver configured any more' });
          continue;
        }
        this.store.delivered(item.id);
        // The delivery result, beside the notice (the console's timeline shows both).
        this.store.appendAudit('notification.delivered', CONTROLLER_ACTOR, { id: event.id, type: event.type, channel: item.channel, attempts: item.attempts + 1 });
      } catch (err) {
        const attempts = item.attempts + 1;
        if (attempts >= MAX_DELIVERY_ATTEMPTS) {
          this.store.delivered(item.id);
          this.store.appendAudit('notification.failed', CONTROLLER_ACTOR, { id: event.id, type: event.type, channel: item.channel, error: String(err) });
        } else {
          this.store.retryLater(item.id, attempts, Date.now() + Math.min(300_000, 1000 * 2 ** attempts));
        }
        log('warn', { event: 'notification_failed', reason: 'delivery_failed', channel: item.channel, attempts, error: String(err) });
      }
    }
  }
}

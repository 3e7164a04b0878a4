/**
 * Communication after a rollback (the plan's "Communication during
 * rollback"): the texts for users, oncall and the status page, filled from
 * the latest rollback (src/comms/templates.ts), and the Statuspage incident.
 * That incident is a draft by default: rendered here for people to read
 * (`switchback comms preview`), created on Statuspage only when a person
 * publishes it (the API offers no draft we could confirm), and at most once
 * per rollback: the claim is written synchronously before the call, so two
 * people pressing "publish" make one incident (Statuspage has no idempotency
 * key). A failed call releases the claim; a claim older than a minute
 * (the object restarted mid-call) may be taken again.
 */
import type { GatewayConfig } from '../config.ts';
import { incidentDate, render, type IncidentVars, type Template } from '../comms/templates.ts';
import { createStatuspageIncident } from '../comms/statuspage-client.ts';
import type { ControllerStore } from './controller-store.ts';
import type { StatuspageRecord } from './meta-keys.ts';

export type { StatuspageRecord };

const CLAIM_MS = 60_000;
const KEEP = 20;
const LEGACY_NAMES: Record<string, string> = { auth0: 'Auth0', cognito: 'Amazon Cognito', clerk: 'Clerk' };

export interface LatestRollback {
  seq: number;
  at: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface CommsPreview {
  incident: { rollback_seq: number; rollback_at: string } | null;
  variables: IncidentVars | null;
  user_email: Template | null;
  oncall: Template | null;
  status_page: Template | null;
  statuspage: { configured: boolean; record: StatuspageRecord | null };
}

export type PublishResult =
  | { outcome: 'created' | 'already_published'; record: StatuspageRecord }
  | { outcome: 'in_progress' | 'no_rollback' | 'not_configured' }
  | { outcome: 'failed'; record: StatuspageRecord };

export class CommsDesk {
  constructor(
    private readonly store: ControllerStore,
    private readonly sql: SqlStorage,
    private readonly config: () => GatewayConfig,
  ) {}

  latestRollback(): LatestRollback | undefined {
    const row = this.sql.exec<{ seq: number; at: string; actor: string; data: string }>("SELECT seq, at, actor, data FROM audit WHERE type = 'rollback' ORDER BY seq DESC LIMIT 1").toArray()[0];
    return row ? { ...row, data: JSON.parse(row.data) as Record<string, unknown> } : undefined;
  }

  vars(rb: LatestRollback, origin: string): IncidentVars {
    const cfg = this.config();
    const record = this.store.get('statuspage_incidents')?.[String(rb.seq)];
    const base = cfg.publicUrl ?? origin;
    return {
      status_url: record?.shortlink ?? cfg.comms.statusPageUrl ?? `${base}/`,
      date: incidentDate(rb.at),
      reset_url: `${base}/recovery`,
      product: cfg.comms.productName,
      rollback_at: rb.at,
      rollback_seq: rb.seq,
      reason: String(rb.data.reason ?? ''),
      rule: typeof rb.data.rule === 'string' ? rb.data.rule : 'manual decision',
      legacy_provider: LEGACY_NAMES[cfg.providers.auth0.kind] ?? cfg.providers.auth0.kind,
    };
  }

  preview(origin: string): CommsPreview {
    const rb = this.latestRollback();
    const configured = this.config().comms.statuspage !== undefined;
    if (!rb) return { incident: null, variables: null, user_email: null, oncall: null, status_page: null, statuspage: { configured, record: null } };
    const v = this.vars(rb, origin);
    return {
      incident: { rollback_seq: rb.seq, rollback_at: rb.at },
      variables: v,
      user_email: render('user_email', v),
      oncall: render('oncall', v),
      status_page: render('status_page', v),
      statuspage: { configured, record: this.store.get('statuspage_incidents')?.[String(rb.seq)] ?? null },
    };
  }

  /** Publishes the status page draft of the latest rollback: once per rollback. */
  async publish(actor: string, origin: string, now: number, fetchImpl: typeof fetch = fetch): Promise<PublishResult> {
    const sp = this.config().comms.statuspage;
    if (!sp) return { outcome: 'not_configured' };
    const rb = this.latestRollback();
    if (!rb) return { outcome: 'no_rollback' };
    const key = String(rb.seq);
    const existing = this.store.get('statuspage_incidents')?.[key];
    if (existing?.state === 'published') return { outcome: 'already_published', record: existing };
    if (existing?.state === 'publishing' && now - Date.parse(existing.at) < CLAIM_MS) return { outcome: 'in_progress' };
    this.put(key, { rollback_seq: rb.seq, state: 'publishing', at: new Date(now).toISOString(), by: actor });
    const text = render('status_page', this.vars(rb, origin));
    const r = await createStatuspageIncident(sp, { name: text.subject, body: text.text, status: 'identified', deliverNotifications: false }, fetchImpl);
    if (!r.ok) {
      const failed: StatuspageRecord = { rollback_seq: rb.seq, state: 'failed', at: new Date(now).toISOString(), by: actor, error: `${r.failure}: ${r.detail}` };
      this.put(key, failed);
      this.store.appendAudit('statuspage.failed', actor, { rollback_seq: rb.seq, failure: r.failure, status: r.status, detail: r.detail });
      return { outcome: 'failed', record: failed };
    }
    const done: StatuspageRecord = { rollback_seq: rb.seq, state: 'published', at: new Date().toISOString(), by: actor, id: r.id, shortlink: r.shortlink };
    this.put(key, done);
    this.store.appendAudit('statuspage.published', actor, { rollback_seq: rb.seq, id: r.id, shortlink: r.shortlink });
    return { outcome: 'created', record: done };
  }

  private put(key: string, record: StatuspageRecord): void {
    const all = { ...(this.store.get('statuspage_incidents') ?? {}), [key]: record };
    const keys = Object.keys(all).sort((a, b) => Number(b) - Number(a)).slice(0, KEEP);
    this.store.set('statuspage_incidents', Object.fromEntries(keys.map((k) => [k, all[k]!])));
  }
}

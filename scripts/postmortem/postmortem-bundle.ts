// The postmortem bundle of one incident (one rollback): its timeline (every audit entry of the
// incident window, in order: evaluations and verdict changes, breaches, flips, operator
// actions, notifications with their delivery, the reconcile's outcome), the per-minute metrics
// of both providers, the rules and client configuration in force, and who was affected
// (counts, ids only). Read through the typed admin client only, so it runs from the CLI and
// from a runtime test alike (no Node API here); `markdown` renders it.
//
// The window: from the later of the last enabling of Olympus before the rollback and an hour
// before it, to the earlier of the next enabling after it and 24 hours after it (or now).
import { okJson, readStatus, type AdminApiClient, type AuditEntry } from '../cli/admin-api.ts';

export const BEFORE_MS = 60 * 60_000;
export const AFTER_MS = 24 * 3600_000;
const PAGE = 500;
const MAX_PAGES = 40;

export class PostmortemError extends Error {}

export interface MinuteRow {
  /** Start of the step, ISO 8601. */
  at: string;
  olympus: Record<string, number>;
  auth0: Record<string, number>;
}

export interface PostmortemBundle {
  schema: 'switchback.postmortem.v1';
  generated_at: string;
  incident: {
    rollback_seq: number;
    rollback_at: string;
    by: string;
    reason: string;
    rule: string | null;
    measured: { value: unknown; bound: unknown; threshold: unknown; samples: unknown; clients: unknown; window: unknown };
    window: { from: string; to: string; from_seq: number; to_seq: number; ended_by: 'reenabled' | 'time' | 'now' };
    decision: { kind: string; why: string; by: string } | null;
    postmortem_url: string | null;
  };
  /** Every audit entry of the window, oldest first. */
  timeline: AuditEntry[];
  /** Per-minute counts of both providers over the window (steps of the history range used). */
  metrics: { step_seconds: number; login: MinuteRow[]; api: MinuteRow[]; failure_reasons: Record<string, number>; note: string | null };
  rules: { text_in_force: string; source: string; changed_during_window: { seq: number; at: string; by: string }[] };
  client_config: { version: number; providers: unknown };
  affected: {
    logins: { olympus_failed: number; olympus_abandoned: number; olympus_succeeded: number; auth0_failed: number; auth0_succeeded: number };
    signups: { count: number; by_state: Record<string, number>; ids: string[] };
    reconcile: unknown;
    notifications: { queued: number; delivered: number; failed: number };
  };
}

/** Audit entries from the newest back to the first one `stop` accepts (oldest first), paging backwards. */
async function auditSince(api: AdminApiClient, stop: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await okJson('GET /audit', api.audit.$get({ query: { limit: String(PAGE), ...(before ? { before } : {}) } }));
    let done = r.next_before === null;
    for (const e of r.entries) {
      out.push(e);
      if (stop(e)) done = true;
    }
    if (done) break;
    before = String(r.next_before);
  }
  return out.reverse();
}

const enablesOlympus = (e: AuditEntry) => e.type === 'flag.changed' && (e.data as { to?: { enabled?: boolean } }).to?.enabled === true && (e.data as { from?: { enabled?: boolean } }).from?.enabled === false;

/** Collects the bundle of the rollback `incident` (its audit seq), or of the latest rollback. */
export async function collectBundle(api: AdminApiClient, opts: { incident?: number | undefined; now?: number }): Promise<PostmortemBundle> {
  const now = opts.now ?? Date.now();
  // Back to an hour before the rollback asked for (the newest one when none is named).
  let target: AuditEntry | undefined;
  const entries = await auditSince(api, (e) => {
    if (!target && e.type === 'rollback' && (opts.incident === undefined || e.seq === opts.incident)) target = e;
    return target !== undefined && Date.parse(e.at) < Date.parse(target.at) - BEFORE_MS;
  });
  const rollbacks = entries.filter((e) => e.type === 'rollback');
  const rollback = opts.incident === undefined ? rollbacks.at(-1) : rollbacks.find((e) => e.seq === opts.incident);
  if (!rollback) throw new PostmortemError(opts.incident === undefined ? 'no rollback in the audit trail' : `audit entry ${opts.incident} is not a rollback (or is no longer kept)`);
  const rbAt = Date.parse(rollback.at);
  const before = entries.filter((e) => e.seq < rollback.seq);
  const lastEnable = [...before].reverse().find((e) => enablesOlympus(e) || e.type === 'rollback');
  const fromMs = Math.max(rbAt - BEFORE_MS, lastEnable && lastEnable.type !== 'rollback' ? Date.parse(lastEnable.at) : -Infinity);
  const nextEnable = entries.find((e) => e.seq > rollback.seq && enablesOlympus(e));
  const toMs = Math.min(nextEnable ? Date.parse(nextEnable.at) : Infinity, rbAt + AFTER_MS, now);
  const endedBy = nextEnable && Date.parse(nextEnable.at) === toMs ? 'reenabled' : toMs === now ? 'now' : 'time';
  // By sequence where a flag change bounds the window (two entries may share a millisecond), else by time.
  const firstSeq = lastEnable && Date.parse(lastEnable.at) >= fromMs ? (lastEnable.type === 'rollback' ? lastEnable.seq + 1 : lastEnable.seq) : -Infinity;
  const timeline = entries.filter((e) => {
    const t = Date.parse(e.at);
    return e.seq >= firstSeq && (firstSeq > -Infinity || t >= fromMs) && (nextEnable ? e.seq <= nextEnable.seq : t <= toMs);
  });

  const [history, rules, clientConfigs, status, signups] = await Promise.all([
    okJson('GET /history', api.history.$get({ query: { range: rangeFor(now - fromMs) } })),
    okJson('GET /rules', api.rules.$get()),
    okJson('GET /client-config', api['client-config'].$get()),
    readStatus(api),
    okJson('GET /incident/signups', api.incident.signups.$get({ query: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() } })),
  ]);

  const minutes = (signal: string): MinuteRow[] =>
    history.t
      .map((t, i) => ({ i, t }))
      .filter(({ t }) => t * 1000 + history.step_seconds * 1000 > fromMs && t * 1000 <= toMs)
      .map(({ i, t }) => ({ at: new Date(t * 1000).toISOString(), olympus: pick(history.series[signal]?.olympus, i), auth0: pick(history.series[signal]?.auth0, i) }));
  const login = minutes('login');
  const sum = (rows: MinuteRow[], p: 'olympus' | 'auth0', o: string) => rows.reduce((a, r) => a + (r[p][o] ?? 0), 0);
  const failureReasons: Record<string, number> = {};
  for (const [provider, byReason] of Object.entries(history.series.login_failure_reason ?? {})) {
    for (const [reason, counts] of Object.entries(byReason)) {
      const n = counts.filter((_, i) => history.t[i]! * 1000 + history.step_seconds * 1000 > fromMs && history.t[i]! * 1000 <= toMs).reduce((a, b) => a + b, 0);
      if (n) failureReasons[`${provider}:${reason}`] = n;
    }
  }

  // The rules in force at the rollback: those a later change replaced ("before"), else today's.
  const rulesChanges = entries.filter((e) => e.type === 'rules.changed' && e.seq > rollback.seq);
  const firstLater = rulesChanges[0]?.data as { before?: string } | undefined;
  const flagChanges = before.filter((e) => e.type === 'flag.changed');
  const cfgVersion = ((flagChanges.at(-1)?.data as { to?: { client_config_version?: number } } | undefined)?.to?.client_config_version ?? status.flag.client_config_version) ?? 0;
  const cfg = clientConfigs.versions.find((v) => v.version === cfgVersion);
  const decision = [...timeline].reverse().find((e) => e.type === 'rollback.decision' || e.type === 'rollback.reopened');
  const pm = [...timeline].reverse().find((e) => e.type === 'postmortem.linked');
  const byState: Record<string, number> = {};
  for (const s of signups.signups) byState[s.state] = (byState[s.state] ?? 0) + 1;
  const d = rollback.data as Record<string, unknown>;
  const reconcileEntries = timeline.filter((e) => e.type.startsWith('reconcile.') || e.type === 'notification.reconcile.progress');

  return {
    schema: 'switchback.postmortem.v1',
    generated_at: new Date(now).toISOString(),
    incident: {
      rollback_seq: rollback.seq,
      rollback_at: rollback.at,
      by: rollback.actor,
      reason: String(d.reason ?? ''),
      rule: typeof d.rule === 'string' ? d.rule : null,
      measured: { value: d.value ?? null, bound: d.bound ?? null, threshold: d.threshold ?? null, samples: d.samples ?? null, clients: d.clients ?? null, window: d.window ?? null },
      window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), from_seq: timeline[0]?.seq ?? rollback.seq, to_seq: timeline.at(-1)?.seq ?? rollback.seq, ended_by: endedBy },
      decision: decision ? { kind: String(decision.data.kind), why: String(decision.data.why), by: decision.actor } : null,
      postmortem_url: pm ? String(pm.data.url) : null,
    },
    timeline,
    metrics: {
      step_seconds: history.step_seconds,
      login,
      api: minutes('api'),
      failure_reasons: failureReasons,
      note: now - fromMs > 24 * 3600_000 ? 'the window starts more than 24 h ago: per-minute history is kept 25 h, the start is missing' : null,
    },
    rules: { text_in_force: firstLater?.before ?? rules.text, source: firstLater ? 'the rules replaced after the rollback (audit rules.changed)' : rules.source, changed_during_window: timeline.filter((e) => e.type === 'rules.changed').map((e) => ({ seq: e.seq, at: e.at, by: e.actor })) },
    client_config: { version: cfgVersion, providers: cfg?.providers ?? null },
    affected: {
      logins: { olympus_failed: sum(login, 'olympus', 'failed'), olympus_abandoned: sum(login, 'olympus', 'abandoned'), olympus_succeeded: sum(login, 'olympus', 'succeeded'), auth0_failed: sum(login, 'auth0', 'failed'), auth0_succeeded: sum(login, 'auth0', 'succeeded') },
      signups: { count: signups.signups.length, by_state: byState, ids: signups.signups.map((s) => s.id) },
      reconcile: reconcileEntries.length ? { events: reconcileEntries.map((e) => ({ seq: e.seq, type: e.type, data: e.data })), job: status.reconcile_job } : status.reconcile_job,
      notifications: {
        queued: timeline.filter((e) => e.type.startsWith('notification.') && e.type !== 'notification.delivered' && e.type !== 'notification.failed').length,
        delivered: timeline.filter((e) => e.type === 'notification.delivered').length,
        failed: timeline.filter((e) => e.type === 'notification.failed').length,
      },
    },
  };
}

function pick(byOutcome: Record<string, number[]> | undefined, i: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [o, counts] of Object.entries(byOutcome ?? {})) if (counts[i]) out[o] = counts[i]!;
  return out;
}

/** The smallest history range that reaches back to the window's start. */
function rangeFor(agoMs: number): '15m' | '1h' | '6h' | '24h' {
  if (agoMs <= 14 * 60_000) return '15m';
  if (agoMs <= 59 * 60_000) return '1h';
  return agoMs <= 359 * 60_000 ? '6h' : '24h';
}

const cell = (v: unknown) => String(v ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

/** One line per audit entry: what happened, in words a postmortem can quote. */
export function describeEntry(e: AuditEntry): string {
  const d = e.data as Record<string, any>;
  switch (e.type) {
    case 'rollback':
      return `ROLLBACK${d.rule ? ` by rule ${d.rule} (value ${d.value}, bound ${d.bound}, threshold ${d.threshold}, ${d.samples} samples from ${d.clients} clients)` : ''}: ${d.reason}`;
    case 'flag.changed':
      return `flag: Olympus ${d.to?.enabled ? `on${d.to?.percent !== undefined ? ` for ${d.to.percent}%` : ''}` : 'off'} (${d.to?.reason ?? ''})`;
    case 'rule.verdict':
      return `rule ${d.rule}: ${d.from} -> ${d.to}${d.value !== null && d.value !== undefined ? ` (value ${d.value}, ${d.samples} samples)` : ''}`;
    case 'notification.delivered':
      return `notification ${d.type} delivered (${d.channel}, attempt ${d.attempts})`;
    case 'notification.failed':
      return `notification ${d.type} NOT delivered (${d.channel}): ${d.error}`;
    default:
      if (e.type.startsWith('notification.')) return `notification ${e.type.slice(13)} queued: ${d.text ?? ''}`;
      return `${e.type}${d.reason ? `: ${d.reason}` : d.why ? `: ${d.why}` : d.url ? `: ${d.url}` : ''}`;
  }
}

export function markdown(b: PostmortemBundle): string {
  const i = b.incident;
  const rb = Date.parse(i.rollback_at);
  const offset = (at: string) => {
    const s = Math.round((Date.parse(at) - rb) / 1000);
    return `${s < 0 ? '-' : '+'}${Math.abs(s)} s`;
  };
  const minuteTable = (rows: MinuteRow[], outcomes: string[]) => [
    `| Minute (UTC) | ${outcomes.map((o) => `Olympus ${o}`).join(' | ')} | ${outcomes.map((o) => `legacy ${o}`).join(' | ')} |`,
    `|---|${outcomes.map(() => '---:').join('|')}|${outcomes.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.at.slice(11, 16)} | ${outcomes.map((o) => r.olympus[o] ?? 0).join(' | ')} | ${outcomes.map((o) => r.auth0[o] ?? 0).join(' | ')} |`),
  ];
  const lines = [
    `# Postmortem bundle: rollback ${i.rollback_seq} at ${i.rollback_at}`,
    '',
    `- Rolled back by ${i.by}: ${i.reason}`,
    ...(i.rule ? [`- Rule: ${i.rule}; measured ${JSON.stringify(i.measured)}`] : []),
    `- Incident window: ${i.window.from} to ${i.window.to} (ended by ${i.window.ended_by}), audit entries ${i.window.from_seq}-${i.window.to_seq}`,
    `- Decision: ${i.decision ? `${i.decision.kind} (${i.decision.by}): ${i.decision.why}` : 'none yet'}`,
    `- Postmortem: ${i.postmortem_url ?? 'not linked yet'}`,
    '',
    '## Timeline',
    '',
    '| Seq | Time (UTC) | From the rollback | Event | By |',
    '|---:|---|---:|---|---|',
    ...b.timeline.map((e) => `| ${e.seq} | ${e.at} | ${offset(e.at)} | ${cell(describeEntry(e))} | ${cell(e.actor)} |`),
    '',
    `## Logins per ${b.metrics.step_seconds / 60} min`,
    '',
    ...minuteTable(b.metrics.login, ['succeeded', 'failed', 'abandoned']),
    '',
    '## API calls',
    '',
    ...minuteTable(b.metrics.api, ['ok', 'error']),
    '',
    `Failure reasons: ${Object.entries(b.metrics.failure_reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.${b.metrics.note ? ` Note: ${b.metrics.note}.` : ''}`,
    '',
    '## Who was affected (counts, ids only)',
    '',
    `- Logins in the window: Olympus ${b.affected.logins.olympus_failed} failed, ${b.affected.logins.olympus_abandoned} abandoned, ${b.affected.logins.olympus_succeeded} succeeded; legacy ${b.affected.logins.auth0_failed} failed, ${b.affected.logins.auth0_succeeded} succeeded.`,
    `- Olympus signups in the window: ${b.affected.signups.count} (${Object.entries(b.affected.signups.by_state).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}); ids in postmortem.json.`,
    `- Notifications: ${b.affected.notifications.queued} queued, ${b.affected.notifications.delivered} delivered, ${b.affected.notifications.failed} failed.`,
    `- Reconcile: ${JSON.stringify(b.affected.reconcile)}`,
    '',
    '## Rules in force',
    '',
    `Source: ${b.rules.source}.${b.rules.changed_during_window.length ? ` Changed during the window: ${b.rules.changed_during_window.map((c) => `#${c.seq} by ${c.by}`).join(', ')}.` : ''}`,
    '',
    '```yaml',
    b.rules.text_in_force.trimEnd(),
    '```',
    '',
    `## Client configuration in force: version ${b.client_config.version}`,
    '',
    '```json',
    JSON.stringify(b.client_config.providers, null, 2),
    '```',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The rollback controller through the admin API: a manual rollback (the
 * plan's `manual_decision_by`), status, per-minute history (the console's
 * charts), audit, Prometheus metrics, and the
 * rules (read and replace, validated).
 */
import { Hono, type MiddlewareHandler } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, boundedText, jsonBody, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { orderedRole } from '../admin/admin-auth.ts';
import { problem } from '../http/problem.ts';
import { controller } from '../rollback/controller-client.ts';
import { parseRules, RulesError } from '../rollback/rules.ts';
import type { AuditEntry } from '../rollback/controller-store.ts';
import { invalidateFlagCache } from '../flag/kv-flag.ts';
import { resetLoginFlag } from '../flag/controller-flag.ts';
import { HISTORY_RANGES, isHistoryRange, type HistoryRange } from '../rollback/history.ts';
import { MAX_PAUSE_MINUTES } from '../rollback/auto-rollback-pause.ts';
import { drillOrigin } from '../rollback/drill-origin.ts';

const RollbackBody = z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)) });
const Text200 = z.string().check(z.maxLength(200));
/** What `switchback drill` sends: its verdict, durations and criteria (scripts/drill/drill-report.ts). */
const DrillBody = z.strictObject({
  verdict: z.enum(['pass', 'fail']),
  started_at: z.iso.datetime(),
  /** When it finished (the re-enable gate counts a drill from then); older CLIs leave it out. */
  finished_at: z.optional(z.iso.datetime()),
  mode: z.enum(['automatic', 'manual']),
  environment: Text200,
  durations_ms: z.record(z.string().check(z.regex(/^[a-z_]{1,64}$/)), z.nullable(z.number().check(z.minimum(0)))),
  criteria: z.array(z.strictObject({ name: Text200, pass: z.boolean(), measured: Text200, target: Text200 })).check(z.maxLength(50)),
  failed_logins: z.int().check(z.minimum(0)),
});

const PauseBody = z.strictObject({
  minutes: z.int().check(z.minimum(1), z.maximum(MAX_PAUSE_MINUTES)),
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(1000)),
});

type AuditQuery = { in: { query: { limit?: string; before?: string } }; out: { query: { limit: number; before?: number } } };

/** ?limit= (1..500, default 100) and ?before= (an audit sequence number) of GET /audit. */
const auditQuery: MiddlewareHandler<AdminEnv, string, AuditQuery> = async (c, next) => {
  const limit = Number(c.req.query('limit') ?? '100');
  const before = c.req.query('before');
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return problem(c, 'invalid_request', 'limit must be a whole number from 1 to 500.');
  if (before !== undefined && !/^\d{1,15}$/.test(before)) return problem(c, 'invalid_request', 'before must be an audit sequence number.');
  c.req.addValidatedData('query', before === undefined ? { limit } : { limit, before: Number(before) });
  await next();
};

type HistoryQuery = { in: { query: { range?: string } }; out: { query: { range: HistoryRange } } };

/** ?range= one of 15m, 1h (default), 6h, 24h. */
const historyQuery: MiddlewareHandler<AdminEnv, string, HistoryQuery> = async (c, next) => {
  const range = c.req.query('range') ?? '1h';
  if (!isHistoryRange(range)) return problem(c, 'invalid_request', `range must be one of ${Object.keys(HISTORY_RANGES).join(', ')}.`);
  c.req.addValidatedData('query', { range });
  await next();
};

export const adminController = new Hono<AdminEnv>()
  .post('/_switchback/api/rollback', requireRole('oncall'), jsonBody(RollbackBody, 'rollback'), async (c) => {
    const result = await controller(c.env).manualRollback(actorLabel(c), orderedRole(c.var.actor), c.req.valid('json').reason);
    if ('forbidden' in result) return problem(c, 'forbidden', result.forbidden);
    invalidateFlagCache();
    resetLoginFlag();
    return c.json({ rolled_back: result.rolledBack, already_on_auth0: !result.rolledBack, flag: result.flag }, 200, { 'cache-control': 'no-store' });
  })
  // Pausing switches a safety off for a while: eng-lead. Resuming switches it back on: oncall too.
  .post('/_switchback/api/automatic-rollback/pause', requireRole({ role: 'eng-lead', action: 'Pausing automatic rollback', hint: 'Ask an eng-lead, or roll back by hand.' }), jsonBody(PauseBody, 'pause'), async (c) => {
    const { minutes, reason } = c.req.valid('json');
    const p = await controller(c.env).pauseAutomaticRollback(minutes, actorLabel(c), reason);
    return c.json({ paused: { until: new Date(p.until).toISOString(), by: p.by, reason: p.reason } }, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/automatic-rollback/resume', requireRole('oncall'), jsonBody(RollbackBody, 'resume'), async (c) => {
    const result = await controller(c.env).resumeAutomaticRollback(actorLabel(c), c.req.valid('json').reason);
    return c.json(result, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/drills', requireRole('oncall'), jsonBody(DrillBody, 'drill report'), async (c) => {
    const report = c.req.valid('json');
    // A pass is every criterion passing: the gate trusts the verdict, so it must agree with what was measured.
    if (report.verdict === 'pass' && (report.criteria.length === 0 || report.criteria.some((k) => !k.pass))) return problem(c, 'invalid_request', 'A drill with a failed criterion (or none) cannot pass.');
    const where = drillOrigin(report, [new URL(c.req.url).origin, c.var.config.publicUrl], Date.now());
    if (!where.ok) return problem(c, 'invalid_request', `drill report: ${where.why}.`);
    const d = await controller(c.env).recordDrill(report.verdict, JSON.stringify(report), actorLabel(c), where.origin);
    return c.json({ seq: d.seq, at: d.at, elsewhere: d.elsewhere }, 201, { 'cache-control': 'no-store' });
  })
  .get('/_switchback/api/drills', async (c) => {
    // Reports were validated against DrillBody when they were recorded.
    const drills = (await controller(c.env).drills(20)).map((d) => ({ ...d, report: JSON.parse(d.report) as z.Infer<typeof DrillBody> }));
    return c.json({ drills }, 200, { 'cache-control': 'no-store' });
  })
  .get('/_switchback/api/status', async (c) => c.json(await controller(c.env).status(), 200, { 'cache-control': 'no-store' }))
  .get('/_switchback/api/audit', auditQuery, async (c) => {
    const { limit, before } = c.req.valid('query');
    // Audit data is plain JSON; the RPC type system cannot prove it for Record<string, unknown>.
    const entries = (await controller(c.env).audit(limit, before)) as unknown as AuditEntry[];
    return c.json({ entries, next_before: entries.length === limit ? entries.at(-1)!.seq : null }, 200, { 'cache-control': 'no-store' });
  })
  .get('/_switchback/api/events', async (c) => {
    const stream = await controller(c.env).liveEvents();
    if (!stream) return problem(c, 'temporarily_unavailable', 'Too many live consoles are open; this one refreshes by polling instead.');
    return c.body(stream, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  })
  .get('/_switchback/api/history', historyQuery, async (c) => c.json(await controller(c.env).history(c.req.valid('query').range), 200, { 'cache-control': 'no-store' }))
  .get('/_switchback/api/metrics', async (c) => c.text(await controller(c.env).metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' }))
  .get('/_switchback/api/rules', async (c) => {
    const src = await controller(c.env).rulesSource();
    return c.json({ source: src.source, text: src.text, rules: await controller(c.env).rules() }, 200, { 'cache-control': 'no-store' });
  })
  .put('/_switchback/api/rules', requireRole('eng-lead'), async (c) => {
    const body = await boundedText(c, /^(application\/json|application\/yaml|application\/x-yaml|text\/yaml|text\/plain)\b/i);
    if (!body.ok) return body.res;
    try {
      parseRules(body.text);
    } catch (err) {
      if (err instanceof RulesError) return problem(c, 'invalid_rules', err.message, { path: err.path });
      throw err;
    }
    const rules = await controller(c.env).setRules(body.text, actorLabel(c));
    return c.json({ source: 'admin-api', rules }, 200, { 'cache-control': 'no-store' });
  });

/**
 * Drill mode through the admin API (src/rollback/drill-mode.ts): an eng-lead
 * turns it on for a bounded time; while it is on, the drill posts synthetic
 * login outcomes here, marked as drill traffic by the route itself (never
 * through the hooks or the telemetry path real outcomes take), and reads the
 * drill counters back for its report.
 */
import { Hono } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, jsonBody, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { problem } from '../http/problem.ts';
import { controller } from '../rollback/controller-client.ts';
import { invalidateFlagCache } from '../flag/kv-flag.ts';
import { resetLoginFlag } from '../flag/controller-flag.ts';
import { MAX_DRILL_MODE_MINUTES } from '../rollback/drill-mode.ts';

const Reason = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));
const EnableBody = z.strictObject({ minutes: z.int().check(z.minimum(1), z.maximum(MAX_DRILL_MODE_MINUTES)), reason: Reason });
const EndBody = z.strictObject({ reason: Reason });
const OutcomesBody = z.strictObject({
  outcomes: z
    .array(z.strictObject({ client: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,64}$/)), outcome: z.enum(['succeeded', 'failed']), n: z.int().check(z.minimum(1), z.maximum(100)) }))
    .check(z.minLength(1), z.maxLength(200)),
});

export const adminDrillMode = new Hono<AdminEnv>()
  .get('/_switchback/api/drill-mode', async (c) => c.json(await controller(c.env).drillMode(), 200, { 'cache-control': 'no-store' }))
  .post('/_switchback/api/drill-mode', requireRole({ role: 'eng-lead', action: 'Enabling drill mode', hint: 'Ask an eng-lead: drill traffic can roll back this gateway.' }), jsonBody(EnableBody, 'drill mode'), async (c) => {
    const { minutes, reason } = c.req.valid('json');
    const s = await controller(c.env).enableDrillMode(minutes, actorLabel(c), reason);
    return c.json({ active: true, state: s }, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/drill-mode/end', requireRole('oncall'), jsonBody(EndBody, 'end of drill mode'), async (c) => {
    return c.json(await controller(c.env).endDrillMode(actorLabel(c), c.req.valid('json').reason), 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/drill-mode/outcomes', requireRole('oncall'), jsonBody(OutcomesBody, 'drill outcomes'), async (c) => {
    const r = await controller(c.env).drillOutcomes(c.req.valid('json').outcomes, actorLabel(c));
    if (!r.ok) return problem(c, 'drill_mode_off', r.reason);
    if (r.rolledBack) {
      invalidateFlagCache();
      resetLoginFlag();
    }
    return c.json({ counters: r.state.counters, streak: r.state.streak, verdict: r.evaluation?.verdict ?? null, rolled_back: r.rolledBack, refused_clients: r.refusedClients }, 200, { 'cache-control': 'no-store' });
  });

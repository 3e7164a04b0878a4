/**
 * After a rollback, through the admin API: the decision (temporary or
 * permanent, eng-lead), the postmortem link (oncall), and the re-enable gate
 * they feed (src/rollback/reenable-gate.ts). Re-enabling itself stays the
 * flag route's (admin-flags.ts), which answers 409 `reenable_blocked` naming
 * each missing requirement.
 */
import { Hono } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, jsonBody, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { problem } from '../http/problem.ts';
import { controller } from '../rollback/controller-client.ts';

const Why = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));
const DecisionBody = z.strictObject({ kind: z.enum(['temporary', 'permanent']), why: Why });
/** A link people open: https only (http for a loopback host, the local demo), no credentials in it. */
const PostmortemUrl = z.string().check(
  z.maxLength(2000),
  z.refine((v) => {
    try {
      const u = new URL(v);
      const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost';
      return (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an https URL without credentials'),
);
const PostmortemBody = z.strictObject({ url: PostmortemUrl });
const isIso = (v: string | undefined): v is string => v !== undefined && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/.test(v) && !Number.isNaN(Date.parse(v));

export const adminAftermath = new Hono<AdminEnv>()
  .get('/_switchback/api/rollback/reenable-gate', async (c) => c.json(await controller(c.env).reenableGate(), 200, { 'cache-control': 'no-store' }))
  .post('/_switchback/api/rollback/decision', requireRole({ role: 'eng-lead', action: 'Deciding whether the rollback is temporary or permanent', hint: 'Ask an eng-lead.' }), jsonBody(DecisionBody, 'decision'), async (c) => {
    const { kind, why } = c.req.valid('json');
    const r = await controller(c.env).decideRollback(kind, why, actorLabel(c));
    if (!r.ok) return problem(c, 'no_rollback', r.reason);
    return c.json({ decision: r.decision, reopened: r.reopened }, 200, { 'cache-control': 'no-store' });
  })
  // Who an incident touched, for the postmortem bundle: ids and states only, never emails or identities.
  .get('/_switchback/api/incident/signups', requireRole('oncall'), async (c) => {
    const from = c.req.query('from');
    const to = c.req.query('to');
    if (!isIso(from) || !isIso(to)) return problem(c, 'invalid_request', 'from and to must be UTC timestamps like 2026-11-30T01:00:00.000Z.');
    return c.json({ signups: await controller(c.env).signupsBetween(from, to) }, 200, { 'cache-control': 'no-store' });
  })
  .post('/_switchback/api/rollback/postmortem', requireRole('oncall'), jsonBody(PostmortemBody, 'postmortem link'), async (c) => {
    const r = await controller(c.env).linkPostmortem(c.req.valid('json').url, actorLabel(c));
    if (!r.ok) return problem(c, 'no_rollback', r.reason);
    return c.json({ url: r.url }, 200, { 'cache-control': 'no-store' });
  });

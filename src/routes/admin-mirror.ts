/**
 * `switchback mirror` reports to the controller: POST
 * /_switchback/api/mirror/heartbeat with its lag, backlog, last sweep, counts
 * the identities mirrored since the last one, and the signups whose email a
 * legacy account already holds (src/rollback/mirror-state.ts).
 * Role `mirror` (an ADMIN_TOKENS entry that can send this and nothing else,
 * admin-role.ts) or oncall and above: a heartbeat changes what /status says a
 * rollback would strand, so a viewer's token cannot send one. Give the mirror
 * its own entry with role mirror: the audit log names it, and the token, kept
 * on the Olympus network, cannot move the flag or read anything.
 */
import { Hono } from 'hono';
import * as z from '../core/schema.ts';
import { actorLabel, jsonBody, MIRROR_HEARTBEAT_PATH, requireRole, type AdminEnv } from '../admin/admin-http.ts';
import { controller } from '../rollback/controller-client.ts';

const Count = z.int().check(z.minimum(0), z.maximum(1e12));
const Ids = z.array(z.string().check(z.regex(/^[0-9a-f-]{36}$/i))).check(z.maxLength(300));
const Time = z.nullable(z.iso.datetime());

export const MirrorHeartbeatBody = z.strictObject({
  mirror_id: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,80}$/)),
  backlog: Count,
  unmirrored_signups: Count,
  oldest_unmirrored_created_at: Time,
  last_sweep_at: Time,
  last_sweep_seen: Count,
  counts: z.strictObject({ mirrored: Count, with_password: Count, without_password: Count, skipped: Count, failed: Count, hooks_dropped: Count, hooks: Count, legacy_password_changed: z.optional(Count), old_password_if_rolled_back_now: z.optional(Count) }),
  lag_ms: z.nullable(z.strictObject({ p50: Count, p99: Count, max: Count, n: Count })),
  mirrored_with_password: Ids,
  mirrored_without_password: Ids,
  /** Signups whose email a legacy account (not switchback's, created before the signup) holds: /login stops routing them as Olympus-only. */
  legacy_owned: z.optional(Ids),
});

export const adminMirror = new Hono<AdminEnv>().post(MIRROR_HEARTBEAT_PATH, requireRole('mirror'), jsonBody(MirrorHeartbeatBody, 'mirror heartbeat'), async (c) => {
  const r = await controller(c.env).mirrorHeartbeat(c.req.valid('json'), actorLabel(c));
  return c.json(r, 200, { 'cache-control': 'no-store' });
});

/**
 * The flag through the admin API. The controller object is the single
 * writer (it writes through to KV); the plan's own
 * `curl -X POST $FLAG_API/flags/olympus_auth -d '{"enabled": false}'` works
 * with FLAG_API=<gateway>/_switchback/api and a bearer token.
 */
import { Hono } from 'hono';
import * as z from '../src/core/schema.ts';
import { actorLabel, invalid, jsonBody, problem, requireRole, type AdminEnv } from '../src/admin/admin-http.ts';
import { roleAllows } from '../src/admin/admin-auth.ts';
import { controller } from '../src/controller/controller-client.ts';
import { FLAG_KEY } from '../src/flag/flag-record.ts';
import { clientConfigExists } from '../src/providers/client-config-writer.ts';
import { invalidateFlagCache } from '../src/flag/flag-store.ts';
import { resetLoginFlag } from '../src/flag/flag-source.ts';
import { log } from '../src/core/log.ts';

const Reason = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));
const FlagChangeBody = z.strictObject({
  enabled: z.boolean(),
  percent: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
  reason: z.optional(Reason),
  client_config_version: z.optional(z.int().check(z.minimum(0))),
});

export const adminFlags = new Hono<AdminEnv>()
  .get(`/_switchback/api/flags/${FLAG_KEY}`, async (c) => {
    const flag = await controller(c.env).getFlag();
    return c.json(flag, 200, { 'cache-control': 'no-store' });
  })
  .post(`/_switchback/api/flags/${FLAG_KEY}`, async (c) => {
    const body = await jsonBody(c);
    if (!body.ok) return body.res;
    const parsed = FlagChangeBody.safeParse(body.value);
    if (!parsed.success) return invalid(c, 'flag change', parsed.error);
    const change = parsed.data;
    // Turning Olympus on (or widening it) is the risky direction: eng-lead only. Rolling back: oncall too.
    const denied = requireRole(c, change.enabled ? 'eng-lead' : 'oncall');
    if (denied) return denied;
    // Oncall may roll back, not change which OAuth clients are in force: that is an eng-lead decision.
    if (change.client_config_version !== undefined && change.client_config_version !== ((await controller(c.env).getFlag()).client_config_version ?? 0)) {
      if (!roleAllows(c.var.actor.role, 'eng-lead')) {
        return problem(c, 403, 'forbidden', `Changing client_config_version needs the eng-lead role; "${c.var.actor.name}" has ${c.var.actor.role}. Roll back without client_config_version, or ask an eng-lead.`);
      }
    }
    // Changes that don't name percent keep it (flag-transition.ts): widening the share a later enable goes to is eng-lead's, even on a rollback.
    if (change.percent !== undefined && change.percent > ((await controller(c.env).getFlag()).percent ?? 100) && !roleAllows(c.var.actor.role, 'eng-lead')) {
      return problem(c, 403, 'forbidden', `Raising percent needs the eng-lead role; "${c.var.actor.name}" has ${c.var.actor.role}. Roll back without percent, or ask an eng-lead.`);
    }
    if (change.client_config_version !== undefined && !(await clientConfigExists(c.env.SWITCHBACK_KV, change.client_config_version))) {
      return problem(c, 400, 'invalid_request', `Invalid flag change: client_config_version ${change.client_config_version} does not exist.`);
    }
    const { previous, current } = await controller(c.env).setFlag(
      {
        enabled: change.enabled,
        percent: change.percent,
        client_config_version: change.client_config_version,
        reason: change.reason ?? (change.enabled ? 'enabled through the admin API' : 'disabled through the admin API'),
        actor: actorLabel(c),
      },
      c.var.actor.role,
    );
    // This isolate sees the change at once; others within FLAG_CACHE_TTL_MS.
    invalidateFlagCache();
    resetLoginFlag();
    log('warn', { event: 'flag_changed', actor: c.var.actor.name, role: c.var.actor.role, from: previous.enabled, to: current.enabled, percent: current.percent, version: current.version });
    return c.json(current, 200, { 'cache-control': 'no-store' });
  });
